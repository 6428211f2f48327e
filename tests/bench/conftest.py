import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.exit("The benchmarks run on PostgreSQL: set DATABASE_URL.", returncode=2)
