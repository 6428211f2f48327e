def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "deploy: installs requirements.txt alone in a fresh virtualenv and runs the production "
        "stack from it (about a minute and a half; PostgreSQL and Redis)",
    )
