"""Writing help for replies: canned answers with placeholders, and the phrase guide.

Every view of a case workspace offers both, and managers change them rarely: they are
read once and kept in the shared cache (helpdesk.lib.kept) until one is saved or
deleted (receivers wired in cases.apps).
"""

import re
from typing import NamedTuple

from agents.models import Agent
from cases.models import CannedAnswer, Case, Phrase
from helpdesk.lib.kept import kept, kept_drop

# The number names the tuples' shape: a new shape must not read an old one.
CACHE_KEY = "writing-help:2"
CACHE_SECONDS = 300


class Canned(NamedTuple):
    pk: int
    title: str
    body: str
    team_id: int | None
    language: str
    # Its versions in other languages: language code -> body.
    versions: dict[str, str]

    def in_language(self, language: str) -> tuple[str, str]:
        """The body in that language if there is a version, else the answer's own, with
        the language it is in."""
        if language in self.versions:
            return self.versions[language], language
        return self.body, self.language


class GuidePhrase(NamedTuple):
    pk: int
    avoid: str
    prefer: str
    why: str


class WritingHelp(NamedTuple):
    """Every canned answer by title, and the phrase guide by the phrase to avoid."""

    canned: list[Canned]
    phrases: list[GuidePhrase]

    def canned_for(self, agent: Agent) -> list[Canned]:
        """The desk-wide answers and those of the agent's team."""
        return [a for a in self.canned if a.team_id is None or a.team_id == agent.team_id]

    def phrases_with(self, pks) -> list[GuidePhrase]:
        wanted = set(pks)
        return [phrase for phrase in self.phrases if phrase.pk in wanted]


def writing_help() -> WritingHelp:
    """The canned answers and the phrase guide, from the cache or read now (and kept)."""
    return kept(CACHE_KEY, _read, CACHE_SECONDS)


def _read() -> WritingHelp:
    # One read: an answer comes once per version (or once with none), in title order.
    answers = {}
    for pk, title, body, team, language, other, version in CannedAnswer.objects.values_list(
        "pk", "title", "body", "team", "language", "versions__language", "versions__body"
    ):
        answer = answers.setdefault(pk, Canned(pk, title, body, team, language, {}))
        if other:
            answer.versions[other] = version
    return WritingHelp(
        canned=list(answers.values()),
        phrases=[
            GuidePhrase(*row) for row in Phrase.objects.values_list("pk", "avoid", "prefer", "why")
        ],
    )


def writing_help_forget(**kwargs) -> None:
    """A canned answer or a phrase was saved or deleted (a post_save/post_delete receiver)."""
    kept_drop(CACHE_KEY)


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


def phrases_found(text: str, phrases: list[GuidePhrase]) -> list[GuidePhrase]:
    """The phrase-guide entries whose avoided phrase appears in the text."""
    return [
        phrase
        for phrase in phrases
        if phrase.avoid.strip() and re.search(phrase_pattern(phrase.avoid), text, re.IGNORECASE)
    ]
