import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Priority, Status
from contacts.models import Organization, OwnerChange
from tests.factories import AgentFactory, CaseFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def contact_page(client, contact):
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.status_code == 200
    return response


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def maria(agent, other_agent):
    """Maria, owned by Ana, whose backup is Ben."""
    agent.backup = other_agent
    agent.save()
    return ContactFactory(
        name="Maria Garcia",
        email="maria@customer.example",
        phone="+34 600 111 222",
        organization=OrganizationFactory(name="Acme Rockets"),
        language="es",
        owner=agent,
    )


def test_contact_page_shows_details_owner_backup_and_organization(agent_client, maria):
    page = contact_page(agent_client, maria).content.decode()

    for shown in ("Maria Garcia", "maria@customer.example", "+34 600 111 222", "Acme Rockets"):
        assert shown in page
    assert "Spanish" in page or "Español" in page
    assert "Ana Silva" in page
    assert "Ben Carter" in page
    assert "away until" not in page


def test_contact_page_says_when_the_owner_is_away(agent_client, agent, maria):
    assert "away until" not in contact_page(agent_client, maria).content.decode()
    agent.away_until = timezone.now() + timedelta(days=3)
    agent.save()

    assert "away until" in contact_page(agent_client, maria).content.decode()


def owners_offered(client, contact) -> list[str]:
    html = client.get(reverse("contacts:change_owner", args=[contact.pk])).content.decode()
    select = re.search(r'<select[^>]*id="id_new_owner"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_the_owner_form_names_each_agents_team_and_who_is_away_now(
    agent_client, agent, other_agent, maria
):
    loner = AgentFactory(user__first_name="Lee", user__last_name="Loner", team=None)
    assert owners_offered(agent_client, maria) == [
        "Choose an agent",
        "Ana Silva (Customer Care)",
        "Ben Carter (Customer Care)",
        "Lee Loner",
    ]

    # a change to an agent shows on the next view; an absence that has ended is not shown
    other_agent.away_until = timezone.now() + timedelta(hours=1)
    other_agent.save()
    loner.away_until = timezone.now() - timedelta(minutes=1)
    loner.save()

    assert owners_offered(agent_client, maria)[2:] == [
        "Ben Carter (Customer Care) · away",
        "Lee Loner",
    ]


def test_contact_without_owner_says_so(agent_client):
    contact = ContactFactory(name="New Person")

    assert "None yet" in contact_page(agent_client, contact).content.decode()


def test_contact_page_lists_all_their_cases_newest_first_and_nobody_elses(
    agent_client, other_agent, maria
):
    now = timezone.now()
    old = CaseFactory(contact=maria, status=Status.CLOSED, created_at=now - timedelta(days=40))
    middle = CaseFactory(
        contact=maria, priority=Priority.URGENT, created_at=now - timedelta(days=2)
    )
    new = CaseFactory(contact=maria, assignee=other_agent, status=Status.WAITING, created_at=now)
    CaseFactory(subject="Somebody else's case")

    response = contact_page(agent_client, maria)

    assert list(response.context["page"]) == [new, middle, old]
    assert response.context["open_cases"] == 2
    page = response.content.decode()
    assert reverse("cases:detail", args=[new.reference]) in page
    assert new.subject in page
    assert "badge-status-waiting" in page
    assert "Urgent" in page
    assert "Somebody else" not in page


def test_a_case_row_is_escaped_named_and_dated_in_the_desks_time_zone(
    agent_client, other_agent, maria, settings
):
    settings.TIME_ZONE = "Pacific/Auckland"  # 13 hours ahead of UTC in late November
    at = timezone.make_aware(datetime(2026, 11, 28, 12, 30), UTC)
    case = CaseFactory(contact=maria, subject="<b>Broken</b> & late", created_at=at)
    CaseFactory(contact=maria, assignee=other_agent, created_at=at - timedelta(days=400))

    page = contact_page(agent_client, maria).content.decode()
    rows = re.findall(r'<tr data-reference="[^"]+">.*?</tr>', page, re.S)

    assert len(rows) == 2
    assert "&lt;b&gt;Broken&lt;/b&gt; &amp; late" in rows[0] and "<b>" not in rows[0]
    assert f'href="/desk/cases/{case.reference}/"' in rows[0]
    assert "Unassigned" in rows[0] and "29 Nov 2026" in rows[0]
    assert "Ben Carter" in rows[1] and "25 Oct 2025" in rows[1]


def test_contact_page_shows_who_changed_the_owner_when_and_why(
    agent_client, agent, other_agent, manager, maria
):
    OwnerChange.objects.create(
        contact=maria, previous_owner=None, new_owner=agent, actor=None, reason=""
    )
    OwnerChange.objects.create(
        contact=maria,
        previous_owner=agent,
        new_owner=other_agent,
        actor=manager.user,
        reason="Ana moved to <b>billing</b>",
    )

    response = contact_page(agent_client, maria)

    history = response.content.decode().split('id="owner-history"')[1]
    assert "Ana Silva → Ben Carter</strong> by Maya" in history
    assert "Ana moved to &lt;b&gt;billing&lt;/b&gt;" in history
    assert "no owner → Ana Silva" in history
    assert history.index("Ben Carter") < history.index("no owner")


def test_the_owner_page_offers_active_agents_and_moves_cases_by_default(agent_client, maria):
    AgentFactory(user__first_name="Gone", user__last_name="Agent", user__is_active=False)
    owner_page = reverse("contacts:change_owner", args=[maria.pk])

    shown = contact_page(agent_client, maria).content.decode()
    response = agent_client.get(owner_page)

    assert f'href="{owner_page}"' in shown and 'name="new_owner"' not in shown
    form = response.context["owner_form"]
    assert "Gone Agent" not in response.content.decode()
    assert "Ben Carter (Customer Care)" in response.content.decode()
    assert form["move_open_cases"].value() is True
    assert f'action="{owner_page}"' in response.content.decode()


@pytest.mark.parametrize("cases", [3, 200])
def test_contact_page_runs_constant_queries(
    agent_client, agent, other_agent, maria, cases, assert_queries
):
    agents = [agent, other_agent, *AgentFactory.create_batch(3)]
    for number in range(cases):
        CaseFactory(contact=maria, assignee=agents[number % 5], status=list(Status)[number % 5])
    for previous, new in zip(agents, agents[1:], strict=False):
        OwnerChange.objects.create(
            contact=maria, previous_owner=previous, new_owner=new, actor=agent.user
        )
    # session with user, agent, team and unread count, contact with organization, owner
    # and the counts of cases and open cases, a page of 25 cases, owner history with actor;
    # the desk's kept lists (agents with names, teams and absences; teams; categories) name the
    # owner, backup, assignees and owners in the history, and fill the owner form (the
    # organization is typed). The first view reads the lists, the next takes them kept.
    with assert_queries(7):
        contact_page(agent_client, maria)
    with assert_queries(4):
        page = contact_page(agent_client, maria).content.decode()
    assert page.count("Ana Silva → Ben Carter") == 1
    assert page.count('<tr data-reference="') == min(cases, 25)


def test_an_agent_corrects_a_contacts_details_on_the_desk(client, agent):
    contact = ContactFactory(name="Maria Garsia", email="maria@customer.example")
    client.force_login(agent.user)

    response = client.post(
        reverse("contacts:edit_details", args=[contact.pk]),
        {
            "name": " Maria  Garcia ",
            "email": "maria.garcia@customer.example",
            "phone": "+34 600",
            "organization": "",
            "language": "es",
        },
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone, contact.language) == (
        "Maria Garcia",
        "maria.garcia@customer.example",
        "+34 600",
        "es",
    )


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("email", "TOM@customer.example", "Another contact already has this address."),
        ("email", "not-an-address", "Enter a valid email address."),
        ("name", "   ", "This field is required."),
        ("language", "xx", "Select a valid choice."),
        ("organization", "A" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(client, agent, field, value, error):
    ContactFactory(email="tom@customer.example")
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example")
    client.force_login(agent.user)
    data = {
        "name": "Maria Garcia",
        "email": "maria@customer.example",
        "phone": "",
        "organization": "",
        "language": "en",
        field: value,
    }

    response = client.post(reverse("contacts:edit_details", args=[contact.pk]), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Maria Garcia", "maria@customer.example")


def test_only_agents_edit_contacts(client, non_agent):
    contact = ContactFactory()
    client.force_login(non_agent)

    response = client.post(reverse("contacts:edit_details", args=[contact.pk]), {"name": "X"})

    assert response.status_code == 403


def test_a_long_history_comes_25_cases_a_page_newest_first(agent_client, maria):
    made = [CaseFactory(contact=maria) for _ in range(27)]

    first = agent_client.get(reverse("contacts:detail", args=[maria.pk]))
    second = agent_client.get(reverse("contacts:detail", args=[maria.pk]), {"page": 2})

    assert first.context["case_count"] == 27
    assert [case.pk for case in first.context["page"]] == [case.pk for case in made[:-26:-1]]
    assert [case.pk for case in second.context["page"]] == [made[1].pk, made[0].pk]
    assert "27 cases" in first.content.decode()


def details(client, contact, organization):
    return client.post(
        reverse("contacts:edit_details", args=[contact.pk]),
        {
            "name": contact.name,
            "email": contact.email,
            "phone": "",
            "organization": organization,
            "language": "en",
        },
    )


def test_the_organization_is_typed_found_whatever_its_case_or_made(client, agent):
    acme = OrganizationFactory(name="Acme Ltd")
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example")
    client.force_login(agent.user)

    assert details(client, contact, "  acme   ltd ").status_code == 302
    contact.refresh_from_db()
    assert contact.organization == acme

    assert details(client, contact, "Globex").status_code == 302
    contact.refresh_from_db()
    assert contact.organization.name == "Globex"
    assert Organization.objects.count() == 2

    assert details(client, contact, "").status_code == 302
    contact.refresh_from_db()
    assert contact.organization is None


def test_the_form_shows_the_organization_by_name(client, agent):
    contact = ContactFactory(organization=OrganizationFactory(name="Acme Ltd"))
    client.force_login(agent.user)

    page = client.get(reverse("contacts:edit_details", args=[contact.pk])).content.decode()

    assert 'name="organization" value="Acme Ltd"' in page
    assert "<option" not in page.split('id="edit-details"', 1)[1].split("language", 1)[0]


def test_the_details_are_edited_on_a_page_of_their_own(client, agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", phone="+34 6")
    client.force_login(agent.user)
    edit = reverse("contacts:edit_details", args=[contact.pk])

    shown = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    page = client.get(edit)

    assert f'href="{edit}"' in shown and 'name="email"' not in shown
    assert page.status_code == 200
    form = page.content.decode().split('id="edit-details"', 1)[1]
    assert 'name="name" value="Maria Garcia"' in form
    assert 'name="email" value="maria@customer.example"' in form
    assert 'name="phone" value="+34 6"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert client.get(reverse("contacts:edit_details", args=[contact.pk + 1000])).status_code == 404


def test_only_agents_open_the_edit_page(client, non_agent):
    contact = ContactFactory()
    client.force_login(non_agent)

    assert client.get(reverse("contacts:edit_details", args=[contact.pk])).status_code == 403


def test_an_organization_name_with_markup_is_stored_and_shown_as_text(client, agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example")
    client.force_login(agent.user)

    details(client, contact, "<script>alert(1)</script> Ltd")
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()

    assert Organization.objects.get().name == "<script>alert(1)</script> Ltd"
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in page


def test_a_page_asked_for_with_markup_is_the_first_and_the_markup_goes_nowhere(agent_client, maria):
    for _ in range(27):
        CaseFactory(contact=maria)

    response = agent_client.get(
        reverse("contacts:detail", args=[maria.pk]),
        {"page": "<script>alert(1)</script>", "q": '"><b>x</b>'},
    )

    page = response.content.decode()
    assert response.status_code == 200 and response.context["page"].number == 1
    assert "<script>alert(1)" not in page and "<b>x</b>" not in page
    assert (
        "?page=2&amp;q=%22%3E%3Cb%3Ex%3C%2Fb%3E" in page
        or "q=%22%3E%3Cb%3Ex%3C%2Fb%3E&amp;page=2" in page
    )
