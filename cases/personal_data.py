"""A contact's personal data: all of it in one ZIP file, or erased.

Export: the contact's details, every case with its messages (internal notes too: they
are about the person), attachments and rating, as `contact.json` with the files beside
it. Erasure: name, email, phone and organization replaced; every subject, message body,
rating comment and attachment of their cases removed; their links revoked and mail not
yet sent to them dropped. The case rows stay, with their timestamps, statuses, response
times and rating scores, so the reports read the same afterwards. Both are audited.
Retention: contacts with no open case and nothing new for RETENTION_MONTHS are erased
by a daily task (`manage.py retention --dry-run` lists them first).
"""

import calendar
import json
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from audit.log import Action, audit_record
from cases.models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseAccessToken,
    CaseRating,
    Message,
)
from cases.signals import contact_erased
from contacts.models import Contact
from outbox.models import OutboundEmail

ERASED_SUBJECT = "(erased)"
# A customer's own copy: a signed link mailed to them, good for a day.
DATA_LINK_SECONDS = 24 * 3600
DATA_LINK_SALT = "cases.personal_data.copy"
ERASED_DOMAIN = "erased.invalid"  # .invalid never resolves: nothing can be sent there


def erased_name(pk: int) -> str:
    return f"Erased contact {pk}"


def contact_label(contact: Contact) -> str:
    """How the audit log names a contact: by number, never by their name."""
    return f"contact #{contact.pk}"


def data_link_create(contact: Contact) -> str:
    """The address of the contact's copy of their data: signed, good for a day."""
    token = signing.TimestampSigner(salt=DATA_LINK_SALT).sign(str(contact.pk))
    return f"{settings.SITE_URL}{reverse('cases:customer_data', args=[token])}"


def data_link_contact(token: str) -> Contact | None:
    """The contact a data link was made for, or None: forged, expired or erased since."""
    try:
        pk = signing.TimestampSigner(salt=DATA_LINK_SALT).unsign(token, max_age=DATA_LINK_SECONDS)
    except signing.BadSignature:
        return None
    return (
        Contact.objects.select_related("organization", "owner__user")
        .filter(pk=int(pk), erased_at__isnull=True)
        .first()
    )


def contact_export(
    *, contact: Contact, request=None, actor=None, how: str = ""
) -> tempfile.SpooledTemporaryFile:
    """Everything held about the contact, as a ZIP file opened at its start."""
    cases = list(
        Case.objects.filter(contact=contact)
        .select_related("rating", "assignee__user", "category")
        .prefetch_related("messages__attachments", "messages__author_agent__user")
        .order_by("created_at", "pk")
    )
    files = []
    cases_data = []
    for case in cases:
        messages = []
        for message in sorted(case.messages.all(), key=lambda m: (m.created_at, m.pk)):
            attachments = []
            for attachment in message.attachments.all():
                path = f"attachments/{case.reference}/{attachment.pk}-{attachment.name}"
                files.append((path, attachment))
                attachments.append(
                    {
                        "name": attachment.name,
                        "size": attachment.size,
                        "content_type": attachment.content_type,
                        "file": path,
                    }
                )
            messages.append(
                {
                    "at": message.created_at.isoformat(),
                    "from": message.author_agent.name if message.author_agent else contact.name,
                    "internal_note": message.is_internal,
                    "channel": message.channel,
                    "body": message.body,
                    "attachments": attachments,
                }
            )
        rating = getattr(case, "rating", None)
        cases_data.append(
            {
                "reference": case.reference,
                "subject": case.subject,
                "status": case.status,
                "priority": case.get_priority_display(),
                "channel": case.channel,
                "category": case.category.name if case.category else None,
                "assignee": case.assignee.name if case.assignee else None,
                "created_at": case.created_at.isoformat(),
                "messages": messages,
                "rating": None
                if rating is None
                else {
                    "score": rating.score,
                    "recommend": rating.recommend,
                    "comment": rating.comment,
                    "at": rating.created_at.isoformat(),
                },
            }
        )
    document = {
        "exported_at": timezone.now().isoformat(),
        "contact": {
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "organization": contact.organization.name if contact.organization else None,
            "language": contact.language,
            "since": contact.created_at.isoformat(),
            "owner": contact.owner.name if contact.owner else None,
        },
        "cases": cases_data,
    }
    archive = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("contact.json", json.dumps(document, indent=2, ensure_ascii=False))
        for path, attachment in files:
            with attachment.file.open("rb") as source, zipped.open(path, "w") as target:
                for chunk in iter(lambda source=source: source.read(1 << 16), b""):
                    target.write(chunk)
    archive.seek(0)
    audit_record(
        Action.CONTACT_EXPORTED,
        request=request,
        actor=actor,
        target=contact,
        label=contact_label(contact),
        detail=f"{how + ': ' if how else ''}{len(cases)} cases, {len(files)} files",
    )
    return archive


@dataclass
class Erased:
    cases: int
    messages: int
    files: int


@transaction.atomic
def contact_erase(*, contact: Contact, request=None, actor=None, why: str = "") -> Erased:
    """Erase what the contact's cases hold of them and replace their details."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    now = timezone.now()
    cases = Case.objects.filter(contact=contact)
    attachments = list(Attachment.objects.filter(message__case__contact=contact))
    names = [attachment.file.name for attachment in attachments]
    storage = Attachment._meta.get_field("file").storage
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    messages = Message.objects.filter(case__contact=contact).update(body="")
    count = cases.update(subject=ERASED_SUBJECT)
    CaseRating.objects.filter(case__contact=contact).update(comment="")
    CaseAccessToken.objects.filter(case__contact=contact, revoked_at__isnull=True).update(
        revoked_at=now
    )
    erased_email = f"erased-{contact.pk}@{ERASED_DOMAIN}"
    mail = OutboundEmail.objects.filter(to__iexact=contact.email)
    mail.filter(sent_at__isnull=True, failed_at__isnull=True).update(
        failed_at=now, last_error="The contact was erased."
    )
    mail.update(to=erased_email, subject=ERASED_SUBJECT, body_text="", body_html="")
    contact.name = erased_name(contact.pk)
    contact.email = erased_email
    contact.phone = ""
    contact.organization = None
    contact.erased_at = now
    contact.save(update_fields=["name", "email", "phone", "organization", "erased_at"])
    erased = Erased(cases=count, messages=messages, files=len(names))
    contact_erased.send(sender=Contact, contact_id=contact.pk)
    audit_record(
        Action.CONTACT_ERASED,
        request=request,
        actor=actor,
        target=contact,
        label=contact_label(contact),
        detail=f"{why + ': ' if why else ''}{count} cases, {messages} messages, {len(names)} files",
    )
    return erased


def months_before(moment, months: int):
    """The same day and time `months` calendar months earlier (the month's last day
    when it has no such day: 31 May less three months is 28 or 29 February)."""
    year, month = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + year, month + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def retention_due(now=None):
    """Contacts kept past RETENTION_MONTHS: not erased yet, no open case, and nothing
    new from them or their cases since the cut-off (none when the setting is 0)."""
    months = settings.RETENTION_MONTHS
    if months <= 0:
        return Contact.objects.none()
    cutoff = months_before(now or timezone.now(), months)
    return (
        Contact.objects.filter(erased_at__isnull=True, created_at__lt=cutoff)
        .exclude(cases__status__in=OPEN_STATUSES)
        .annotate(last_activity=Max("cases__last_activity_at"))
        .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=cutoff))
        .order_by("pk")
    )


def retention_erase(now=None) -> list[Contact]:
    """Erase every contact kept past RETENTION_MONTHS; each erasure is its own
    transaction and its own audit entry."""
    erased = []
    for contact in list(retention_due(now)):
        contact_erase(contact=contact, why=f"retention ({settings.RETENTION_MONTHS} months)")
        erased.append(contact)
    return erased
