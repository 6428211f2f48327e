"""The site's one pagination partial, templates/_pagination.html."""

import re

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory


def pagination(number: int, rows: int = 100, query: str = "", **context) -> str:
    request = RequestFactory().get(f"/list/?{query}")
    page = Paginator(range(rows), 10).get_page(number)
    return render_to_string("_pagination.html", {"page": page, **context}, request=request)


def links(html: str) -> list[tuple[str, str]]:
    """Each link's text as a screen reader says it, and where it leads."""
    return [
        (re.sub(r"<[^>]+>", "", text), href.replace("&amp;", "&"))
        for href, text in re.findall(r'href="([^"]*)">(.*?)</a>', html)
    ]


def test_links_keep_the_query_string_and_change_only_the_page():
    html = pagination(2, query="q=paper+jam&status=new&status=open&page=2")

    assert ("Next", "?q=paper+jam&status=new&status=open&page=3") in links(html)
    assert ("Previous", "?q=paper+jam&status=new&status=open&page=1") in links(html)


def test_a_view_can_give_the_query_the_links_keep():
    html = pagination(1, query="page=1&junk=", page_query=QueryDict("assignee=me"))

    assert ("Next", "?assignee=me&page=2") in links(html)


def test_the_current_page_is_marked_for_screen_readers():
    html = pagination(3)

    assert html.count('aria-current="page"') == 1
    assert '<a class="page-link" aria-current="page" href="?page=3">' in html
    assert ("Page 3 of 10", "?page=3") in links(html)
    assert '<nav class="mt-3" aria-label="Pages">' in html


def test_a_long_list_shows_the_ends_and_the_pages_near_this_one():
    html = pagination(20, rows=400)

    numbers = [text.removeprefix("Page ") for text, _ in links(html)]
    assert numbers == ["Previous", "1", "18", "19", "20 of 40", "21", "22", "40", "Next"]
    assert html.count("…") == 2


def test_the_first_and_last_pages_have_nowhere_further_to_go():
    first, last = pagination(1), pagination(10)

    assert "Previous" not in dict(links(first))
    assert '<span class="page-link">Previous</span>' in first
    assert "Next" not in dict(links(last))
    assert '<span class="page-link">Next</span>' in last


def test_a_single_page_has_no_pagination():
    assert pagination(1, rows=10).strip() == ""


def test_query_values_are_encoded_in_the_links():
    html = pagination(1, query="q=%22%3E%3Cscript%3E")

    assert "<script>" not in html
    assert ("Next", "?q=%22%3E%3Cscript%3E&page=2") in links(html)
