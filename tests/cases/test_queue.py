import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, Channel, Priority, SavedView, Status
from tests.factories import (
    AgentFactory,
    CaseFactory,
    CategoryFactory,
    ContactFactory,
    OrganizationFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def shown(client, **params):
    response = client.get(reverse("cases:queue"), params)
    assert response.status_code == 200
    return [case.subject for case in response.context["page"]]


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def test_default_view_is_my_open_cases(desk, agent, other_agent):
    CaseFactory(assignee=agent, subject="Mine")
    CaseFactory(assignee=agent, status=Status.WAITING, subject="Mine, waiting")
    CaseFactory(assignee=agent, status=Status.RESOLVED, subject="Mine, resolved")
    CaseFactory(assignee=other_agent, subject="Ben's")
    CaseFactory(team=agent.team, subject="Unassigned")

    assert sorted(shown(desk)) == ["Mine", "Mine, waiting"]


def test_unassigned_in_my_team_view(desk, agent):
    CaseFactory(team=agent.team, subject="Ours")
    CaseFactory(team=TeamFactory(), subject="Theirs")
    CaseFactory(assignee=agent, team=agent.team, subject="Mine")

    query = dict(assignee="none", team=agent.team_id, status=["new", "open", "waiting"])
    assert shown(desk, **query) == ["Ours"]


def test_filters_combine(desk, agent, other_agent):
    category = CategoryFactory()
    match = CaseFactory(
        assignee=other_agent,
        status=Status.OPEN,
        priority=Priority.HIGH,
        category=category,
        channel=Channel.PHONE,
        subject="The one",
    )
    CaseFactory(assignee=other_agent, status=Status.OPEN, priority=Priority.LOW, category=category)
    CaseFactory(assignee=other_agent, status=Status.CLOSED, priority=Priority.HIGH)
    CaseFactory(assignee=agent, status=Status.OPEN, priority=Priority.HIGH, category=category)

    assert shown(
        desk,
        status=["open", "waiting"],
        priority=["3", "4"],
        assignee=str(other_agent.pk),
        category=category.pk,
        channel="phone",
        team=match.team_id or "",
    ) == ["The one"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("printer", ["Printer on fire"]),
        ("PRINTER fire", ["Printer on fire"]),
        ("maria", ["Printer on fire"]),
        ("acme.example", ["Printer on fire"]),
        ("nothing like it", []),
        ("'; DROP TABLE cases_case; --", []),
        ("%", []),
        ("x" * 500, []),
    ],
)
def test_free_text_searches_subject_contact_name_and_email(desk, query, expected):
    contact = ContactFactory(name="Maria Garcia", email="maria@acme.example")
    CaseFactory(contact=contact, subject="Printer on fire")
    # A fixed name: a made-up one can hold "maria" too (Mariana, Rosemaria).
    CaseFactory(
        subject="Something else", contact__name="Ben Okafor", contact__email="ben@other.example"
    )

    assert shown(desk, q=query) == expected


def test_free_text_finds_a_reference(desk):
    case = CaseFactory(subject="Wanted")
    CaseFactory(subject="Other")

    assert shown(desk, q=case.reference.lower()) == ["Wanted"]


def test_response_time_filter_and_due_sort(desk):
    now = timezone.now()
    CaseFactory(subject="Overdue", due_at=now - timedelta(minutes=5))
    CaseFactory(subject="Soon", due_at=now + timedelta(minutes=30))
    CaseFactory(subject="Later", due_at=now + timedelta(hours=5))
    CaseFactory(subject="No target")

    assert shown(desk, due="overdue") == ["Overdue"]
    assert shown(desk, due="soon") == ["Soon"]
    assert shown(desk, due="on_track") == ["Later"]
    assert shown(desk, status="new", sort="due") == ["Overdue", "Soon", "Later", "No target"]


def test_sort_by_priority_update_and_age(desk):
    old = CaseFactory(subject="Old", priority=Priority.LOW)
    old.created_at = timezone.now() - timedelta(days=3)
    old.last_activity_at = timezone.now()
    old.save()
    CaseFactory(
        subject="Urgent",
        priority=Priority.URGENT,
        last_activity_at=timezone.now() - timedelta(hours=1),
    )

    assert shown(desk, status="new", sort="-priority") == ["Urgent", "Old"]
    assert shown(desk, status="new", sort="created") == ["Old", "Urgent"]
    assert shown(desk, status="new", sort="-updated") == ["Old", "Urgent"]


def test_created_between_filter(desk):
    old = CaseFactory(subject="Last month")
    old.created_at = timezone.now() - timedelta(days=30)
    old.save()
    CaseFactory(subject="Today")
    since = (timezone.now() - timedelta(days=2)).date().isoformat()

    assert shown(desk, status="new", created_after=since) == ["Today"]


def test_invalid_filters_give_the_form_back_not_an_error(desk):
    response = desk.get(reverse("cases:queue"), {"status": "bogus", "created_after": "nope"})

    assert response.status_code == 200
    assert "status" in response.context["filter"].form.errors


def test_rows_show_contact_organization_assignee_and_last_activity(desk, agent):
    contact = ContactFactory(name="Maria Garcia", organization=OrganizationFactory(name="Acme"))
    case = CaseFactory(contact=contact, assignee=agent, last_activity_by="Maria Garcia")

    page = desk.get(reverse("cases:queue")).content.decode()

    for text in (case.reference, case.subject, "Maria Garcia", "Acme", "Ana Silva", "New"):
        assert text in page


def test_unassigned_and_overdue_rows_stand_out(desk, agent):
    CaseFactory(team=agent.team, due_at=timezone.now() - timedelta(hours=1))

    page = desk.get(reverse("cases:queue"), {"status": "new"}).content.decode()

    assert "queue-row-unassigned" in page
    assert "queue-row-overdue" in page


def test_pages_hold_25_rows_and_keep_the_filters(desk, agent):
    CaseFactory.create_batch(30, assignee=agent)

    first = desk.get(reverse("cases:queue"))
    second = desk.get(reverse("cases:queue"), {"assignee": "me", "status": "new", "page": 2})

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5
    # The default view's page links name its filters, as the "My open" link does.
    assert "?assignee=me&amp;status=new&amp;status=open&amp;status=waiting&amp;page=2" in (
        first.content.decode()
    )


def test_the_page_two_link_keeps_every_filter_and_leads_to_the_rest_of_them(desk, agent):
    start = timezone.now() - timedelta(hours=1)
    for number in range(30):
        CaseFactory(
            assignee=agent,
            priority=Priority.URGENT,
            subject=f"Printer {number:02d}",
            created_at=start + timedelta(minutes=number),
        )
    CaseFactory(assignee=agent, priority=Priority.LOW, subject="Printer, not urgent")
    CaseFactory(assignee=agent, priority=Priority.URGENT, subject="Scanner")
    # As the filter form sends them: its empty fields included, which the links leave out.
    filters = {"q": "printer", "assignee": "me", "priority": "4", "status": ["new", "open"]}
    filters |= {"team": "", "category": "", "sort": "created"}

    first = desk.get(reverse("cases:queue"), filters).content.decode()
    link = "?q=printer&amp;assignee=me&amp;priority=4&amp;status=new&amp;status=open"
    link += "&amp;sort=created&amp;page=2"
    assert f'href="{link}"' in first

    second = desk.get(reverse("cases:queue") + link.replace("&amp;", "&"))
    assert [case.subject for case in second.context["page"]] == [
        f"Printer {number:02d}" for number in range(25, 30)
    ]
    assert f'aria-current="page" href="{link}"' in second.content.decode()


@pytest.mark.parametrize("rows", [5, 100])
def test_queue_runs_constant_queries(client, agent, rows, assert_queries):
    organization = OrganizationFactory()
    CaseFactory.create_batch(rows, assignee=agent, contact__organization=organization)
    CaseFactory.create_batch(rows, team=agent.team, category=CategoryFactory())
    SavedView.objects.create(agent=agent, name="Mine", query="assignee=me")
    client.force_login(agent.user)
    # session with user, agent, team and unread count, agents (for the assignee filter and the
    # bulk form), count, saved views, teams and categories for the filter form, page of cases
    # with contact/organization/assignee/team/category
    with assert_queries(7):
        assert client.get(reverse("cases:queue"), {"status": "new"}).status_code == 200


def test_agent_saves_and_removes_a_named_view(desk, agent, other_agent):
    response = desk.post(
        reverse("cases:saved_view_create"), {"name": "Urgent ones", "query": "priority=4"}
    )

    view = SavedView.objects.get(agent=agent)
    assert (view.name, view.query) == ("Urgent ones", "priority=4")
    assert response.url == "/desk/?priority=4"
    assert "Urgent ones" in desk.get(reverse("cases:queue")).content.decode()

    desk.post(reverse("cases:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_saved_view_needs_a_name(desk):
    desk.post(reverse("cases:saved_view_create"), {"name": "", "query": "priority=4"})

    assert not SavedView.objects.exists()


def test_an_agent_cannot_remove_another_agents_view(desk, other_agent):
    view = SavedView.objects.create(agent=other_agent, name="Ben's", query="")

    assert desk.post(reverse("cases:saved_view_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_claim_assigns_an_unassigned_case_to_me(desk, agent):
    case = CaseFactory(team=agent.team)

    desk.post(reverse("cases:claim", args=[case.reference]), {"next": "/desk/?status=new"})

    case.refresh_from_db()
    assert case.assignee == agent
    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert event.detail == (
        "Assignee: unassigned → Ana Silva. Claimed. Ana Silva becomes the contact's owner."
    )
    assert case.contact.owner == agent
    assert event.actor == agent.user


def test_claim_refuses_a_case_someone_else_has(desk, agent, other_agent):
    case = CaseFactory(assignee=other_agent)

    response = desk.post(reverse("cases:claim", args=[case.reference]), follow=True)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert "already with Ben Carter" in response.content.decode()


def test_claim_does_not_follow_an_outside_next_url(desk, agent):
    case = CaseFactory()

    response = desk.post(
        reverse("cases:claim", args=[case.reference]), {"next": "https://evil.example/"}
    )

    assert response.url == reverse("cases:queue")


def bulk(desk, cases, **data):
    return desk.post(
        reverse("cases:bulk"), {"cases": [case.pk for case in cases], **data}, follow=True
    )


def test_bulk_assign_status_priority_and_close(desk, agent, other_agent):
    cases = CaseFactory.create_batch(3, assignee=agent)

    bulk(desk, cases, action="assign", assignee=other_agent.pk)
    bulk(desk, cases[:2], action="status", status="waiting")
    bulk(desk, cases[:1], action="priority", priority="4")
    response = bulk(desk, cases[2:], action="close")

    assert "Changed 1 of 1 selected cases." in response.content.decode()
    for case in cases:
        case.refresh_from_db()
    assert [case.assignee for case in cases] == [other_agent] * 3
    assert [case.status for case in cases] == ["waiting", "waiting", "closed"]
    assert cases[0].priority == Priority.URGENT
    assert cases[2].closed_at is not None
    kinds = sorted(CaseEvent.objects.filter(case=cases[0]).values_list("kind", flat=True))
    assert kinds == ["assigned", "priority", "status"]


def test_bulk_with_no_rows_is_refused(desk):
    response = bulk(desk, [], action="close")

    assert "Select at least one case." in response.content.decode()


def test_bulk_assign_without_an_agent_is_refused(desk, agent):
    case = CaseFactory(assignee=agent)

    response = bulk(desk, [case], action="assign")

    assert "Choose the agent to assign to." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == agent


def test_bulk_with_an_unknown_case_changes_nothing(desk, agent):
    case = CaseFactory(assignee=agent)

    response = desk.post(
        reverse("cases:bulk"), {"cases": [case.pk, 999999], "action": "close"}, follow=True
    )

    case.refresh_from_db()
    assert case.status == Status.NEW
    assert "Select a valid choice" in response.content.decode()


def test_desk_post_views_need_an_agent(client, non_agent):
    case = CaseFactory()
    urls = [
        reverse("cases:claim", args=[case.reference]),
        reverse("cases:bulk"),
        reverse("cases:saved_view_create"),
    ]
    for url in urls:
        assert client.post(url).status_code == 302
    client.force_login(non_agent)
    for url in urls:
        assert client.post(url).status_code == 403


def test_bulk_changes_leave_merged_cases_closed(desk, agent):
    target = CaseFactory(assignee=agent)
    merged = CaseFactory(assignee=agent, status=Status.CLOSED, merged_into=target)

    bulk(desk, [merged, target], action="status", status="open")

    merged.refresh_from_db()
    target.refresh_from_db()
    assert merged.status == Status.CLOSED
    assert target.status == Status.OPEN


def test_a_column_header_sorts_by_it_and_a_second_click_reverses(desk, agent):
    from tests.factories import CaseFactory as Factory

    low = Factory(assignee=agent, subject="Low one", priority=Priority.LOW)
    urgent = Factory(assignee=agent, subject="Urgent one", priority=Priority.URGENT)

    page = desk.get(reverse("cases:queue"), {"status": "new", "q": "one"}).content.decode()
    queue = reverse("cases:queue")
    link = re.search(r'href="(\?[^"]*sort=-priority[^"]*)"', page).group(1).replace("&amp;", "&")
    first = desk.get(queue + link)
    reverse_link = re.search(r'href="(\?[^"]*sort=priority[^"]*)"', first.content.decode())
    second = desk.get(queue + reverse_link.group(1).replace("&amp;", "&"))

    assert "q=one" in link and "status=new" in link  # the filters stay
    assert [c.pk for c in first.context["page"]] == [urgent.pk, low.pk]
    assert 'aria-sort="descending"' in first.content.decode()
    assert [c.pk for c in second.context["page"]] == [low.pk, urgent.pk]


def test_the_bulk_form_offers_the_active_agents_read_once_for_the_page(desk, agent, other_agent):
    CaseFactory(assignee=agent, team=agent.team)
    gone = AgentFactory(team=agent.team, user__first_name="Gone", user__is_active=False)

    page = desk.get(reverse("cases:queue")).content.decode()
    bulk = page.split('id="bulk-form"', 1)[1]
    options = bulk.split('name="assignee"', 1)[1].split("</select>", 1)[0]

    assert f'<option value="{agent.pk}">{agent.name}</option>' in options
    assert f'<option value="{other_agent.pk}">{other_agent.name}</option>' in options
    assert f'value="{gone.pk}"' not in options


def test_rows_escape_what_people_typed(desk, agent):
    hostile = "<script>alert(\"x\")</script> & 'quoted'"
    contact = ContactFactory(name=hostile, organization=OrganizationFactory(name=hostile))
    CaseFactory(assignee=agent, team=agent.team, contact=contact, subject=hostile)
    CaseFactory(team=agent.team, contact=contact, subject=hostile)  # with the claim form
    AgentFactory(team=agent.team)

    html = desk.get(reverse("cases:queue"), {"team": agent.team_id}).content.decode()

    assert "<script>" not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;"
    assert html.count(escaped) == 6  # subject, contact and organization of each row


def test_rows_say_status_priority_and_due_time_in_the_pages_language(desk, agent):
    due = timezone.make_aware(timezone.datetime(2030, 2, 5, 9, 7))
    CaseFactory(assignee=agent, status=Status.OPEN, priority=Priority.HIGH, due_at=due)

    html = desk.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<span class="badge badge-status-open">Ouvert</span>' in html
    assert '<td class="priority-3">Haute</td>' in html
    assert "5 Fév 09:07" in html


def test_chosen_statuses_and_priorities_are_one_condition_each_an_index_can_serve(agent):
    from cases.filters import CaseFilter

    wanted = CaseFactory(status=Status.OPEN, priority=Priority.HIGH)
    CaseFactory(status=Status.OPEN, priority=Priority.LOW)
    CaseFactory(status=Status.CLOSED, priority=Priority.HIGH)
    query = QueryDict(
        f"status=new&status=open&status=open&priority={Priority.HIGH}&priority={Priority.URGENT}"
    )

    cases = CaseFilter(query, queryset=Case.objects.all(), agent=agent).qs

    assert list(cases) == [wanted]
    sql = str(cases.query)
    assert sql.count(" IN (") == 2 and " OR " not in sql
