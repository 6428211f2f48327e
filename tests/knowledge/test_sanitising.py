"""Nothing an article's writer types can run script on a reader's page."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from knowledge.rendering import TAGS, clean_html, render_markdown
from tests.knowledge.factories import ArticleFactory

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&#9;script:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "da&#x74;a:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
]


class TagCollector(HTMLParser):
    """The tags and attributes a browser would see, with entities already decoded."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def scheme_of(url: str) -> str:
    """The scheme a browser reads (WHATWG URL): tabs and newlines anywhere are dropped,
    control characters and spaces at either end are trimmed."""
    url = re.sub(r"[\t\n\r]", "", url or "").strip(C0_AND_SPACE)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else ""


def assert_harmless(html: str):
    collector = TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in {"style", "srcdoc"}, html
            if name in {"href", "src"}:
                assert scheme_of(value) in {"", "http", "https", "mailto"}, html
    assert "<script" not in html.lower() and "<iframe" not in html.lower(), html


@pytest.mark.parametrize("href", SCRIPT_LINKS)
def test_script_and_data_links_lose_their_target_in_markdown_and_html(href):
    as_markdown = render_markdown(f"[click me]({href})")
    as_html = render_markdown(f'<a href="{href}">click me</a>')
    as_image = render_markdown(f'<img src="{href}" alt="x">')

    for html in (as_markdown, as_html, as_image):
        assert_harmless(html)
    assert "click me" in as_html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        '<iframe src="https://evil.example"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<img src="x" onerror="alert(1)">',
        "<img src=x OnError=alert(1)>",
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        '<svg onload="alert(1)"><circle /></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<object data="javascript:alert(1)"></object>',
        '<embed src="javascript:alert(1)">',
        '<form action="javascript:alert(1)"><button>x</button></form>',
        '<style>body{background:url("javascript:alert(1)")}</style>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<base href="javascript:alert(1)//">',
        "<!--><script>alert(1)</script>-->",
        '<a href="https://ok.example"><img src=x onerror=alert(1)></a>',
        '[x](https://ok.example "title" onclick="alert(1)")',
        "![x](javascript:alert(1))",
    ],
)
def test_dangerous_html_is_removed(body):
    assert_harmless(render_markdown(body))


def test_safe_markdown_keeps_its_formatting_and_web_links():
    html = render_markdown(
        "## Steps\n\n1. Open **Settings**\n2. Choose *Billing*\n\n"
        "[Our site](https://example.com/help) or [mail us](mailto:help@example.com).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n`code`"
    )

    assert "<h2>Steps</h2>" in html
    assert "<ol>" in html and "<strong>Settings</strong>" in html and "<em>Billing</em>" in html
    assert '<a href="https://example.com/help" rel="noopener noreferrer nofollow">' in html
    assert 'href="mailto:help@example.com"' in html
    assert '<table class="table table-sm">' in html and "<code>code</code>" in html


def test_only_cleaned_html_is_marked_safe():
    html = clean_html('<b onclick="x()">bold</b><script>alert(1)</script>')

    assert html == "<b>bold</b>"
    assert hasattr(html, "__html__")


def test_the_article_page_shows_no_script_even_if_the_stored_html_was_tampered_with(client, db):
    article = ArticleFactory(body="Hello <script>alert('body')</script> **reader**")
    type(article).objects.filter(pk=article.pk).update(
        body_html='<p>tampered<img src=x onerror="alert(2)"></p><script>alert(3)</script>'
    )

    page = client.get(reverse("knowledge:article", args=[article.slug])).content.decode()

    body = page.split('id="kb-body">', 1)[1].split("</div>", 1)[0]
    assert "tampered" in body
    assert_harmless(body)


def test_title_and_summary_are_escaped_everywhere_they_are_shown(client, db):
    article = ArticleFactory(
        title="<script>alert('t')</script> Refunds", summary='<img src=x onerror="alert(1)">'
    )

    for url in (
        reverse("knowledge:home"),
        reverse("knowledge:article", args=[article.slug]),
        reverse("knowledge:search") + "?q=refunds",
        reverse("knowledge:suggest") + "?subject=refunds",
    ):
        page = client.get(url).content.decode()
        assert "<script>alert('t')" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;" in page, url
