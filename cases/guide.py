"""Writing help for replies: canned answers with placeholders, and the phrase guide."""

import re

from agents.models import Agent
from cases.models import Case, Phrase

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def canned_fill(text: str, *, case: Case, agent: Agent) -> str:
    """Fill a canned answer's placeholders; unknown ones are left as typed."""
    values = {
        "first_name": case.contact.first_name,
        "contact_name": case.contact.name,
        "reference": case.reference,
        "subject": case.subject,
        "agent_name": agent.name,
        "agent_first_name": agent.first_name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def phrase_pattern(phrase: str) -> str:
    """A case-insensitive whole-word pattern for a phrase, any run of spaces between words."""
    return r"(?<!\w)" + r"\s+".join(re.escape(word) for word in phrase.split()) + r"(?!\w)"


def phrases_found(text: str, phrases) -> list[Phrase]:
    """The phrase-guide entries whose avoided phrase appears in the text."""
    return [
        phrase
        for phrase in phrases
        if phrase.avoid.strip() and re.search(phrase_pattern(phrase.avoid), text, re.IGNORECASE)
    ]
