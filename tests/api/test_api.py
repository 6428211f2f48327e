"""The REST API: tokens with scopes, cases and contacts, cursor pages, JSON errors."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from cases.models import Status
from tests.factories import CaseFactory, ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db


def token(*scopes, **fields) -> str:
    made = ApiToken(name="Shop", scopes=list(scopes), **fields)
    key = made.issue()
    made.save()
    return key


def get(client, name, key=None, *args, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(reverse(f"api:{name}", args=args), params, **headers)


@pytest.fixture
def cases(agent):
    maria = ContactFactory(name="Maria Garcia", email="maria@acme.example")
    now = timezone.now()
    made = [
        CaseFactory(
            contact=maria,
            subject=f"Case {n}",
            assignee=agent,
            status=Status.OPEN if n % 2 else Status.CLOSED,
            created_at=now - timedelta(minutes=n),
        )
        for n in range(5)
    ]
    return maria, made


def test_a_token_with_the_scope_lists_cases_newest_first(client, cases):
    key = token("cases:read")

    answer = get(client, "cases", key)

    assert answer.status_code == 200
    assert [row["subject"] for row in answer.json()["results"]] == [f"Case {n}" for n in range(5)]
    assert answer.json()["results"][0]["contact_email"] == "maria@acme.example"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer hd_wrong", "Bearer", "Token abc", "Bearer a b"],
)
def test_without_a_valid_token_nothing_is_shown(client, cases, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}

    answer = client.get(reverse("api:cases"), **headers)

    assert answer.status_code in (401, 403)
    assert "results" not in answer.json()


@pytest.mark.parametrize(
    "fields",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(seconds=1)},
    ],
)
def test_a_revoked_or_expired_token_is_refused_as_a_wrong_one(client, cases, fields):
    answer = get(client, "cases", token("cases:read", **fields))

    assert answer.status_code == 401
    assert answer.json() == {"detail": "The token is not valid."}
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_token_without_the_scope_is_refused_before_anything_is_looked_up(client, cases):
    key = token("contacts:read")

    listing = get(client, "cases", key)
    one = get(client, "case", key, cases[1][0].reference)
    missing = get(client, "case", key, "HD-999999")

    assert listing.status_code == one.status_code == missing.status_code == 403
    assert one.json() == missing.json()  # nothing said of whether it exists


def test_a_case_is_read_with_its_messages(client, cases, agent):
    case = cases[1][0]
    MessageFactory(case=case, author_contact=case.contact, body="It smokes")
    key = token("cases:read")

    answer = get(client, "case", key, case.reference)

    assert answer.json()["reference"] == case.reference
    assert [m["body"] for m in answer.json()["messages"]] == ["It smokes"]
    assert get(client, "case", key, "HD-999999").status_code == 404
    assert get(client, "case", key, "nonsense").status_code == 404


def test_the_queue_filters_apply_and_a_bad_one_is_a_json_error(client, cases):
    key = token("cases:read")

    open_only = get(client, "cases", key, status="open")
    bad = get(client, "cases", key, status="exploded")

    assert {row["status"] for row in open_only.json()["results"]} == {"open"}
    assert bad.status_code == 400 and "status" in bad.json()


def test_pages_follow_a_cursor_and_new_cases_do_not_shift_them(client, cases, agent):
    key = token("cases:read")
    first = get(client, "cases", key, page_size=2).json()

    CaseFactory(subject="Newer", assignee=agent)  # comes in while a client pages
    second = client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {key}").json()

    assert [row["subject"] for row in first["results"]] == ["Case 0", "Case 1"]
    assert [row["subject"] for row in second["results"]] == ["Case 2", "Case 3"]


@pytest.mark.parametrize("size", [5, 40])
def test_a_list_runs_the_same_queries_whatever_its_size(client, agent, size):
    CaseFactory.create_batch(size, assignee=agent)
    key = token("cases:read")
    get(client, "cases", key)  # warm

    with CaptureQueriesContext(connection) as queries:
        answer = get(client, "cases", key, page_size=50)

    assert len(answer.json()["results"]) == size
    assert len(queries) == 2  # the token (its last use is recent: not written), the page


def test_contacts_by_email_and_their_cases(client, cases):
    maria, made = cases
    ContactFactory(name="Ben Okafor", email="ben@other.example")
    key = token("contacts:read", "cases:read")

    found = get(client, "contacts", key, email="MARIA@acme.example").json()["results"]
    theirs = get(client, "contact_cases", key, maria.pk).json()["results"]

    assert [contact["name"] for contact in found] == ["Maria Garcia"]
    assert len(theirs) == 5
    assert get(client, "contact", key, maria.pk).json()["email"] == "maria@acme.example"


def test_a_token_records_its_last_use(client, cases):
    key = token("cases:read")

    get(client, "cases", key)

    assert ApiToken.objects.get().last_used_at is not None


def test_an_agent_signed_in_on_the_desk_may_read_by_its_session(client, agent, cases):
    client.force_login(agent.user)

    assert get(client, "cases").status_code == 200


def test_a_user_who_is_not_an_agent_gets_nothing(client, non_agent, cases):
    client.force_login(non_agent)

    assert get(client, "cases").status_code == 401  # a session counts only for agents


def test_the_schema_and_its_docs_are_served_from_here(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get(reverse("api:docs"))

    assert schema.status_code == 200 and b"/api/v1/cases/" in schema.content
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/api/v1/contacts/{id}/cases/" in page and "page_size" in page
    assert "<script" not in page.split("</nav>", 1)[1].replace(
        '<script src="/static/bootstrap/js/bootstrap.bundle.min.js"></script>', ""
    )


def test_a_manager_makes_a_token_sees_its_key_once_and_revokes_it(client, manager, cases):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from audit.log import Action
    from audit.models import AuditEntry

    client.force_login(manager.user)
    made = client.post(
        reverse("admin:api_apitoken_add"),
        {"name": "Shop", "scopes": ["cases:read"], "expires_at": ""},
        follow=True,
    )
    key = re.search(r"(hd_[0-9a-f]{8}_[\w-]+)", made.content.decode()).group(1)
    saved = ApiToken.objects.get()

    assert key not in str(saved.__dict__) and saved.key_hash != key
    assert get(client, "cases", key).status_code == 200
    assert (
        key
        not in client.get(reverse("admin:api_apitoken_change", args=[saved.pk])).content.decode()
    )
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", ACTION_CHECKBOX_NAME: [saved.pk]},
    )
    client.logout()
    assert get(client, "cases", key).status_code == 401
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert Action.ADMIN_ADDED in actions and Action.ADMIN_CHANGED in actions
    assert not any(key in entry.detail for entry in AuditEntry.objects.all())


def post_case(client, key, data, **headers):
    return client.post(
        reverse("api:cases"),
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **headers,
    )


NEW_CASE = {
    "email": "Maria@Acme.example",
    "name": "Maria Garcia",
    "subject": "Order 1234 failed",
    "message": "The payment went through but the order failed.",
}


def test_an_integration_opens_a_case_as_the_contact_form_would(client, agent, cases):
    from cases.models import Case, CaseEvent
    from outbox.models import OutboundEmail

    maria, _ = cases
    key = token("cases:write", "cases:read")

    answer = post_case(client, key, NEW_CASE)

    assert answer.status_code == 201
    case = Case.objects.get(subject="Order 1234 failed")
    assert case.contact == maria  # found by address, in any case
    assert case.messages.get().body == NEW_CASE["message"]
    assert case.assignee is not None  # routed
    created = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CREATED)
    assert "“Shop”" in created.detail
    assert OutboundEmail.objects.filter(case=case, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).exists()


def test_a_read_token_cannot_open_a_case(client, cases):
    from cases.models import Case

    before = Case.objects.count()

    assert post_case(client, token("cases:read"), NEW_CASE).status_code == 403
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"message": ""}, "message"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": 9}, "priority"),
        ({"category": 424242}, "category"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_stored(client, cases, change, field):
    from cases.models import Case

    before = Case.objects.count()

    answer = post_case(client, token("cases:write"), {**NEW_CASE, **change})

    assert answer.status_code == 400
    assert field in answer.json()
    assert Case.objects.count() == before


def test_an_idempotency_key_never_makes_a_second_case(client, agent, cases):
    from cases.models import Case

    key = token("cases:write")
    first = post_case(client, key, NEW_CASE, HTTP_IDEMPOTENCY_KEY="order-1234")
    again = post_case(client, key, NEW_CASE, HTTP_IDEMPOTENCY_KEY="order-1234")
    other = post_case(client, token("cases:write"), NEW_CASE, HTTP_IDEMPOTENCY_KEY="order-1234")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json()["reference"] == first.json()["reference"]
    assert again["Idempotent-Replayed"] == "true"
    assert other.json()["reference"] != first.json()["reference"]  # another integration's
    assert Case.objects.filter(subject="Order 1234 failed").count() == 2


def test_past_its_rate_a_token_gets_429_with_retry_after(client, settings, cases):
    settings.API_REQUESTS_PER_MINUTE = 3
    key, other = token("cases:read"), token("cases:read")

    # Ten seconds into a minute: the window does not turn during the test.
    with time_machine.travel(datetime(2026, 11, 29, 12, 0, 10, tzinfo=UTC), tick=False):
        answers = [get(client, "cases", key).status_code for _ in range(4)]
        refused = get(client, "cases", key)
        assert get(client, "cases", other).status_code == 200  # each token its own

    assert answers == [200, 200, 200, 429]
    assert refused["Retry-After"] == "50"


def send(client, method, name, key, data, *args):
    return getattr(client, method)(
        reverse(f"api:{name}", args=args),
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_an_integration_makes_a_contact_or_finds_the_one_with_that_address(client, cases):
    from contacts.models import Contact

    maria, _ = cases
    key = token("contacts:write")

    made = send(
        client,
        "post",
        "contacts",
        key,
        {"name": " Ben  Okafor ", "email": "ben@other.example", "organization": "Globex"},
    )
    found = send(
        client, "post", "contacts", key, {"name": "Someone Else", "email": "MARIA@acme.example"}
    )

    assert made.status_code == 201
    assert (made.json()["name"], made.json()["organization"]) == ("Ben Okafor", "Globex")
    assert found.status_code == 200 and found.json()["id"] == maria.pk
    assert Contact.objects.get(pk=maria.pk).name == "Maria Garcia"  # kept as on file


def test_an_integration_corrects_a_contact_and_an_address_taken_is_refused(client, cases):
    from contacts.models import Contact

    maria, _ = cases
    ContactFactory(email="taken@acme.example")
    key = token("contacts:write", "contacts:read")

    fixed = send(client, "patch", "contact", key, {"phone": "+34 600"}, maria.pk)
    taken = send(client, "patch", "contact", key, {"email": "TAKEN@acme.example"}, maria.pk)
    blank = send(client, "patch", "contact", key, {"name": "  "}, maria.pk)

    assert fixed.status_code == 200 and fixed.json()["phone"] == "+34 600"
    assert taken.status_code == 400 and "email" in taken.json()
    assert blank.status_code == 400 and "name" in blank.json()
    assert Contact.objects.get(pk=maria.pk).email == "maria@acme.example"


def test_a_read_token_cannot_write_contacts(client, cases):
    maria, _ = cases
    key = token("contacts:read")

    assert (
        send(client, "post", "contacts", key, {"name": "B", "email": "b@x.example"}).status_code
        == 403
    )
    assert send(client, "patch", "contact", key, {"phone": "1"}, maria.pk).status_code == 403


def test_an_erased_contact_is_not_written_again(client, cases, manager):
    from cases.personal_data import contact_erase

    maria, _ = cases
    contact_erase(contact=maria, actor=manager.user)

    answer = send(client, "patch", "contact", token("contacts:write"), {"name": "Maria"}, maria.pk)

    assert answer.status_code == 400


def test_a_token_asking_for_its_own_cases_is_told_to_give_an_id(client, cases):
    answer = get(client, "cases", token("cases:read"), assignee="me")

    assert answer.status_code == 400 and "assignee" in answer.json()


def test_a_new_contact_made_meanwhile_by_another_request_is_found_on_the_retry(
    client, agent, monkeypatch
):
    from django.db import IntegrityError

    from cases import intake
    from cases.models import Case

    real = intake.case_open_from_api
    calls = []

    def first_collides(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("duplicate key value violates unique constraint (contact)")
        return real(**kwargs)

    monkeypatch.setattr(intake, "case_open_from_api", first_collides)

    answer = post_case(client, token("cases:write"), NEW_CASE)

    assert answer.status_code == 201 and len(calls) == 2
    assert Case.objects.filter(subject="Order 1234 failed").count() == 1


def test_the_schema_is_valid_openapi_with_no_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")

    assert "/api/v1/cases/{reference}/replies/" in (tmp_path / "s.yml").read_text()


@pytest.mark.parametrize("param", ["q", "email"])
def test_a_null_character_in_a_contact_search_is_a_json_error(client, cases, param):
    answer = get(client, "contacts", token("contacts:read"), **{param: "ma\x00ria"})

    assert answer.status_code == 400
    assert param in answer.json()
