"""The desk's select lists: active agents, teams and categories.

Every desk page offers them (the queue's filters and bulk form, the workspace's update
and escalate forms), and reading them and making a model instance of each row was about
a tenth of those pages' time. They are kept in the shared cache (helpdesk.lib.kept) and
dropped when an agent, a user, a team or a category is saved or deleted. Only what is
offered comes from here: a submitted choice is still checked against the database by
its form field.
"""

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from django.utils.translation import gettext as _

from agents.models import Agent, Team
from cases.models import Category
from helpdesk.lib.kept import kept, kept_drop

# The number names the tuple's shape: a new shape must not read an old one.
CACHE_KEY = "desk-choices:4"
CACHE_SECONDS = 300


class DeskChoices(NamedTuple):
    """Each list as (primary key, label) pairs, in the models' own order; the name of
    every agent, active or not, by primary key (the queue names assignees from it);
    each active agent's team and end of absence, where they have one; and the team a
    case without one goes to (routing), if there is a team."""

    agents: list[tuple[int, str]]
    teams: list[tuple[int, str]]
    categories: list[tuple[int, str]]
    agent_names: dict[int, str]
    agent_teams: dict[int, str]
    away_until: dict[int, datetime]
    default_team: Team | None

    def agents_described(self, now: datetime) -> list[tuple[int, str]]:
        """The active agents as a choice of owner shows them: "name (team)", and
        "· away" after one who is away now."""
        described = []
        for pk, name in self.agents:
            label = f"{name} ({self.agent_teams[pk]})" if pk in self.agent_teams else name
            if pk in self.away_until and self.away_until[pk] > now:
                label += " · " + _("away")
            described.append((pk, label))
        return described


def desk_choices() -> DeskChoices:
    """The lists, from the cache, or read now (and kept) when the cache has none."""
    # Every desk page reads them: held in the process for a few seconds too
    # (helpdesk.lib.kept.MEMO_SECONDS), so a page does not wait on Redis for them.
    return kept(CACHE_KEY, _read, CACHE_SECONDS, remember=True)


def _read() -> DeskChoices:
    agents = list(Agent.objects.select_related("user", "team"))
    active = [agent for agent in agents if agent.user.is_active]
    teams = list(Team.objects.all())
    return DeskChoices(
        agents=[(agent.pk, agent.name) for agent in active],
        teams=[(team.pk, team.name) for team in teams],
        categories=list(Category.objects.values_list("pk", "name")),
        agent_names={agent.pk: agent.name for agent in agents},
        agent_teams={agent.pk: agent.team.name for agent in active if agent.team_id},
        away_until={agent.pk: agent.away_until for agent in active if agent.away_until},
        default_team=min(teams, key=lambda team: (not team.is_default, team.pk), default=None),
    )


def name_of(names: dict[int, str], pk: int | None, read: Callable[[], object]) -> str | None:
    """The kept name of the row with this primary key; one added since the names were
    kept is read (`read()`, a rare query)."""
    if pk is None:
        return None
    name = names.get(pk)
    return name if name is not None else str(read())


def choices_offer(form, choices: DeskChoices, **lists: str) -> None:
    """Offer the kept lists in these fields of a form: `assignee="agents"` fills the
    assignee field with the active agents, after the field's own empty choice."""
    for name, kind in lists.items():
        field = form.fields[name]
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        field.choices = [*empty, *getattr(choices, kind)]


def desk_choices_forget(*, update_fields=None, **kwargs) -> None:
    """A list changed (a post_save or post_delete receiver). A login saves the user's
    last_login alone, which no list shows: that keeps the lists."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    kept_drop(CACHE_KEY)
