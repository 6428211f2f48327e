"""The headline figures of the reports page: each with its value, its change against the
previous period of the same length (in words, with better or worse) and its definition."""

from django.utils.translation import gettext as _

from reports.figures import bucket_label, number_text, percent_text, score_text


def headlines_of(report) -> list[dict]:
    """The headline figures, each against the previous period of the same length."""
    now, before = report.current, report.before
    rows = [
        (
            "created",
            _("New cases"),
            now["created"],
            before["created"],
            str,
            True,
            None,
            _("Cases opened in the period, by any channel."),
        ),
        (
            "solved",
            _("Solved"),
            now["solved"],
            before["solved"],
            str,
            True,
            True,
            _("Cases resolved in the period (the last time, if reopened and solved again)."),
        ),
        (
            "response",
            _("First response, median"),
            now.median("response"),
            before.median("response"),
            bucket_label,
            False,
            True,
            _(
                "Business time from opening to the first public agent reply, for cases first "
                "answered in the period; counted in buckets (15 min, 30 min, 1 h, 2 h, 4 h, 8 h, "
                "1 d, 2 d, 4 d, 1 wk, 2 wk)."
            ),
        ),
        (
            "response_p90",
            _("First response, 90th percentile"),
            now.p90("response"),
            before.p90("response"),
            bucket_label,
            False,
            True,
            _("Nine in ten first responses came within this time."),
        ),
        (
            "resolution",
            _("Resolution, median"),
            now.median("resolution"),
            before.median("resolution"),
            bucket_label,
            False,
            True,
            _(
                "Business time from opening to solved, less the time waiting on the customer, "
                "for cases solved in the period."
            ),
        ),
        (
            "resolution_p90",
            _("Resolution, 90th percentile"),
            now.p90("resolution"),
            before.p90("resolution"),
            bucket_label,
            False,
            True,
            _("Nine in ten cases were solved within this time."),
        ),
        (
            "fcr",
            _("First-contact resolution"),
            now.first_contact_rate(),
            before.first_contact_rate(),
            percent_text,
            True,
            True,
            _("Solved cases resolved with one agent reply and never reopened."),
        ),
        (
            "compliance",
            _("Response-time compliance"),
            now.compliance(),
            before.compliance(),
            percent_text,
            True,
            True,
            _(
                "Targets met out of all first-response, next-reply and resolution targets that "
                "came due and were met or missed in the period."
            ),
        ),
        (
            "reopen",
            _("Reopen rate"),
            now.reopen_rate(),
            before.reopen_rate(),
            percent_text,
            False,
            True,
            _("Solved cases that had been reopened at least once."),
        ),
        (
            "satisfaction",
            _("Satisfaction"),
            now.average_score(),
            before.average_score(),
            score_text,
            True,
            True,
            _("Average rating (1 to 5) given by customers in the period."),
        ),
        (
            "rated",
            _("Rating response rate"),
            now.response_rate(),
            before.response_rate(),
            percent_text,
            True,
            True,
            _("Ratings given in the period per case solved in it."),
        ),
        (
            "nps",
            _("Net Promoter Score"),
            now.nps(),
            before.nps(),
            lambda v: "–" if v is None else f"{v:+d}",
            True,
            True,
            _(
                "Of customers who said how likely they are to recommend us (0–10): the share "
                "giving 9 or 10 less the share giving 0 to 6, from −100 to +100."
            ),
        ),
        (
            "owner",
            _("Handled by the single point of contact"),
            now.owner_rate(),
            before.owner_rate(),
            percent_text,
            True,
            True,
            _(
                "Solved cases whose every public reply came from the contact's owner, or the "
                "owner's backup."
            ),
        ),
        (
            "handoffs",
            _("Hand-offs per case"),
            now.handoffs_per_case(),
            before.handoffs_per_case(),
            lambda v: number_text(v, 2),
            False,
            True,
            _("Moves from one agent to another (or to another team's queue) per solved case."),
        ),
    ]
    headlines = []
    for key, name, value, previous, show, higher_better, judged, definition in rows:
        if value is None or previous is None:
            change, tone = (_("no figure to compare") if previous is None else ""), "neutral"
        elif value == previous:
            change, tone = _("same as the previous period"), "neutral"
        else:
            up = value > previous
            change = (_("up from %s") if up else _("down from %s")) % show(previous)
            if judged is None:
                tone = "neutral"
            else:
                tone = "good" if up == higher_better else "bad"
        headlines.append(
            {
                "key": key,
                "name": name,
                "value": show(value),
                "previous": show(previous),
                "change": change,
                "tone": tone,
                "definition": definition,
            }
        )
    return headlines
