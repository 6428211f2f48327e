"""Markdown to HTML that is safe to show to any reader.

Python-Markdown passes raw HTML through, so its output is never trusted: nh3 keeps
only the tags, attributes and URL schemes listed here and drops everything else
(script and style with their content, event handlers, javascript: and data: links
however they are spelled, since nh3 decodes entities before checking a scheme).
"""

import html

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Bootstrap classes the article layout needs; writers cannot set classes themselves.
SET_ATTRIBUTES = {"table": {"class": "table table-sm"}, "img": {"class": "img-fluid"}}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]


def clean_html(text: str) -> SafeString:
    """HTML reduced to the allowlist; the only place article HTML becomes safe."""
    cleaned = nh3.clean(
        text,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        set_tag_attribute_values=SET_ATTRIBUTES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # cleaned by nh3 just above


def render_markdown(text: str) -> SafeString:
    return clean_html(markdown.markdown(text, extensions=EXTENSIONS, output_format="html"))


def plain_text(safe_html: str) -> str:
    """The words of sanitised HTML, for search and snippets (never shown unescaped)."""
    text = nh3.clean(safe_html, tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html.unescape(text).split())
