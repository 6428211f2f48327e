"""Answers suggested beside the contact form: shown, opened, and deflected or not."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from knowledge.models import Article, SuggestionDay, SuggestionOpen
from tests.knowledge.factories import ArticleFactory


def suggest(client, **params):
    return client.get(reverse("knowledge:suggest"), params)


def open_suggestion(client, article):
    return client.get(reverse("knowledge:article", args=[article.slug]), {"from": "suggestion"})


def send_contact_form(client, subject="Refund not received"):
    page = client.get(reverse("cases:contact"))
    token = page.context["form"]["submission_token"].value()
    return client.post(
        reverse("cases:contact"),
        {
            "name": "Maria Garcia",
            "email": "maria@customer.example",
            "subject": subject,
            "message": "I cancelled order 4417 two weeks ago.",
            "submission_token": token,
        },
    )


def test_suggestions_match_what_the_customer_types(client, refund_article):
    ArticleFactory(title="Reset your password", body="Use the link on the login page.")

    response = suggest(client, subject="Where is my refund", message="")

    assert response.status_code == 200
    assert [article.title for article in response.context["articles"]] == ["How refunds work"]
    assert 'href="/kb/how-refunds-work/?from=suggestion"' in response.content.decode()


def test_suggestions_also_read_the_message(client, refund_article):
    response = suggest(client, subject="Order 4417", message="I would like my money back")

    assert [article.title for article in response.context["articles"]] == ["How refunds work"]


def test_a_half_typed_word_already_finds_articles(client, refund_article):
    response = suggest(client, subject="my refu")

    assert [article.title for article in response.context["articles"]] == ["How refunds work"]


def test_at_most_five_suggestions(client, billing):
    for n in range(8):
        ArticleFactory(title=f"Invoice question {n}", category=billing)

    assert len(suggest(client, subject="invoice").context["articles"]) == 5


@pytest.mark.parametrize(
    "subject",
    ["", "   ", "?!…", "'; DELETE FROM knowledge_article; --", "a\x00b", "x" * 10_000, "é" * 300],
)
def test_junk_never_breaks_the_suggestions(client, refund_article, subject):
    response = suggest(client, subject=subject, message=subject)

    assert response.status_code == 200
    assert Article.objects.count() == 1


def page_view(client) -> str:
    """The signed page view of one rendering of the contact form."""
    page = client.get(reverse("cases:contact")).content.decode()
    return re.search(r'data-view="([^"]+)"', page).group(1)


def report_shown(client, view, *articles):
    return client.post(
        reverse("knowledge:suggested"), {"view": view, "article": [a.pk for a in articles]}
    )


def test_fetching_suggestions_counts_nothing(client, refund_article):
    for _ in range(5):
        suggest(client, subject="refund")
    suggest(Client(), subject="refund")

    assert Article.objects.get().suggested_count == 0


def test_an_article_is_counted_as_suggested_once_per_page_view(client, refund_article):
    view = page_view(client)

    first = report_shown(client, view, refund_article)
    report_shown(client, view, refund_article)
    report_shown(Client(), view, refund_article)  # the same report, replayed elsewhere

    assert first.status_code == 204
    assert Article.objects.get().suggested_count == 1
    assert SuggestionDay.objects.get().suggested == 1


def test_each_page_view_counts_its_own_suggestions(client, refund_article):
    report_shown(client, page_view(client), refund_article)
    report_shown(client, page_view(client), refund_article)

    assert Article.objects.get().suggested_count == 2
    # And per day, for the reports of a period.
    assert SuggestionDay.objects.get(day=timezone.localdate()).suggested == 2


@pytest.mark.parametrize("view", ["", "made-up", "abc:def:ghi"])
def test_a_report_without_a_page_view_the_server_signed_counts_nothing(
    client, refund_article, view
):
    response = report_shown(client, view, refund_article)

    assert response.status_code == 400
    assert Article.objects.get().suggested_count == 0


def test_an_expired_page_view_counts_nothing(client, refund_article):
    view = page_view(client)

    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = report_shown(client, view, refund_article)

    assert response.status_code == 400
    assert Article.objects.get().suggested_count == 0


def test_a_report_needs_the_forms_csrf_token(refund_article):
    client = Client(enforce_csrf_checks=True)

    response = report_shown(client, page_view(client), refund_article)

    assert response.status_code == 403
    assert Article.objects.get().suggested_count == 0


def test_only_public_articles_are_counted(client, refund_article, internal_article):
    report_shown(client, page_view(client), refund_article, internal_article)

    assert Article.objects.get(pk=refund_article.pk).suggested_count == 1
    assert Article.objects.get(pk=internal_article.pk).suggested_count == 0


def test_reading_suggestions_is_a_get_and_reporting_them_a_post(client, refund_article):
    assert client.post(reverse("knowledge:suggest"), {"subject": "refund"}).status_code == 405
    assert client.get(reverse("knowledge:suggested")).status_code == 405


def test_opening_a_suggestion_is_recorded_once_and_leads_to_the_article(client, refund_article):
    first = open_suggestion(client, refund_article)
    open_suggestion(client, refund_article)

    assert first.status_code == 302
    assert first["Location"] == "/kb/how-refunds-work/"
    assert SuggestionOpen.objects.count() == 1


def test_a_visitor_who_opened_a_suggestion_and_then_wrote_in_was_not_deflected(
    client, refund_article
):
    open_suggestion(client, refund_article)

    assert send_contact_form(client).status_code == 302

    opened = SuggestionOpen.objects.get()
    assert opened.case == Case.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert not SuggestionOpen.objects.deflected().exists()


def test_a_visitor_who_opened_a_suggestion_and_left_counts_as_deflected_after_a_day(
    client, refund_article
):
    open_suggestion(client, refund_article)
    send_contact_form(Client())  # someone else writes in

    assert not SuggestionOpen.objects.deflected().exists()  # they may still write in today
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert SuggestionOpen.objects.deflected().count() == 1


def test_writing_in_days_later_does_not_undo_a_deflection(client, refund_article):
    open_suggestion(client, refund_article)

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        send_contact_form(client)
        assert SuggestionOpen.objects.deflected().count() == 1


def test_the_contact_form_still_works_for_a_visitor_who_saw_no_suggestion(client, db):
    assert send_contact_form(client).status_code == 302
    assert Case.objects.count() == 1


def test_managers_see_suggested_opened_and_deflected_per_article(client, manager, refund_article):
    for _ in range(3):
        visitor = Client()
        report_shown(visitor, page_view(visitor), refund_article)
        open_suggestion(visitor, refund_article)
    visitor = Client()
    report_shown(visitor, page_view(visitor), refund_article)
    client.force_login(manager.user)

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        changelist = client.get(reverse("admin:knowledge_article_changelist"))

    [row] = changelist.context["cl"].result_list
    assert (row.suggested_count, row.opened_count, row.deflected_count) == (4, 3, 3)


def test_the_contact_form_has_the_suggestion_panel_and_works_without_javascript(client, db):
    page = client.get(reverse("cases:contact")).content.decode()

    assert 'id="kb-suggestions" data-url="/kb/suggest/"' in page
    assert "knowledge/suggest.js" in page


@pytest.mark.parametrize("articles", [3, 60])
def test_suggestions_run_constant_queries(client, billing, articles, assert_queries):
    for n in range(articles):
        ArticleFactory(title=f"Refund case {n}", category=billing)
    # the five best matches (showing them counts nothing: the page reports them by POST)
    with assert_queries(1):
        assert suggest(client, subject="refund for my order").status_code == 200


@pytest.mark.parametrize("admin_rows", [2, 40])
def test_the_admin_list_of_articles_runs_constant_queries(
    client, manager, billing, admin_rows, assert_queries
):
    for n in range(admin_rows):
        article = ArticleFactory(title=f"Topic {n}", category=billing)
        SuggestionOpen.objects.create(article=article, visitor_hash=f"v{n}")
    client.force_login(manager.user)
    # session with user, categories for the filter, count, total count, page of articles with
    # category and the counts of opens, deflections and uses (subqueries)
    with assert_queries(5):
        assert client.get(reverse("admin:knowledge_article_changelist")).status_code == 200


def test_i_forgot_my_password_suggests_the_password_article_first(client, billing):
    for title, summary in [
        ("Where to find your invoices", "My account shows every invoice you were sent."),
        ("Change the address on my invoice", "Your invoice address, before or after paying."),
        ("Reset your password", "Forgot it? Get a link to choose a new one."),
        ("Keep your account safe", "A strong password and two-step login."),
    ]:
        ArticleFactory(title=title, summary=summary, category=billing)

    response = suggest(client, subject="I forgot my password")

    titles = [article.title for article in response.context["articles"]]
    assert titles[0] == "Reset your password"
    assert "Where to find your invoices" not in titles  # "my" says nothing
