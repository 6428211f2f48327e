"""Every operation in the API's own schema, called with input generated from that schema
(schemathesis, positive and negative): no input makes the server fail, and every answer
is one the schema documents (its status code, its content type, its body)."""

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import SCOPES, ApiToken
from cases.attachments import attachments_store
from cases.models import Attachment, Case, CaseRating, Status
from contacts.models import Contact
from helpdesk.wsgi import application
from knowledge.models import Article, ArticleStatus, Audience
from tests.factories import CaseFactory, ContactFactory, MessageFactory
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# The schema as the app serves it, asked of the app in-process when the tests are collected.
# A fixed seed (each operation draws from its own, derived from it), no example database
# and derandomize off (it would replace the seed): CI fails or passes the same way twice.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/", application, config=schemathesis.Config(seed=1)
)

# The schema's boundary values and 25 random inputs per operation (15 for the second test)
# keep the file under a minute and a half with twenty operations. The fixtures hold for all
# the inputs of a test.
fuzzing = settings(
    max_examples=25,
    deadline=None,
    derandomize=False,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a path parameter names, by the segment before it (/cases/{reference}/,
# /contacts/{id}/, /cases/{reference}/attachments/{id}/): the desk's rows, oldest first.
ROWS = {
    "articles": lambda: list(Article.objects.order_by("pk").values_list("slug", flat=True)),
    "cases": lambda: [case.reference for case in Case.objects.order_by("pk")],
    "contacts": lambda: list(Contact.objects.order_by("pk").values_list("pk", flat=True)),
    "attachments": lambda: list(Attachment.objects.order_by("pk").values_list("pk", flat=True)),
}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """A generated id or reference almost never names a row: half the time, take the n-th
    of the desk's own instead (the n-th case and the n-th attachment, which is on it), read
    when the input is drawn."""
    segments = context.operation.path.strip("/").split("/")
    named = {
        segment.strip("{}"): segments[at - 1]
        for at, segment in enumerate(segments)
        if segment.startswith("{") and segments[at - 1] in ROWS
    }
    if not named:
        return st.just(path_parameters)

    def nth_rows(n):
        found = {name: ROWS[resource]() for name, resource in named.items()}
        return {**path_parameters, **{name: rows[n % len(rows)] for name, rows in found.items()}}

    # The desk fixture makes six cases, before any the fuzzing opens.
    return st.one_of(st.just(path_parameters), st.integers(0, 5).map(nth_rows))


@schema.hook
def flatmap_query(context, query):
    """A generated cursor is never one the API gave out, and a list answers 404 to it
    before any filter runs: half the time, the same query without one."""
    if not isinstance(query, dict) or "cursor" not in query:
        return st.just(query)
    return st.sampled_from(
        [{name: value for name, value in query.items() if name != "cursor"}, query]
    )


@pytest.fixture
def desk(agent):
    """Three contacts with two cases each, on each case a message with an attachment, the
    closed ones rated; and an article of each kind a reader may or may not see."""
    for n in range(3):
        contact = ContactFactory(name=f"Customer {n}", email=f"customer{n}@shop.example")
        for status in (Status.OPEN, Status.CLOSED):
            case = CaseFactory(contact=contact, subject=f"Order {n}", status=status, assignee=agent)
            message = MessageFactory(case=case, body="Where is my order? The receipt is attached.")
            attachments_store(
                message=message,
                uploads=[SimpleUploadedFile("receipt.txt", b"Order 1234, paid.")],
                content_types=["text/plain"],
            )
            if status == Status.CLOSED:
                CaseRating.objects.create(case=case, agent=agent, score=4, comment="Quick.")
    ArticleFactory(title="Reset a password", slug="reset")
    ArticleFactory(title="Refund rules", slug="refunds", audience=Audience.INTERNAL)
    ArticleFactory(title="Gift cards", slug="gift-cards", status=ArticleStatus.DRAFT)


@pytest.fixture
def in_process(db):
    """The app called in-process, inside the test's transaction, as Django's test client
    calls it: the end of a request must not close the connection (and the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, settings):
    """A token that may do all the API offers (every scope there is), as a header."""
    # Fuzzing makes hundreds of calls a minute with one token: not what the limit is for.
    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    token = ApiToken(name="Fuzzer", scopes=[scope for scope, _label in SCOPES])
    key = token.issue()
    token.save()
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@fuzzing
def test_no_generated_input_makes_a_server_error(case, in_process, desk, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])


# Its own test, so that a gap in the schema does not stop the search for server errors
# at the first input it shows up on. Random inputs only: the boundary values were sent
# by the test above.
@schema.parametrize()
@settings(fuzzing, max_examples=15, phases=[Phase.generate, Phase.shrink])
def test_every_answer_is_one_the_schema_documents(case, in_process, desk, bearer):
    case.call_and_validate(
        headers=bearer,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
