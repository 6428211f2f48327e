"""A French-speaking agent answers a Spanish customer with the Spanish version of a canned
answer: the desk in French, the customer's page and answer in Spanish."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from agents.models import Agent
from cases.links import access_link_create
from cases.models import CannedAnswer, CannedAnswerVersion, Status
from tests.factories import CaseFactory, ContactFactory, MessageFactory, TeamFactory


@pytest.fixture
def team(transactional_db):
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def spanish_case(agent):
    Agent.objects.filter(pk=agent.pk).update(languages="fr,es", desk_language="fr")
    answer = CannedAnswer.objects.create(
        title="Looking into it", body="Hi {first_name}, I am on it.", language="en"
    )
    CannedAnswerVersion.objects.create(
        answer=answer, language="es", body="Hola {first_name}, me ocupo de su pedido."
    )
    lucia = ContactFactory(name="Lucía Pérez", email="lucia@example.es", language="es")
    case = CaseFactory(
        contact=lucia, subject="Pedido sin llegar", status=Status.OPEN, assignee=agent
    )
    MessageFactory(case=case, author_contact=lucia, body="Mi pedido no ha llegado.")
    return case


def test_a_french_agent_answers_a_spanish_customer_in_spanish(
    page, new_page, screenshot, spanish_case
):
    reference = spanish_case.reference
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()

    # Her desk speaks French, whatever the browser says.
    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("File d'attente")
    screenshot(page, "01-queue-in-french")

    page.goto(f"/desk/cases/{reference}/")
    page.locator("#canned-select").select_option(label="Looking into it")
    page.get_by_role("button", name="Insérer la réponse type").click()
    body = page.locator("#id_body")
    expect(body).to_have_value(re.compile(r"^Hola Lucía, me ocupo de su pedido\."))
    screenshot(page, "02-workspace-in-french-with-the-spanish-answer")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator("#timeline")).to_contain_text("Hola Lucía, me ocupo de su pedido.")
    expect(page.locator("#timeline")).to_contain_text("Statut : Ouvert → En attente du client.")

    # The customer's page, in her language.
    customer = new_page()
    customer.context.set_extra_http_headers({"Accept-Language": "es"})
    customer.goto(urlsplit(access_link_create(case=spanish_case)).path)
    expect(customer.locator("html")).to_have_attribute("lang", "es")
    expect(customer.locator("body")).to_contain_text("Hola Lucía, me ocupo de su pedido.")
    screenshot(customer, "03-customer-page-in-spanish")

    # The switch in the navigation bar: the desk in Spanish from the next page on.
    page.get_by_role("button", name="Langue de l’interface: FR").click()
    screenshot(page, "04-desk-language-menu-open")
    page.get_by_role("button", name="español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(rf"/desk/cases/{reference}/$"))
    expect(page.get_by_role("button", name="Idioma de la interfaz: ES")).to_be_visible()
    screenshot(page, "05-workspace-in-spanish-after-the-switch")
