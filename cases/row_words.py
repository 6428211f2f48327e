"""The words every row of a case list repeats (status and priority names, the months'
short names, "Unassigned"), translated once per language in each process, not once per
page: the months alone were twelve lookups of the active translation a page."""

from django.utils.dates import MONTHS_3
from django.utils.translation import get_language, gettext

from cases.models import Priority, Status
from helpdesk.lib.html import html_text

by_language: dict[str | None, dict] = {}


def row_words() -> dict:
    """The words in the active language, escaped for HTML. Shared: callers only read."""
    language = get_language()
    words = by_language.get(language)
    if words is None:
        words = {
            "status": {value: html_text(label) for value, label in Status.choices},
            "priority": {value: html_text(label) for value, label in Priority.choices},
            # the date filter's "M": the month's three letters, title-cased
            "months": {number: str(name).title() for number, name in MONTHS_3.items()},
            "unassigned": html_text(gettext("Unassigned")),
            "select": html_text(gettext("Select")),
            "claim": html_text(gettext("Claim")),
            "ago": gettext("%(age)s ago"),
        }
        by_language[language] = words
    return words
