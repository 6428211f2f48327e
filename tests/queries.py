"""Exact query counts, after Zulip's assert_database_query_count.

An upper bound lets a page quietly lose a select_related until it hits the bound;
an exact count fails on the first extra query, and the message lists every query
the block ran, so the one that repeats can be read off at once. A batch of statements
sent in one round trip (helpdesk.lib.rows.fetch_together) counts as the statements
it holds, so a count is the same on PostgreSQL and SQLite.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.lib.rows import statement_count


@contextmanager
def assert_queries(expected: int) -> Iterator[CaptureQueriesContext]:
    """Fail unless the block runs exactly `expected` queries on the default database."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    ran = captured.captured_queries
    count = sum(statement_count(query["sql"]) for query in ran)
    if count != expected:
        listing = "\n".join(f"{number}. {query['sql']}" for number, query in enumerate(ran, 1))
        raise AssertionError(f"Expected {expected} queries, but {count} ran:\n{listing}")
