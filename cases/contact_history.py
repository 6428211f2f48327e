"""A contact's history as the desk reads it: the contact with organization, owner and
counts of cases; a page of their cases; the history of their owner (the contact's page);
their latest other cases (beside a case in the workspace).

These are read on every view of a case or a contact, so they are written as SQL
(helpdesk.lib.rows): through the ORM, compiling them took about three times as long as
the database took to answer them.
"""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection

from agents.models import Agent
from cases.models import OPEN_STATUSES, Case
from contacts.models import Contact, Organization, OwnerChange
from helpdesk.lib.rows import Joined, fetch_together

CASES_A_PAGE = 25
MAX_PAGE = 10**6  # past the end of any contact's cases

CONTACT = Joined((Contact, "k"), (Organization, "o"), (Agent, "w"))
# What a row of the page shows; the rest of a case is deferred.
CASE_ROW = Joined(
    (Case, "c", {"subject", "status", "priority", "assignee", "created_at", "contact"})
)
HISTORY = Joined((OwnerChange, "h"), (get_user_model(), "u"))


class ContactHistory(NamedTuple):
    contact: Contact
    page: Page  # of their cases, newest first
    owner_changes: list[OwnerChange]  # newest first, each with the user who made it


def contact_history(pk: int, number) -> ContactHistory | None:
    """The contact (with organization and owner; `case_count` and `open_case_count` say
    how many cases they have, and how many are open), the page of their cases that
    `number` asks for, as Paginator.get_page finds it (the first when it is not a
    number, the last when it is past either end), and every change of their owner.
    None when there is no such contact.

    The three reads go to the database together (helpdesk.lib.rows.fetch_together);
    a page number past the end, known only once the cases are counted, costs one more.
    """
    low, high = connection.ops.integer_field_range(Contact._meta.pk.get_internal_type())
    if not low <= pk <= high:  # no such row, and too large for the database to be asked
        return None
    try:  # the page read with the contact, until the count says which one is meant
        guess = int(number)
    except (TypeError, ValueError):
        guess = 1
    if not 1 <= guess <= MAX_PAGE:
        guess = 1
    contacts, rows, changes = fetch_together(
        (_contact_sql(), [*OPEN_STATUSES, pk]),
        (_cases_sql(), [pk, CASES_A_PAGE, (guess - 1) * CASES_A_PAGE]),
        (_history_sql(), [pk]),
    )
    if not contacts:
        return None
    (contact, organization, owner), (total, open_count) = CONTACT.build(contacts[0])
    contact.organization = organization
    contact.owner = owner
    contact.case_count = total
    contact.open_case_count = open_count
    paginator = Paginator((), CASES_A_PAGE)
    paginator.count = total
    try:
        number = paginator.validate_number(number)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    if number != guess:
        with connection.cursor() as cursor:
            cursor.execute(_cases_sql(), [pk, CASES_A_PAGE, (number - 1) * CASES_A_PAGE])
            rows = cursor.fetchall()
    cases = []
    for row in rows:
        (case,), _ = CASE_ROW.build(row)
        case.contact = contact
        cases.append(case)
    history = []
    for row in changes:
        (change, actor), _ = HISTORY.build(row)
        change.actor = actor
        change.contact = contact
        history.append(change)
    return ContactHistory(contact, Page(cases, number, paginator), history)


def latest_other_cases(case: Case, limit: int) -> tuple[list[Case], bool]:
    """The contact's newest cases but this one, at most `limit`, and whether they have
    more (the page lists them all)."""
    with connection.cursor() as cursor:
        cursor.execute(_cases_sql(excluding=True), [case.contact_id, case.pk, limit + 1, 0])
        rows = cursor.fetchall()
    others = []
    for row in rows[:limit]:
        (other,), _ = CASE_ROW.build(row)
        others.append(other)
    return others, len(rows) > limit


def _contact_sql() -> str:
    # Both counts are served by the index on the cases' contact.
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    return CONTACT.select(
        "o.id = k.organization_id",
        "w.id = k.owner_id",
        where="k.id = %s",
        extra="(SELECT COUNT(*) FROM {cases} n WHERE n.contact_id = k.id),"
        " (SELECT COUNT(*) FROM {cases} n WHERE n.contact_id = k.id"
        f" AND n.status IN ({statuses}))",
        tables={"cases": Case},
    )


def _cases_sql(*, excluding: bool = False) -> str:
    """The contact's cases, newest first (parameters: the contact, with `excluding` a
    case left out, the limit and the offset)."""
    but = " AND c.id <> %s" if excluding else ""
    return CASE_ROW.select(
        where=f"c.contact_id = %s{but}",
        tail="ORDER BY c.created_at DESC, c.id DESC LIMIT %s OFFSET %s",
    )


def _history_sql() -> str:
    return HISTORY.select(
        "u.id = h.actor_id",
        where="h.contact_id = %s",
        tail="ORDER BY h.created_at DESC, h.id DESC",
    )
