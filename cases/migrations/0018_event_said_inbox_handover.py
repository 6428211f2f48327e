"""Three more timeline sentences written as codes (cases.said): a leaving agent's work
handed over, and the desk's notes on mail from someone not on a case and on attachments
not kept. Events already written are read back into codes where their English words
are one of these sentences; any other keeps its words."""

import re

from django.db import migrations

# (kind, pattern, what it becomes): the sentences as they were written in English.
READINGS = [
    (
        "reassigned",
        re.compile(r"^Reassigned from (.+) to (.+): \1's work was handed over\.$"),
        lambda m: ("handed_over", {"before": m[1], "after": m[2]}),
    ),
    (
        "note",
        re.compile(r"^Mail from (.+), who is not on this case, went to ([A-Z]+-\d+)\.$"),
        lambda m: ("mail_from_stranger", {"sender": m[1], "reference": m[2]}),
    ),
    (
        "note",
        re.compile(r"^(\d+) attachment\(s\) of an email were not kept\.$"),
        lambda m: ("attachments_refused", {"count": int(m[1])}),
    ),
]


def reading(kind: str, detail: str):
    """The (code, params) an English detail was written from, or None."""
    for wanted, pattern, read in READINGS:
        if wanted == kind and (match := pattern.match(detail)):
            return read(match)
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
        ("cases", "0017_event_said"),
    ]

    operations = [
        migrations.RunPython(events_read, migrations.RunPython.noop),
    ]
