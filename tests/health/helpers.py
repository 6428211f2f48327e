"""Shared by the health tests: a recorded heartbeat, a stored mail."""

import uuid
from datetime import datetime

from health.models import Heartbeat
from outbox.models import OutboundEmail


def heartbeat_at(*, beat: datetime | None, worker: datetime | None) -> Heartbeat:
    return Heartbeat.objects.create(pk=Heartbeat.ROW, beat_sent_at=beat, worker_ran_at=worker)


def mail_stored_at(moment: datetime, **fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        to="maria@customer.example",
        subject="[HD-000001] We received your message",
        body_text="Thank you.",
        message_id_header=f"<{uuid.uuid4().hex}@help.example.com>",
        created_at=moment,
        **fields,
    )
