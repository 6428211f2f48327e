"""What a timeline event says: a code and its parameters, put into words in the reader's
language when the timeline is shown (the desk in the agent's, a French agent reading a
case written by a Spanish one). The English words are kept as well, in the event's
`detail`: for admin, exports, and events written before codes.

A parameter is a plain value (a name, a number, a reference), a choice's code turned into
its label when shown (`status`, `priority`, `channel` — the label in the reader's
language), or another Said (a reason inside a change, as {"code": …, "params": …}).
"""

from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Channel, Priority, Status, Target


class Said:
    """A sentence of the timeline, kept as its code and parameters."""

    def __init__(self, code: str, **params):
        if code not in SENTENCES:
            raise KeyError(f"No sentence {code!r}: add it to cases.said.SENTENCES.")
        self.code = code
        self.params = {
            name: {"code": value.code, "params": value.params} if isinstance(value, Said) else value
            for name, value in params.items()
        }

    def __str__(self) -> str:
        return words(self.code, self.params)

    def english(self) -> str:
        with translation.override("en"):
            return str(self)


def words(code: str, params: dict) -> str:
    """The sentence in the active language. An unknown code (a newer version wrote it)
    says nothing rather than fail the page."""
    sentence = SENTENCES.get(code)
    if sentence is None:
        return ""
    shown = {name: _shown(value) for name, value in params.items()}
    return sentence(shown)


def _shown(value):
    if isinstance(value, dict) and "code" in value:
        return words(value["code"], value.get("params", {}))
    return value


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _moment(iso: str, pattern: str) -> str:
    """A moment kept as ISO text, in the reader's time zone and language."""
    return date_format(timezone.localtime(parse_datetime(iso)), pattern)


def _language(code: str) -> str:
    """A language's name in the reader's language."""
    return str(translation.get_language_info(code)["name_translated"])


def _then(sentence: str, why) -> str:
    """A sentence followed by its reason, if there is one."""
    return f"{sentence} {why}" if why else sentence


SENTENCES = {
    "status": lambda p: (
        _("Status: %(before)s → %(after)s.")
        % {"before": _label(Status, p["before"]), "after": _label(Status, p["after"])}
    ),
    "priority": lambda p: (
        (
            _("Priority: %(before)s → %(after)s, %(why)s")
            if p.get("why")
            else _("Priority: %(before)s → %(after)s.")
        )
        % {
            "before": _label(Priority, p["before"]),
            "after": _label(Priority, p["after"]),
            "why": p.get("why", ""),
        }
    ),
    "category": lambda p: (
        _("Category: %(before)s → %(after)s.")
        % {"before": p["before"] or _("none"), "after": p["after"] or _("none")}
    ),
    "assignee": lambda p: _then(
        _("Assignee: %(before)s → %(after)s.")
        % {"before": p["before"] or _("unassigned"), "after": p["after"] or _("unassigned")},
        p.get("why"),
    ),
    "becomes_owner": lambda p: _then(
        p.get("why") or "", _("%(agent)s becomes the contact's owner.") % p
    ).strip(),
    "claimed": lambda p: _("Claimed."),
    "took_by_replying": lambda p: _("Took the case by replying."),
    "backup_takes_reopened": lambda p: (
        _("%(agent)s is away; the backup takes the reopened case.") % p
    ),
    "replied": lambda p: _("Replied to %(contact)s.") % p,
    "note": lambda p: _("Added an internal note."),
    "customer_wrote": lambda p: (
        _("%(contact)s wrote (%(channel)s).")
        % {"contact": p["contact"], "channel": _label(Channel, p["channel"]).lower()}
    ),
    "reopened_by_writing": lambda p: (
        _("Reopened: %(contact)s wrote after the case was resolved.") % p
    ),
    "resolved_by_customer": lambda p: _("%(contact)s marked the case resolved.") % p,
    "reopened_by_customer": lambda p: _("Reopened by %(contact)s from their case page.") % p,
    "rated": lambda p: (
        (_("Rated %(score)s/5. With a comment.") if p.get("comment") else _("Rated %(score)s/5."))
        % p
    ),
    "merged_into": lambda p: (
        ngettext(
            "Merged into %(target)s; its %(count)d message moved there.",
            "Merged into %(target)s; its %(count)d messages moved there.",
            p["count"],
        )
        % p
    ),
    "merged_in": lambda p: (
        ngettext(
            "%(source)s (%(subject)s) was merged in with %(count)d message.",
            "%(source)s (%(subject)s) was merged in with %(count)d messages.",
            p["count"],
        )
        % p
    ),
    "opened_by_api": lambda p: (
        _("Opened through the API by “%(integration)s” for %(contact)s (%(channel)s).")
        % {**p, "channel": _label(Channel, p["channel"]).lower()}
    ),
    "logged": lambda p: (
        _("Logged by %(agent)s from the %(channel)s of %(contact)s.")
        % {**p, "channel": _label(Channel, p["channel"]).lower()}
    ),
    "opened": lambda p: (
        _("Opened by %(contact)s through the %(channel)s.")
        % {**p, "channel": _label(Channel, p["channel"]).lower()}
    ),
    "target_missed": lambda p: (
        _("because the %(target)s target was missed.")
        % {"target": _label(Target, p["target"]).lower()}
    ),
    "escalated_to_queue": lambda p: (
        _("Escalated to the %(team)s queue: the %(target)s target was missed.")
        % {"team": p["team"], "target": _label(Target, p["target"]).lower()}
    ),
    "due_soon": lambda p: (
        _("%(target)s is due soon: due %(due)s.")
        % {"target": _label(Target, p["target"]), "due": _moment(p["due"], "j M H:i")}
    ),
    "overdue": lambda p: (
        _("%(target)s is overdue: due %(due)s.")
        % {"target": _label(Target, p["target"]), "due": _moment(p["due"], "j M H:i")}
    ),
    "auto_closed": lambda p: (
        ngettext(
            "Closed automatically %(days)d day after it was resolved.",
            "Closed automatically %(days)d days after it was resolved.",
            p["days"],
        )
        % p
    ),
    # Routing (cases.routing): who gets a new case, and why.
    "agent_left": lambda p: _("%(agent)s has left the desk") % p,
    "agent_away": lambda p: (
        _("%(agent)s is away until %(until)s")
        % {"agent": p["agent"], "until": _moment(p["until"], "j M")}
    ),
    "routed_owner": lambda p: _("Routed to %(agent)s, the contact's owner.") % p,
    "routed_backup": lambda p: _("Owner %(owner)s; routed to backup %(backup)s.") % p,
    "no_owner": lambda p: _("The contact has no owner yet; "),
    "owner_out_no_backup": lambda p: _("Owner %(owner)s; no backup is named; ") % p,
    "owner_out_backup_out": lambda p: _("Owner %(owner)s; backup %(backup)s; ") % p,
    "no_team": lambda p: p["why"] + _("no team for this category, left unassigned."),
    "none_available": lambda p: (
        p["why"]
        + _("no agent of %(team)s is available; left unassigned in the %(team)s queue.")
        % {"team": p["team"]}
    ),
    "routed_speaker": lambda p: (
        p["why"]
        + (
            _(
                "routed to %(agent)s, who speaks %(language)s "
                "(least loaded of %(speakers)d, %(load)d open)."
            )
            if p["speakers"] > 1
            else _(
                "routed to %(agent)s, who speaks %(language)s "
                "(the only one in %(team)s, %(load)d open)."
            )
        )
        % {**p, "language": _language(p["language"])}
    ),
    "routed_least_loaded": lambda p: (
        p["why"]
        + _("routed to %(agent)s, the least-loaded available agent of %(team)s (%(load)d open).")
        % p
    ),
    "handed_over": lambda p: (
        _("Reassigned from %(before)s to %(after)s: %(before)s's work was handed over.") % p
    ),
    "mail_from_stranger": lambda p: (
        _("Mail from %(sender)s, who is not on this case, went to %(reference)s.") % p
    ),
    "attachments_refused": lambda p: (
        ngettext(
            "%(count)d attachment of an email was not kept.",
            "%(count)d attachments of an email were not kept.",
            p["count"],
        )
        % p
    ),
    "links_revoked": lambda p: (
        ngettext(
            "Revoked %(count)d customer link.", "Revoked %(count)d customer links.", p["count"]
        )
        % p
    ),
}
