"""The languages an agent speaks: codes of the desk's languages, ticked as checkboxes
on the agent's own page and in admin, and the free text of old brought forward."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from agents.languages import languages_joined
from agents.models import Agent, validate_languages
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

forward = importlib.import_module("agents.migrations.0005_languages_and_desk_language")


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def speaks(agent, languages):
    agent.languages = languages
    agent.save()


def checkbox(code, checked) -> str:
    return (
        f'<input class="form-check-input" name="languages" type="checkbox" value="{code}"'
        f' id="id_languages_{["en", "fr", "es"].index(code)}"{" checked" if checked else ""}>'
    )


def test_the_account_page_ticks_the_agents_languages(desk, agent):
    speaks(agent, "fr,en")

    html = desk.get(reverse("account:page")).content.decode()

    assert checkbox("en", True) in html
    assert checkbox("fr", True) in html
    assert checkbox("es", False) in html


def test_the_agent_ticks_their_languages_and_desk_language(desk, agent):
    response = desk.post(
        reverse("account:languages"), {"languages": ["en", "es"], "desk_language": "es"}
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.languages, agent.desk_language) == ("en,es", "es")
    # the message comes in the language just chosen
    assert "Sus idiomas se han guardado" in desk.get(response.url).content.decode()


def test_a_language_kept_keeps_its_place_and_a_new_one_follows(desk, agent):
    speaks(agent, "es,en")

    desk.post(reverse("account:languages"), {"languages": ["en", "fr", "es"]})

    agent.refresh_from_db()
    assert agent.languages == "es,en,fr"


def test_untick_every_language(desk, agent):
    speaks(agent, "fr")

    desk.post(reverse("account:languages"), {"desk_language": ""})

    agent.refresh_from_db()
    assert agent.languages == ""


def test_a_language_the_desk_does_not_speak_is_refused_and_nothing_saved(desk, agent):
    speaks(agent, "fr")

    response = desk.post(reverse("account:languages"), {"languages": ["fr", "de"]})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    agent.refresh_from_db()
    assert agent.languages == "fr"


@pytest.mark.parametrize(
    ("ticked", "previous", "stored"),
    [
        (["fr", "en"], "", "en,fr"),  # the desk's order
        (["en", "fr"], "fr", "fr,en"),  # the one already there first
        (["en"], "fr,en", "en"),
        ([], "fr,en", ""),
    ],
)
def test_languages_joined(ticked, previous, stored):
    assert languages_joined(ticked, previous) == stored


@pytest.mark.parametrize("languages", ["", "en", "fr,en", "es,fr,en"])
def test_codes_of_the_desk_are_valid(languages):
    validate_languages(languages)


@pytest.mark.parametrize("languages", ["de", "en,de", "en,en", "en, fr", "en,", "English", "EN"])
def test_anything_else_is_not(languages):
    with pytest.raises(ValidationError):
        validate_languages(languages)


def test_the_manager_ticks_an_agents_languages_in_admin(client, manager, agent):
    client.force_login(manager.user)
    speaks(agent, "fr")
    url = reverse("admin:agents_agent_change", args=[agent.pk])

    html = client.get(url).content.decode()
    assert 'type="checkbox" name="languages" value="fr"' in html
    assert 'value="fr" id="id_languages_1" checked' in html

    response = client.post(
        url,
        {
            "user": agent.user.pk,
            "team": agent.team.pk,
            "languages": ["en", "fr"],
            "desk_language": "es",
            "time_zone": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert (agent.languages, agent.desk_language) == ("fr,en", "es")


def test_admin_refuses_a_language_the_desk_does_not_speak(client, manager, agent):
    client.force_login(manager.user)

    response = client.post(
        reverse("admin:agents_agent_change", args=[agent.pk]),
        {"user": agent.user.pk, "team": agent.team.pk, "languages": ["xx"]},
    )

    assert response.status_code == 200
    assert "languages" in response.context["adminform"].form.errors


def test_the_model_refuses_free_text():
    agent = AgentFactory.build(languages="en, fr")

    with pytest.raises(ValidationError) as refused:
        agent.clean_fields(exclude=["user", "team"])
    assert "languages" in refused.value.message_dict


def test_the_desk_language_is_the_language_of_the_agents_mail(agent):
    agent.languages = "es,en"
    assert agent.mail_language == "es"

    agent.desk_language = "fr"
    assert agent.mail_language == "fr"

    agent.languages = agent.desk_language = ""
    assert agent.mail_language == "en"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("en,fr", "en,fr"),
        ("es,en", "es,en"),  # the agent's order: the first is the language of their mail
        ("en, fr", "en,fr"),
        ("FR; en / es", "fr,en,es"),
        ("fr en", "fr,en"),
        ("fr_CA, fr-be, en-GB", "fr,en"),  # a region counts as its language
        ("French, español", "fr,es"),  # so does a language's name, in English or its own
        ("en,de", "en"),  # only what is not a language of the desk is dropped
        ("Deutsch", ""),
        ("en,en,EN", "en"),
        ("", ""),
    ],
)
def test_the_migration_brings_free_text_forward(written, kept):
    assert forward.languages_cleaned(written) == kept


def test_the_migration_rewrites_every_agent(team):
    written = {
        AgentFactory(team=team).pk: "fr, EN",
        AgentFactory(team=team).pk: "es,en",
        AgentFactory(team=team).pk: "",
        AgentFactory(team=team).pk: "de,fr_CA",
    }
    for pk, languages in written.items():  # as they were before the migration
        Agent.objects.filter(pk=pk).update(languages=languages)

    forward.languages_forward(apps, None)

    assert dict(Agent.objects.filter(pk__in=written).values_list("pk", "languages")) == dict(
        zip(written, ["fr,en", "es,en", "", "fr"], strict=True)
    )
