"""Who gets a new case: the single point of contact.

First match wins, and the reason is written to the case's timeline:
1. the contact's owner, if available;
2. the owner's backup, if the owner is away and the backup is available;
3. the least-loaded available agent of the category's team; for a contact with no owner
   yet, the least loaded of the team's available agents who speak the contact's language
   when any does (Agent.languages);
4. unassigned, in the category's team queue.
A contact with no owner gets as owner the agent who receives their first case.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from agents.models import Agent, Team
from cases.choices import desk_choices
from cases.models import AgentLoad, Case, CaseEvent
from cases.said import Said
from cases.timeline import case_record
from contacts.models import Contact
from contacts.services import contact_adopt
from helpdesk.lib.rows import Joined


@dataclass
class Decision:
    assignee: Agent | None
    team: Team | None
    # Kept on the timeline as a sentence, read in the reader's language (cases.said).
    reason: Said


def _unavailable(agent: Agent, now) -> Said:
    if not agent.user.is_active:
        return Said("agent_left", agent=agent.name)
    return Said("agent_away", agent=agent.name, until=agent.away_until.isoformat())


def least_loaded_agent(team: Team, now) -> tuple[Agent | None, int]:
    """The available agent of a team with the fewest open cases (ties: longest on the team).

    Each agent's open cases are counted by database triggers (cases.models.AgentLoad): one
    row per agent read, however many cases they hold. The chosen agent's row stays locked
    until the case is committed, and a case routed at the same moment skips a locked row
    and takes the next agent: two new cases go to two idle agents, and neither waits for
    the other's transaction (a lock on the whole team made every intake wait its turn).
    Only when every available agent is being given a case does a routing wait. Written
    as SQL (helpdesk.lib.rows): the ORM spent longer compiling it than the database
    answering."""
    agent, load, _speakers = _least_loaded(team, now, "")
    return agent, load


def least_loaded_speaker(team: Team, now, language: str) -> tuple[Agent | None, int, int]:
    """As least_loaded_agent, but the available agents of the team who speak `language`
    come first: the least loaded of them, else the least loaded of the team; and how many
    available agents of the team speak it. Still one query: a routing that finds every
    speaker's row locked by another waits for one rather than take a non-speaker."""
    return _least_loaded(team, now, language)


def _least_loaded(team: Team, now, language: str) -> tuple[Agent | None, int, int]:
    available = [team.pk, True, connection.ops.adapt_datetimefield_value(now)]
    if language:
        spoken = f"%,{language},%"  # languages are stored as "en,fr" (agents.models)
        params = [*available, spoken, *available, spoken]
    else:
        params = available
    if connection.features.has_select_for_update_skip_locked:
        # A row another routing holds is skipped; when all are, wait for one.
        locks = ["FOR UPDATE OF l SKIP LOCKED", "FOR UPDATE OF l"]
    else:  # SQLite: one writer at a time
        locks = [""]
    for lock in locks:
        row = _one(least_loaded_sql(lock, bool(language)), params)
        if row is None:
            continue
        (agent, user), values = AGENT.build(row)
        agent.user = user
        load, speakers = values if language else (values[0], 0)
        if speakers and not agent.speaks(language) and lock != locks[-1]:
            continue  # every speaker's row is held: wait for one, not take another agent
        return agent, load, speakers
    return None, 0, 0


AGENT = Joined((Agent, "a"), (get_user_model(), "u"))


@functools.cache
def least_loaded_sql(lock: str, by_language: bool = False) -> str:
    name = connection.ops.quote_name

    def available(agent: str, user: str) -> str:
        return (
            f"{agent}.{name('team_id')} = %s AND {user}.{name('is_active')} = %s"
            f" AND ({agent}.{name('away_until')} IS NULL OR {agent}.{name('away_until')} <= %s)"
        )

    def speaks(agent: str) -> str:
        return f"(',' || {agent}.{name('languages')} || ',') LIKE %s"

    loads = name(AgentLoad._meta.db_table)
    agents = name(Agent._meta.db_table)
    users = name(get_user_model()._meta.db_table)
    speakers = order = ""
    if by_language:
        # How many available agents of the team speak it; they come first.
        speakers = (
            f", (SELECT COUNT(*) FROM {loads} m"
            f" JOIN {agents} s ON s.{name('id')} = m.{name('agent_id')}"
            f" JOIN {users} v ON v.{name('id')} = s.{name('user_id')}"
            f" WHERE {available('s', 'v')} AND {speaks('s')})"
        )
        order = f"CASE WHEN {speaks('a')} THEN 0 ELSE 1 END, "
    unchanged = ""
    if "SKIP LOCKED" in lock:
        # A row another routing committed between this query's snapshot and its lock is
        # locked as it is now (PostgreSQL reads it again), but it was chosen by its load
        # before: two cases at once went to one agent. Compared with the snapshot's own
        # reading of it, a row that changed is passed over for the next one.
        unchanged = (
            f" AND l.{name('open_cases')} = (SELECT m.{name('open_cases')} FROM {loads} m"
            f" WHERE m.{name('agent_id')} = l.{name('agent_id')})"
        )
    return (
        f"SELECT {AGENT.columns()}, l.{name('open_cases')}{speakers}"
        f" FROM {loads} l"
        f" JOIN {agents} a ON a.{name('id')} = l.{name('agent_id')}"
        f" JOIN {users} u ON u.{name('id')} = a.{name('user_id')}"
        f" WHERE {available('a', 'u')}{unchanged}"
        f" ORDER BY {order}l.{name('open_cases')}, l.{name('agent_id')} LIMIT 1 {lock}"
    )


def _one(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def decide(case: Case, contact: Contact, now) -> Decision:
    owner = contact.owner
    category_team = case.category.default_team if case.category_id else None
    if owner is not None:
        if owner.is_available(now):
            return Decision(
                owner, owner.team or category_team, Said("routed_owner", agent=owner.name)
            )
        owner_out = _unavailable(owner, now)
        backup = owner.backup
        if backup is not None and backup.pk != owner.pk:
            if backup.is_available(now):
                return Decision(
                    backup,
                    backup.team or category_team,
                    Said("routed_backup", owner=owner_out, backup=backup.name),
                )
            why = Said("owner_out_backup_out", owner=owner_out, backup=_unavailable(backup, now))
        else:
            why = Said("owner_out_no_backup", owner=owner_out)
    else:
        why = Said("no_owner")
    # Without a team of its own the case goes to the default team (kept with the desk's
    # lists: the form's cases without a category read no team).
    team = category_team or case.team or desk_choices().default_team
    if team is None:
        return Decision(None, None, Said("no_team", why=why))
    if owner is None and contact.language in dict(settings.LANGUAGES):
        # A new contact goes first to someone who speaks their language.
        agent, load, speakers = least_loaded_speaker(team, now, contact.language)
    else:
        agent, load, speakers = *least_loaded_agent(team, now), 0
    if agent is None:
        return Decision(None, team, Said("none_available", why=why, team=team.name))
    if speakers and agent.speaks(contact.language):
        return Decision(
            agent,
            team,
            Said(
                "routed_speaker",
                why=why,
                agent=agent.name,
                language=contact.language,
                speakers=speakers,
                team=team.name,
                load=load,
            ),
        )
    return Decision(
        agent,
        team,
        Said("routed_least_loaded", why=why, agent=agent.name, team=team.name, load=load),
    )


def assign(case: Case, *, actor=None, new_contact: Contact | None = None) -> tuple[Decision, str]:
    """Decide who gets a case and set its assignee and team (unsaved); the reason to
    write on its timeline comes back with the decision. Use inside a transaction.

    `new_contact` is the case's contact when this transaction created it: nobody else
    can see it yet, so it needs neither the lock nor a fresh read."""
    now = timezone.now()
    if new_contact is not None:
        contact = new_contact
    else:
        # Lock the contact: two cases of a new contact routed at once get one owner.
        # The lock is taken alone, then the row read afresh: a locking read that joins
        # may return the joined owner as it was before the other transaction.
        Contact.objects.select_for_update().filter(pk=case.contact_id).exists()
        contact = Contact.objects.select_related("owner__user", "owner__backup__user").get(
            pk=case.contact_id
        )
    decision = decide(case, contact, now)
    case.assignee = decision.assignee
    case.team = decision.team
    reason = decision.reason
    if decision.assignee is not None and contact_adopt(
        contact=contact, agent=decision.assignee, actor=actor
    ):
        reason = Said("becomes_owner", agent=decision.assignee.name, why=reason)
    return decision, reason


@transaction.atomic
def route(case: Case, *, actor=None) -> Decision:
    """Route a stored case by the single-point-of-contact rules, record why, and save it.
    (A new case is routed before it is first written: see cases.intake.)"""
    decision, reason = assign(case, actor=actor)
    case_record(case, actor=actor, kind=CaseEvent.Kind.ROUTED, detail=reason)
    case.save()
    return decision
