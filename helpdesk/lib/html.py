"""HTML written in Python on the hot paths (the queue's rows, a select's options)."""

from html import escape

from django.utils.functional import Promise


def html_text(text) -> str:
    """Text for HTML, as conditional_escape gives it but as a plain str: safe text as it
    is, anything else escaped. Django's own wraps each result in a SafeString, which
    over hundreds of cells and options a page was a noticeable part of its time."""
    if isinstance(text, Promise):
        # A lazy text is what it evaluates to, as conditional_escape reads it: Django's
        # list of password rules is lazy and safe HTML.
        text = str(text)
    return str(text) if hasattr(text, "__html__") else escape(str(text))
