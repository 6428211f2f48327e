"""A canned answer has a version per language: the workspace offers each in the contact's
language, or in its own and says so."""

import pytest
from django.urls import reverse

from cases.models import CannedAnswer, CannedAnswerVersion
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def answer():
    made = CannedAnswer.objects.create(
        title="Looking into it", body="Hi {first_name}, I am on it.", language="en"
    )
    CannedAnswerVersion.objects.create(
        answer=made, language="es", body="Hola {first_name}, me ocupo de ello."
    )
    return made


def workspace(desk, agent, language, **params):
    contact = ContactFactory(name="Lucía Pérez", language=language)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team)
    return desk.get(reverse("cases:detail", args=[case.reference]), params)


def test_a_spanish_contact_gets_the_spanish_version(desk, agent, answer):
    page = workspace(desk, agent, "es", canned=answer.pk)

    [(offered, text, other)] = page.context["canned"]
    assert (text, other) == ("Hola Lucía, me ocupo de ello.", None)
    assert page.context["reply_form"].initial["body"] == "Hola Lucía, me ocupo de ello."


def test_without_a_version_in_the_contacts_language_the_answers_own_is_offered_and_said(
    desk, agent, answer
):
    page = workspace(desk, agent, "fr", canned=answer.pk)

    [(offered, text, other)] = page.context["canned"]
    assert (text, other) == ("Hi Lucía, I am on it.", "English")
    assert "Looking into it (in English: none in French)" in page.content.decode()
    assert page.context["reply_form"].initial["body"] == "Hi Lucía, I am on it."


def test_the_answers_own_language_needs_no_version(desk, agent, answer):
    [(offered, text, other)] = workspace(desk, agent, "en").context["canned"]

    assert (text, other) == ("Hi Lucía, I am on it.", None)


def test_a_new_version_shows_on_the_next_workspace(desk, agent, answer):
    workspace(desk, agent, "fr")  # the writing help is now kept
    CannedAnswerVersion.objects.create(answer=answer, language="fr", body="Bonjour {first_name}.")

    [(offered, text, other)] = workspace(desk, agent, "fr").context["canned"]

    assert (text, other) == ("Bonjour Lucía.", None)


def admin_post(client, manager, answer, versions):
    client.force_login(manager.user)
    data = {
        "title": answer.title,
        "body": answer.body,
        "language": "en",
        "team": "",
        "versions-TOTAL_FORMS": str(len(versions)),
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    for n, (language, body) in enumerate(versions):
        data[f"versions-{n}-language"] = language
        data[f"versions-{n}-body"] = body
    return client.post(reverse("admin:cases_cannedanswer_change", args=[answer.pk]), data)


def test_admin_adds_a_version(client, manager):
    answer = CannedAnswer.objects.create(title="Thanks", body="Thank you.", language="en")

    answer_page = admin_post(client, manager, answer, [("fr", "Merci.")])

    assert answer_page.status_code == 302
    assert answer.versions.get().body == "Merci."


@pytest.mark.parametrize(
    "versions, says",
    [
        ([("en", "Thanks again.")], "in this language: edit its body instead"),
        ([("fr", "Merci."), ("fr", "Merci bien.")], "Please correct the duplicate data"),
    ],
)
def test_admin_refuses_a_version_in_the_answers_language_or_twice_the_same(
    client, manager, versions, says
):
    answer = CannedAnswer.objects.create(title="Thanks", body="Thank you.", language="en")

    page = admin_post(client, manager, answer, versions)

    assert page.status_code == 200
    assert says in page.content.decode()
    assert not answer.versions.exists()
