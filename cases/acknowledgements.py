"""Acknowledgements that cannot be used as a relay.

Anyone may name any address on the contact form, and the acknowledgement goes to that
address with the subject they typed: thirty posts from thirty client addresses made
thirty mails to one victim, each carrying the attacker's "visit http://…". Two rules:

- **A cap per recipient address**: ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR acknowledgements
  within an hour of the first; the cases opened past it are still opened (valid input
  is never lost) but acknowledged together, in one digest mail at the end of that hour.
  The count lives in a database row per address, locked while it is read and written,
  so web processes and workers take turns on it (a cache could lose or split it).
- **Inert text to strangers**: to an address that has never answered us, the text a
  sender typed (the subject, the name) is shown with every link broken
  (`hxxp://evil[.]example`, `evil[.]example/path`), in the Subject header and in both
  parts of the mail, so our mail cannot carry someone else's link.

An address has **answered us** when its contact wrote a message on one of their cases
after that case was opened, other than through the contact form: a reply by mail, or a
message on the case page reached through a private link we mailed them. Opening a case
(by the form, by mail, through the API, or logged by an agent) is not an answer, nor is
a second post of the contact form. (A message moved into a case by a merge counts as
written there.)
"""

import re
import unicodedata
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cases.links import access_link_create
from cases.models import AcknowledgementWindow, Case, Message
from contacts.models import Contact
from outbox.models import OutboundEmail
from outbox.store import email_store

WINDOW = timedelta(hours=1)

# Dots as IDNA reads them (a mail client may too): ASCII, ideographic, full- and half-width.
DOT = "[.\u3002\uff0e\uff61]"
# What a mail client could turn into a link without a scheme: a host name (labels joined
# by dots, the last one starting with a letter, as top-level domains do) or an IPv4 address.
HOST_RE = re.compile(rf"(?:[\w-]+{DOT})+[^\W\d_][\w-]+|\d{{1,3}}(?:{DOT}\d{{1,3}}){{3}}")
DOT_RE = re.compile(DOT)
# Schemes that make a link: http(s) and ftp are written the way security teams write them
# (hxxp, fxp); any other "name://", and the few schemes that need no slashes (when
# something follows the colon at once), lose their colon ("ssh[:]//", "mailto[:]x").
SCHEME_RE = re.compile(
    r"\b(?:(https?|ftp)(?=\s*:\s*[/\\])"
    r"|([a-z][a-z0-9+.-]*)(?=\s*:\s*//)"
    r"|(javascript|vbscript|mailto|data|tel|sms)(?=:\S))\s*:",
    re.IGNORECASE,
)


def scheme_broken(match) -> str:
    web, other, bare = match.groups()
    if web:
        # Keep the letters' case: "HTTPS" is "HxxPS".
        return (web[0] + "xx" + web[3:] if len(web) > 3 else web[0] + "x" + web[2:]) + ":"
    return (other or bare) + "[:]"


def inert_text(text: str) -> str:
    """The text with nothing a mail client could make a link of.

    Width and compatibility forms are folded first (NFKC: a full-width "ｈｔｔｐ" is
    "http"), and invisible format characters dropped (zero-width joiners, bidi overrides
    that show "moc.live" as "evil.com")."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = HOST_RE.sub(lambda match: DOT_RE.sub("[.]", match.group()), text)
    return SCHEME_RE.sub(scheme_broken, text)


def has_answered(contact: Contact) -> bool:
    """Whether this contact ever answered us (see the module's docstring)."""
    return Message.objects.filter(
        author_contact=contact,
        is_internal=False,
        created_at__gt=F("case__created_at"),
        form_submissions__isnull=True,
    ).exists()


def address_hash(email: str) -> str:
    """The key of an address's window: the same for any letter case of it."""
    address = email.strip().lower()
    return salted_hmac("cases.acknowledgement-address", address, algorithm="sha256").hexdigest()


@transaction.atomic(savepoint=False)
def acknowledgement_take(*, case: Case) -> bool:
    """Whether the acknowledgement of this new case may be sent now; if not, it is held
    for the address's digest.

    Mostly one statement (window_count_one). Otherwise, under the row's lock: a window
    that is over starts again (its digest stored first, if the sweep has not yet); a full
    one holds the case."""
    now = timezone.now()
    key = address_hash(case.contact.email)
    cap = settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR
    if cap > 0 and window_count_one(key, now, cap):
        return True
    # A cap of 0: the row may not be there yet.
    AcknowledgementWindow.objects.bulk_create(
        [AcknowledgementWindow(address_hash=key, started_at=now)], ignore_conflicts=True
    )
    window = AcknowledgementWindow.objects.select_for_update().get(address_hash=key)
    if window.started_at + WINDOW <= now:
        if window.digest_due_at is not None:
            digest_store(window)
        window.started_at = now
        window.sent = 0
    if window.sent < settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR:
        window.sent += 1
        window.save(update_fields=["started_at", "sent"])
        return True
    window.held_cases.add(case)
    window.digest_due_at = window.started_at + WINDOW
    window.save(update_fields=["digest_due_at"])
    return False


def window_count_one(key: str, now, cap: int) -> bool:
    """Count one acknowledgement in the address's window, in one statement, if it has
    none yet (it starts now, with this one) or its hour is on and under the cap; False
    otherwise, changing nothing. Of two at once, the second waits for the first's row
    and checks the cap against it as it now is, so two processes never both take the
    last one (PostgreSQL and SQLite both read ON CONFLICT … DO UPDATE … WHERE so)."""
    name = connection.ops.quote_name
    table = name(AcknowledgementWindow._meta.db_table)
    sent, started = name("sent"), name("started_at")
    sql = (
        f"INSERT INTO {table} ({name('address_hash')}, {started}, {sent}) VALUES (%s, %s, 1)"
        f" ON CONFLICT ({name('address_hash')}) DO UPDATE SET {sent} = {table}.{sent} + 1"
        f" WHERE {table}.{started} > %s AND {table}.{sent} < %s RETURNING {name('id')}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, adapt(now), adapt(now - WINDOW), cap])
        return cursor.fetchone() is not None


def acknowledgement_digests_send(*, now=None) -> int:
    """Store the digest of every window that is over and held acknowledgements; how many.
    Each window is locked and checked again, so two sweeps (or a sweep and a new case for
    the same address) store one digest."""
    now = now or timezone.now()
    due = AcknowledgementWindow.objects.filter(digest_due_at__lte=now).values_list("pk", flat=True)
    stored = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            window = (
                AcknowledgementWindow.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, digest_due_at__lte=now)
                .first()
            )
            if window is not None:
                stored += digest_store(window) is not None
    return stored


def digest_store(window: AcknowledgementWindow) -> OutboundEmail | None:
    """One mail listing the cases whose acknowledgement the cap held back in this window,
    each with its private link, in the contact's language; the window is then clear.
    (Kind "acknowledgement": it is one, for several cases; it names no single case, so an
    answer to it opens a case unless it names a reference.)"""
    cases = list(
        window.held_cases.filter(contact__erased_at__isnull=True)
        .select_related("contact")
        .order_by("pk")
    )
    window.held_cases.clear()
    window.digest_due_at = None
    window.save(update_fields=["digest_due_at"])
    if not cases:  # erased since, or deleted
        return None
    contact = cases[-1].contact
    plain = has_answered(contact)
    shown = (lambda text: text) if plain else inert_text
    context = {
        "contact": contact,
        "first_name": shown(contact.first_name),
        "site_name": settings.SITE_NAME,
        "cases": [(case, shown(case.subject), access_link_create(case=case)) for case in cases],
    }
    return email_store(
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        to=contact.email,
        template="case_ack_digest",
        context=context,
        language=contact.language,
    )


@shared_task
def acknowledgement_digests() -> int:
    """The beat's task (a module the worker loads: cases.tasks imports cases.mails)."""
    return acknowledgement_digests_send()
