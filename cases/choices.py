"""The desk's select lists: active agents, teams and categories.

Every desk page offers them (the queue's filters and bulk form, the workspace's update
and escalate forms), and reading them and making a model instance of each row was about
a tenth of those pages' time. They change rarely, so the lists are kept in the shared
cache and dropped when an agent, a user, a team or a category is saved or deleted (and
after five minutes, for a change made behind the ORM's back). Only what is offered comes
from here: a submitted choice is still checked against the database by its form field.
"""

import logging
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction

from agents.models import Agent, Team
from cases.models import Category
from helpdesk.lib.ratelimit import cache_breaker

logger = logging.getLogger(__name__)

CACHE_KEY = "desk-choices:1"
CACHE_SECONDS = 300


class DeskChoices(NamedTuple):
    """Each list as (primary key, label) pairs, in the models' own order; and the name of
    every agent, active or not, by primary key (the queue names assignees from it)."""

    agents: list[tuple[int, str]]
    teams: list[tuple[int, str]]
    categories: list[tuple[int, str]]
    agent_names: dict[int, str]


def desk_choices() -> DeskChoices:
    """The lists, from the cache, or read now (and kept) when the cache has none."""
    if cache_breaker.closed():
        try:
            kept = cache.get(CACHE_KEY)
        except Exception:
            cache_breaker.trip()
            kept = None
        if isinstance(kept, DeskChoices):
            return kept
    agents = list(Agent.objects.select_related("user"))
    choices = DeskChoices(
        agents=[(agent.pk, agent.name) for agent in agents if agent.user.is_active],
        teams=list(Team.objects.values_list("pk", "name")),
        categories=list(Category.objects.values_list("pk", "name")),
        agent_names={agent.pk: agent.name for agent in agents},
    )
    if cache_breaker.closed():
        try:
            cache.set(CACHE_KEY, choices, CACHE_SECONDS)
        except Exception:
            cache_breaker.trip()
    return choices


def choices_offer(form, kept: DeskChoices, **lists: str) -> None:
    """Offer the kept lists in these fields of a form: `assignee="agents"` fills the
    assignee field with the active agents, after the field's own empty choice."""
    for name, kind in lists.items():
        field = form.fields[name]
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        field.choices = [*empty, *getattr(kept, kind)]


def desk_choices_forget(**kwargs) -> None:
    """A list changed: drop the kept lists now, and again once the change is committed
    (a page read between the two would have kept the lists as they were)."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    if not cache_breaker.closed():
        return
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        # Not fatal: the lists are kept for five minutes at most.
        logger.warning("Could not drop the desk's kept select lists.")
