"""Exact query counts, after Zulip's assert_database_query_count.

An upper bound lets a page quietly lose a select_related until it hits the bound;
an exact count fails on the first extra query, and the message lists every query
the block ran, so the one that repeats can be read off at once.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def assert_queries(expected: int) -> Iterator[CaptureQueriesContext]:
    """Fail unless the block runs exactly `expected` queries on the default database."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    ran = captured.captured_queries
    if len(ran) != expected:
        listing = "\n".join(f"{number}. {query['sql']}" for number, query in enumerate(ran, 1))
        raise AssertionError(f"Expected {expected} queries, but {len(ran)} ran:\n{listing}")
