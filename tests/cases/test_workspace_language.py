"""The workspace says so, beside the assignee, when they do not speak the contact's
language."""

import pytest
from django.urls import reverse

from tests.factories import AgentFactory, CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

WARNING = 'id="assignee-language"'


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def speaks(agent, languages):
    agent.languages = languages
    agent.save()
    return agent


def workspace(desk, assignee, language="fr", owner=None, **headers) -> str:
    case = CaseFactory(contact=ContactFactory(language=language, owner=owner), assignee=assignee)
    response = desk.get(reverse("cases:detail", args=[case.reference]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_an_assignee_who_does_not_speak_the_contacts_language_is_flagged(desk, agent):
    html = workspace(desk, speaks(agent, "en,es"))

    assert WARNING in html
    assert "Does not speak the contact’s language (French)" in html


def test_an_assignee_who_speaks_it_is_not(desk, agent):
    assert WARNING not in workspace(desk, speaks(agent, "en,fr"))


def test_an_assignee_who_lists_no_language_is_not(desk, agent):
    assert WARNING not in workspace(desk, speaks(agent, ""))


def test_an_unassigned_case_is_not(desk, agent):
    assert WARNING not in workspace(desk, None)


def test_the_owner_as_assignee_is_flagged(desk, agent, other_agent):
    speaks(other_agent, "en")

    assert WARNING in workspace(desk, other_agent, owner=other_agent)


def test_another_agent_as_assignee_is_flagged(desk, agent, other_agent):
    speaks(agent, "fr")  # the reader speaks it; the assignee does not

    assert WARNING in workspace(desk, speaks(other_agent, "en"), owner=AgentFactory())
    assert WARNING not in workspace(desk, speaks(other_agent, "es,fr"), language="es")


def test_the_warning_names_the_language_in_the_desks(desk, agent):
    agent.desk_language = "es"
    speaks(agent, "en")

    html = workspace(desk, agent)

    assert "No habla el idioma del contacto (Francés)" in html
