"""Timeline events keep what they say as a sentence's code and parameters (cases.said),
put into the reader's language when shown. Events already written are read back into
codes where their English words are one of the sentences; any other keeps its words."""

import re

from django.db import migrations, models

STATUS = {
    "New": "new",
    "Open": "open",
    "Waiting on customer": "waiting",
    "Resolved": "resolved",
    "Closed": "closed",
}
PRIORITY = {"Low": 1, "Normal": 2, "High": 3, "Urgent": 4}
CHANNEL = {
    "web form": "web",
    "email": "email",
    "phone": "phone",
    "chat": "chat",
    "walk-in": "walk_in",
    "social media": "social",
}


def _status(match):
    before, after = match.group(1), match.group(2)
    if before in STATUS and after in STATUS:
        return "status", {"before": STATUS[before], "after": STATUS[after]}
    return None


def _priority(match):
    before, after, why = match.group(1), match.group(2), match.group(3) or ""
    if before in PRIORITY and after in PRIORITY:
        return "priority", {"before": PRIORITY[before], "after": PRIORITY[after], "why": why}
    return None


def _category(match):
    before, after = (name if name != "none" else "" for name in match.groups())
    return "category", {"before": before, "after": after}


def _assignee(match):
    before, after, why = (match.group(1), match.group(2), match.group(3) or "")
    return "assignee", {
        "before": "" if before == "unassigned" else before,
        "after": "" if after == "unassigned" else after,
        "why": why,
    }


def _wrote(match):
    channel = CHANNEL.get(match.group(2))
    return ("customer_wrote", {"contact": match.group(1), "channel": channel}) if channel else None


def _channel_of(code, **names):
    def read(match):
        channel = CHANNEL.get(match.group("channel"))
        if channel is None:
            return None
        return code, {"channel": channel, **{n: match.group(g) for n, g in names.items()}}

    return read


# (kind, pattern, what it becomes): the sentences as cases.said wrote them in English. A
# reminder's due time was written without its year or zone: those keep their words.
READINGS = [
    ("status", re.compile(r"^Status: (.+) → (.+)\.$"), _status),
    ("priority", re.compile(r"^Priority: (.+?) → (.+?)(?:\.|, (.+))$"), _priority),
    ("category", re.compile(r"^Category: (.+) → (.+)\.$"), _category),
    ("assigned", re.compile(r"^Assignee: (.+?) → (.+?)\.(?: (.+))?$"), _assignee),
    ("replied", re.compile(r"^Replied to (.+)\.$"), lambda m: ("replied", {"contact": m[1]})),
    ("note", re.compile(r"^Added an internal note\.$"), lambda m: ("note", {})),
    (
        "created",
        re.compile(r"^Opened by (?P<contact>.+) through the (?P<channel>[\w -]+)\.$"),
        _channel_of("opened", contact="contact"),
    ),
    (
        "created",
        re.compile(r"^Logged by (?P<agent>.+?) from the (?P<channel>[\w -]+) of (?P<contact>.+)\.$"),
        _channel_of("logged", agent="agent", contact="contact"),
    ),
    (
        "created",
        re.compile(
            r"^Opened through the API by “(?P<integration>.+)” for (?P<contact>.+) "
            r"\((?P<channel>[\w -]+)\)\.$"
        ),
        _channel_of("opened_by_api", integration="integration", contact="contact"),
    ),
    (
        "status",
        re.compile(r"^Closed automatically (\d+) days? after it was resolved\.$"),
        lambda m: ("auto_closed", {"days": int(m[1])}),
    ),
    ("customer_wrote", re.compile(r"^(.+) wrote \((.+)\)\.$"), _wrote),
    (
        "reopened",
        re.compile(r"^Reopened: (.+) wrote after the case was resolved\.$"),
        lambda m: ("reopened_by_writing", {"contact": m[1]}),
    ),
    (
        "reopened",
        re.compile(r"^Reopened by (.+) from their case page\.$"),
        lambda m: ("reopened_by_customer", {"contact": m[1]}),
    ),
    (
        "status",
        re.compile(r"^(.+) marked the case resolved\.$"),
        lambda m: ("resolved_by_customer", {"contact": m[1]}),
    ),
    (
        "rated",
        re.compile(r"^Rated (\d)/5\.( With a comment\.)?$"),
        lambda m: ("rated", {"score": int(m[1]), "comment": bool(m[2])}),
    ),
    (
        "link",
        re.compile(r"^Revoked (\d+) customer links?\.$"),
        lambda m: ("links_revoked", {"count": int(m[1])}),
    ),
]


def reading(kind: str, detail: str):
    """The (code, params) an English detail was written from, or None."""
    for wanted, pattern, read in READINGS:
        if wanted == kind and (match := pattern.match(detail)):
            found = read(match)
            if found:
                return found
    return None


def events_read(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    kinds = sorted({kind for kind, _pattern, _read in READINGS})
    changed = []
    rows = CaseEvent.objects.filter(kind__in=kinds, code="").only("pk", "kind", "detail")
    for event in rows.iterator(chunk_size=2000):
        found = reading(event.kind, event.detail)
        if found:
            event.code, event.params = found
            changed.append(event)
        if len(changed) >= 2000:
            CaseEvent.objects.bulk_update(changed, ["code", "params"])
            changed = []
    CaseEvent.objects.bulk_update(changed, ["code", "params"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_search_unaccent"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="code",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(events_read, migrations.RunPython.noop),
    ]
