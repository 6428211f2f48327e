"""The desk's select lists are kept in the cache; each change to what they name shows on
the next page, and what is submitted is still checked against the database."""

import re

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from cases import choices, intake
from cases.filters import CaseFilter
from cases.models import Case
from tests.factories import (
    AgentFactory,
    CaseFactory,
    CategoryFactory,
    ContactFactory,
    TeamFactory,
)
from tests.sla_helpers import policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def case(agent):
    return CaseFactory(assignee=agent, team=agent.team, subject="Printer on fire")


def offered(html: str, select_id: str) -> list[str]:
    """The labels of a <select>'s options, in order."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def workspace(desk, case) -> str:
    return desk.get(reverse("cases:detail", args=[case.reference])).content.decode()


def queue(desk) -> str:
    return desk.get(reverse("cases:queue")).content.decode()


def test_the_lists_are_offered_on_the_queue_and_the_workspace(desk, case, agent, other_agent):
    CategoryFactory(name="Billing")

    html = workspace(desk, case)
    assert offered(html, "id_assignee") == ["Unassigned", "Ana Silva", "Ben Carter"]
    assert offered(html, "id_category") == ["---------", "Billing"]
    assert offered(html, "id_team")[:2] == ["The lead of this case&#x27;s team", "Customer Care"]
    html = queue(desk)
    assert offered(html, "id_assignee") == ["Anyone", "Me", "Unassigned", "Ana Silva", "Ben Carter"]
    assert offered(html, "id_team")[:2] == ["Any", "Customer Care"]
    assert offered(html, "id_category") == ["Any", "Billing"]
    assert offered(html, "bulk-assignee") == ["—", "Ana Silva", "Ben Carter"]


def test_the_chosen_values_stay_selected(desk, case, other_agent):
    case.category = CategoryFactory(name="Billing")
    case.assignee = other_agent
    case.save()

    html = workspace(desk, case)

    assert re.search(r'<option value="\d+" selected>Ben Carter</option>', html)
    assert re.search(r'<option value="\d+" selected>Billing</option>', html)
    html = desk.get(reverse("cases:queue"), {"team": case.team_id}).content.decode()
    assert re.search(r'<option value="\d+" selected>Customer Care</option>', html)


def test_a_renamed_agent_shows_with_the_new_name_on_the_next_page(desk, case, other_agent):
    workspace(desk, case)  # the lists are kept now

    other_agent.user.first_name = "Benjamin"
    other_agent.user.save()

    assert "Benjamin Carter" in offered(workspace(desk, case), "id_assignee")


def test_a_deactivated_agent_is_no_longer_offered(desk, case, other_agent):
    queue(desk)

    other_agent.user.is_active = False
    other_agent.user.save()

    assert "Ben Carter" not in offered(queue(desk), "bulk-assignee")


def test_new_and_deleted_teams_and_categories_show_on_the_next_page(desk, case):
    workspace(desk, case)

    TeamFactory(name="Returns")
    billing = CategoryFactory(name="Billing")
    html = workspace(desk, case)
    assert "Returns" in offered(html, "id_team")
    assert "Billing" in offered(html, "id_category")

    billing.delete()
    assert "Billing" not in offered(workspace(desk, case), "id_category")


def test_a_choice_kept_in_the_cache_is_still_checked_on_submit(desk, case, other_agent):
    workspace(desk, case)  # Ben is kept as an active agent
    # deactivated behind the ORM's back: no signal drops the kept lists
    type(other_agent.user).objects.filter(pk=other_agent.user.pk).update(is_active=False)
    assert "Ben Carter" in offered(workspace(desk, case), "id_assignee")

    response = desk.post(
        reverse("cases:update", args=[case.reference]),
        {
            "seen_version": case.version,
            "status": "open",
            "priority": 2,
            "assignee": other_agent.pk,
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee_id == case.assignee_id


def test_without_a_cache_the_lists_are_read_every_time(desk, case, kept_cache_down):
    first = offered(workspace(desk, case), "id_assignee")

    AgentFactory(team=case.team, user__first_name="Cleo", user__last_name="Dunn")
    assert offered(workspace(desk, case), "id_assignee") == [*first, "Cleo Dunn"]


def test_the_lists_are_read_once_and_then_kept(case, django_assert_num_queries):
    with django_assert_num_queries(3):  # active agents with user, teams, categories
        first = choices.desk_choices()
    with django_assert_num_queries(0):
        assert choices.desk_choices() == first


def test_the_queue_names_an_assignee_the_kept_names_do_not_know(desk, agent):
    queue(desk)  # the names are kept now
    # an agent made behind the ORM's back: no signal drops the kept lists
    User, Agent = type(agent.user), type(agent)
    [user] = User.objects.bulk_create([User(username="cleo", first_name="Cleo", last_name="Dunn")])
    [newcomer] = Agent.objects.bulk_create([Agent(user=user, team=agent.team)])
    CaseFactory(assignee=newcomer, team=agent.team, subject="Cleo's case")

    html = desk.get(reverse("cases:queue"), {"team": agent.team_id}).content.decode()

    assert "Cleo&#x27;s case" in html
    assert "<td>Cleo Dunn</td>" in html


def test_the_workspace_names_the_people_team_category_and_policy(desk, agent, other_agent):
    agent.backup = other_agent
    agent.save()
    contact = ContactFactory(owner=agent)
    standard = policy("Standard", targets={2: (60, 120, 480)})
    case = intake.case_open_from_web(
        name=contact.name,
        email=contact.email,
        subject="Lamp",
        body="Broken.",
        category=CategoryFactory(name="Billing", default_team=agent.team),
    )
    assert case.sla_policy == standard

    html = workspace(desk, case)

    assert '<strong id="case-assignee">Ana Silva</strong>' in html
    assert "Team: Customer Care" in html
    assert "Category: Billing" in html
    assert "Owner: <strong>Ana Silva</strong>" in html
    assert "Backup: Ben Carter" in html
    assert '<dd class="col-6">Standard</dd>' in html

    other_agent.user.last_name = "Okafor"
    other_agent.user.save()
    standard.name = "Gold"
    standard.save()
    html = workspace(desk, case)
    assert "Backup: Ben Okafor" in html
    assert '<dd class="col-6">Gold</dd>' in html


def test_the_queue_filter_reads_the_kept_lists_itself_when_not_given_them(agent, case):
    # as ../shared/bench's harness uses it
    matching = CaseFilter(
        QueryDict(f"team={agent.team_id}"), queryset=Case.objects.all(), agent=agent
    )

    assert list(matching.qs) == [case]


@pytest.mark.parametrize(
    "params",
    [
        {"team": "abc"},
        {"team": "<script>x</script>"},
        {"team": "9" * 40},
        {"category": "99999"},
        {"assignee": "-1"},
    ],
)
def test_a_team_category_or_agent_not_offered_is_refused_in_words(desk, case, params):
    response = desk.get(reverse("cases:queue"), params)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "<script>x" not in html


def test_a_login_keeps_the_lists_and_a_renamed_user_drops_them(client, agent, other_agent):
    choices.desk_choices()
    other_agent.user.set_password("secret-enough-42")
    other_agent.user.save()
    choices.desk_choices()

    login = {"username": other_agent.user.username, "password": "secret-enough-42"}
    assert client.post(reverse("login"), login).status_code == 302
    assert cache.get(choices.CACHE_KEY) is not None

    other_agent.user.first_name = "Benjamin"
    other_agent.user.save(update_fields=["first_name"])
    assert cache.get(choices.CACHE_KEY) is None
