"""A French visitor opens an English article: the help centre shows its French version
and links the other languages."""

import re

import pytest
from playwright.sync_api import expect

from tests.knowledge.factories import ArticleFactory


@pytest.fixture
def track_parcel(transactional_db):
    original = ArticleFactory(
        title="Track your parcel", slug="track-parcel", language="en", body="Open the link."
    )
    ArticleFactory(
        title="Suivre votre colis",
        slug="suivre-colis",
        language="fr",
        category=original.category,
        translation_of=original,
        body="Ouvrez le lien.",
    )
    ArticleFactory(
        title="Seguir su paquete",
        slug="seguir-paquete",
        language="es",
        category=original.category,
        translation_of=original,
        body="Abra el enlace.",
    )
    return original


def test_a_french_visitor_reads_the_french_version_and_may_switch(
    new_page, screenshot, track_parcel
):
    page = new_page()
    page.context.set_extra_http_headers({"Accept-Language": "fr"})

    page.goto("/kb/track-parcel/")

    expect(page).to_have_url(re.compile(r"/kb/suivre-colis/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivre votre colis")
    languages = page.locator("#kb-languages")
    expect(languages.locator("a")).to_have_count(2)
    screenshot(page, "01-french-version")

    languages.locator('a[data-language="es"]').click()
    expect(page).to_have_url(re.compile(r"/kb/seguir-paquete/\?lang=es$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Seguir su paquete")
    screenshot(page, "02-spanish-version-chosen")
