"""The words of a case list's rows are translated once per language, each in its own."""

from django.utils import translation

from cases.row_words import row_words
from tests.factories import CaseFactory


def test_each_language_keeps_its_own_words():
    with translation.override("fr"):
        french = row_words()
    with translation.override("en"):
        english = row_words()
    with translation.override("fr"):
        assert row_words() is french
    assert (french["status"]["open"], english["status"]["open"]) == ("Ouvert", "Open")
    assert (french["unassigned"], english["unassigned"]) == ("Non attribué", "Unassigned")
    assert english["ago"] == "%(age)s ago"
    assert english["months"][1] == "Jan"


def test_a_page_in_french_then_in_english_shows_each_language(client, agent):
    case = CaseFactory(assignee=None)
    client.force_login(agent.user)
    french = client.get(f"/desk/contacts/{case.contact_id}/", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get(f"/desk/contacts/{case.contact_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Non attribué" in french.text
    assert "Unassigned" in english.text
