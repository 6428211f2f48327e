import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "deploy: installs requirements.txt alone in a fresh virtualenv and runs the production "
        "stack from it (about a minute and a half; PostgreSQL and Redis)",
    )


@pytest.fixture(autouse=True)
def deployment_environment(monkeypatch):
    """The browser journeys allow Django's ORM in Playwright's event loop for their whole
    process (tests/e2e/conftest.py); `check --deploy` rightly calls that an error
    (async.E001). A deployment has no such variable: neither do these tests."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
