"""Inbound mail: one parser for the MTA pipe, the IMAP poll and provider webhooks.

`ingest(raw)` takes one RFC 822 message and files it: into its case when it answers
one of ours (In-Reply-To/References, or the reference in the subject when the
sender is that case's contact), else as a new case for the sender. Auto-replies,
bounces and loops are ignored; a message that cannot be read is quarantined with
the reason, so it never blocks the messages after it.
"""

import codecs
import hashlib
import logging
import mimetypes
import re
import time
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from cases.attachments import check_upload
from cases.models import (
    Case,
    CaseEvent,
    Channel,
    Message,
    OutboundEmail,
    QuarantinedEmail,
    parse_reference,
)
from cases.services import case_customer_reply, case_lock, case_open, case_record
from contacts.models import Contact
from contacts.services import contact_get_or_create

logger = logging.getLogger(__name__)

# A reference anywhere in a subject, as in "Re: [HD-000123] My order".
SUBJECT_REFERENCE_RE = re.compile(r"\bHD-?\d{1,12}\b", re.IGNORECASE)
MESSAGE_ID_RE = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")
# Control characters have no place in a header, and a NUL cannot be stored at all.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORWARD_SUBJECT_RE = re.compile(r"^\s*(fwd?|fw|tr|wg|rv|i)\s*:", re.IGNORECASE)

# MIME damage that loses content: such a message goes to quarantine, not into a case.
BROKEN_MIME = (
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.CloseBoundaryNotFoundDefect,
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.MultipartInvariantViolationDefect,
    email_errors.InvalidMultipartContentTransferEncodingDefect,
    email_errors.InvalidBase64PaddingDefect,
    email_errors.InvalidBase64LengthDefect,
)
# Labels that mail clients use for a charset, mapped to the superset they really mean
# (as browsers do): Windows writes € and “quotes” into "ISO-8859-1" mail.
CHARSET_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
MAX_BODY_CHARS = 100_000
# The placeholder for the first message of a case that came with no text at all.
NO_TEXT = "(The email had no text.)"


@dataclass
class InboundResult:
    """What ingest did with one message, and why."""

    action: str  # created, threaded, duplicate, ignored or quarantined
    case: Case | None = None
    message: Message | None = None
    reason: str = ""
    quarantined: QuarantinedEmail | None = None

    def __str__(self):
        where = f" {self.case.reference}" if self.case else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.action}{where}{why}"


class Unreadable(Exception):
    """The message cannot be read; the text says why, for the quarantine."""


@dataclass
class InboundMail:
    """What the desk keeps of one parsed message."""

    sender: str
    sender_name: str
    subject: str
    message_id: str
    answers_to: list[str]
    body: str
    uploads: list = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def ingest(raw: bytes) -> InboundResult:
    """File one raw message; see the module's docstring. What it stores is committed
    when it returns (unless the caller holds a transaction open)."""
    sender = subject = ""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        subject = _subject(message)
        sender = _header(message, "From")
        sender, sender_name = _sender(message)
        reason = ignore_reason(message, sender)
        message_id = _message_id(message, raw)
        answers_to = _answers_to(message)
    except Exception as error:
        return quarantine(raw, reason=_why(error), sender=sender, subject=subject)

    if reason:
        logger.info("Ignored inbound mail from %s: %s", sender, reason)
        return InboundResult("ignored", reason=reason)
    if OutboundEmail.objects.filter(message_id_header=message_id).exists():
        return InboundResult("ignored", reason="our own email came back")
    duplicate = _duplicate(message_id)
    if duplicate:
        return duplicate
    if not _sender_allowed(sender):
        limit = settings.INBOUND_MAX_PER_SENDER_PER_HOUR
        logger.warning("Ignored inbound mail from %s: over %s this hour.", sender, limit)
        return InboundResult("ignored", reason=f"more than {limit} emails from {sender} this hour")

    mail = InboundMail(
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        message_id=message_id,
        answers_to=answers_to,
        body="",
    )
    try:
        _read_content(message, mail)
    except Exception as error:
        return quarantine(raw, reason=_why(error), sender=sender, subject=subject)

    try:
        return _file(mail)
    except (OperationalError, InterfaceError):
        # The database is unreachable or busy: the caller keeps the mail and tries later.
        raise
    except IntegrityError as error:
        # The same message, delivered twice at the same moment, was filed by the other one.
        duplicate = _duplicate(message_id)
        if duplicate:
            return duplicate
        logger.exception("Could not file inbound mail %s", message_id)
        return quarantine(raw, reason=f"could not be filed: {_why(error)}", sender=sender)
    except Exception as error:
        # A message must never block the ones after it: keep it for a manager instead.
        logger.exception("Could not file inbound mail %s", message_id)
        return quarantine(raw, reason=f"could not be filed: {_why(error)}", sender=sender)


def ignore_reason(message: EmailMessage, sender: str) -> str:
    """Why a message must not become a case (bounce, loop, auto-reply), or ""."""
    if message.get_content_type() == "multipart/report":
        return "delivery report (bounce)"
    if sender.partition("@")[0].lower() in BOUNCE_SENDERS:
        return f"bounce (from {sender})"
    if any(str(value).strip() == "<>" for value in message.get_all("Return-Path", [])):
        return "bounce (empty Return-Path)"
    if sender.lower() in _desk_addresses():
        return "mail from the desk's own address"
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"automatic reply (Auto-Submitted: {auto_submitted})"
    precedence = _header(message, "Precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"automatic or bulk mail (Precedence: {precedence})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autogenerated"):
        if name in message:
            return f"automatic reply ({name})"
    return ""


@transaction.atomic
def _file(mail: InboundMail) -> InboundResult:
    case, refused_case = _thread(mail)
    contact, _ = contact_get_or_create(email=mail.sender, name=mail.sender_name)
    if case is not None:
        message = case_customer_reply(
            case=case,
            contact=contact,
            body=mail.body,
            channel=Channel.EMAIL,
            uploads=mail.uploads,
            content_types=mail.content_types,
            message_id=mail.message_id,
        )
        # A closed case stays closed: the reply opened a follow-up case.
        action = "threaded" if message.case_id == case.pk else "created"
        case = message.case
    else:
        case = case_open(
            contact=contact,
            subject=mail.subject,
            body=mail.body,
            channel=Channel.EMAIL,
            uploads=mail.uploads,
            content_types=mail.content_types,
        )
        message = case.messages.get()
        message.message_id = mail.message_id
        message.save(update_fields=["message_id"])
        action = "created"
    if refused_case is not None:
        _note_stranger(refused_case, mail, filed_as=case)
    if mail.refused:
        _note_refused(case, mail)
    return InboundResult(action, case=case, message=message)


def _thread(mail: InboundMail) -> tuple[Case | None, Case | None]:
    """The case this mail answers, and a case it answers that its sender may not write into.

    Mail threads into a case by the Message-IDs it replies to, else by the reference in
    its subject, and in both ways only when the sender is on that case (see
    `case_addresses`): a desk Message-ID travels in forwarded mail and copies, and a
    reference can be typed by anyone, so neither proves who is writing.
    """
    refused = None
    if mail.answers_to:
        by_id = dict(
            Message.objects.filter(message_id__in=mail.answers_to).values_list(
                "message_id", "case_id"
            )
        )
        # A reminder goes to an agent: an agent's answer to it is not the customer's.
        by_id |= dict(
            OutboundEmail.objects.filter(message_id_header__in=mail.answers_to, case__isnull=False)
            .exclude(kind=OutboundEmail.Kind.REMINDER)
            .values_list("message_id_header", "case_id")
        )
        for message_id in mail.answers_to:
            if message_id in by_id:
                case = _merged_target(Case.objects.get(pk=by_id[message_id]))
                if mail.sender.lower() in case_addresses(case):
                    return case, None
                refused = case
                break
    for match in SUBJECT_REFERENCE_RE.finditer(mail.subject):
        case = Case.objects.filter(pk=parse_reference(match.group())).first()
        if case is not None:
            case = _merged_target(case)
            if mail.sender.lower() in case_addresses(case):
                return case, None
    return None, refused


def case_addresses(case: Case) -> set[str]:
    """The email addresses that may write into a case by mail, lower-cased: its contact's
    and those of the people who already wrote on it as customers."""
    authors = Contact.objects.filter(
        pk__in=Message.objects.filter(case=case, author_contact__isnull=False).values(
            "author_contact_id"
        )
    )
    addresses = {email.lower() for email in authors.values_list("email", flat=True)}
    return addresses | {case.contact.email.lower()}


def _merged_target(case: Case) -> Case:
    """A merged case's conversation goes on in the case it was merged into."""
    seen = {case.pk}
    while case.merged_into_id and case.merged_into_id not in seen:
        case = case.merged_into
        seen.add(case.pk)
    return case


def _note_stranger(case: Case, mail: InboundMail, *, filed_as: Case) -> None:
    """Tell the agents of a case that someone not on it answered its mail, and where that
    mail went instead; nothing of it shows on the customer's page."""
    case = case_lock(case)
    case.messages.create(
        is_internal=True,
        channel=Channel.EMAIL,
        body=(
            f"An email from {mail.sender} answered this case's mail, but that address is not "
            f"on this case, so it was filed as {filed_as.reference} instead."
        ),
    )
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.NOTE,
        detail=f"Mail from {mail.sender}, who is not on this case, went to {filed_as.reference}.",
    )
    case.save(update_fields=["version", "last_activity_at", "last_activity_by"])


def _note_refused(case: Case, mail: InboundMail) -> None:
    """Tell the agents which attachments of the email were not kept, and why."""
    case = case_lock(case)
    lines = "\n".join(f"- {reason}" for reason in mail.refused)
    case.messages.create(
        is_internal=True,
        channel=Channel.EMAIL,
        body=f"Attachments of the email from {mail.sender} that were not kept:\n{lines}",
    )
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.NOTE,
        detail=f"{len(mail.refused)} attachment(s) of an email were not kept.",
    )
    case.save(update_fields=["version", "last_activity_at", "last_activity_by"])


def _duplicate(message_id: str) -> InboundResult | None:
    message = Message.objects.filter(message_id=message_id).select_related("case").first()
    if message is None:
        return None
    return InboundResult(
        "duplicate", case=message.case, message=message, reason="this email was already filed"
    )


def quarantine(raw: bytes, *, reason: str, sender: str = "", subject: str = "") -> InboundResult:
    logger.warning("Quarantined inbound mail from %r: %s", sender or "unknown sender", reason)
    quarantined = QuarantinedEmail.objects.create(
        raw=raw,
        reason=CONTROL_RE.sub("?", reason),
        sender=CONTROL_RE.sub("?", sender)[:320],
        subject=CONTROL_RE.sub("?", subject)[:300],
    )
    return InboundResult("quarantined", reason=reason, quarantined=quarantined)


def _why(error: Exception) -> str:
    if isinstance(error, Unreadable):
        return str(error)
    return f"could not be read ({type(error).__name__}: {error})"


# Reading the message


def _header(message: EmailMessage, name: str) -> str:
    """A header's value on one line, without control characters ("" if absent)."""
    value = message.get(name)
    return " ".join(CONTROL_RE.sub(" ", str(value)).split()) if value is not None else ""


def _subject(message: EmailMessage) -> str:
    return _header(message, "Subject")[:200]


def _sender(message: EmailMessage) -> tuple[str, str]:
    """The From address and display name; Unreadable if there is no usable one."""
    header = message.get("From")
    if header is None:
        raise Unreadable("no From header")
    addresses = getattr(header, "addresses", ())
    if addresses:
        name, address = addresses[0].display_name, addresses[0].addr_spec
    else:
        name, address = parseaddr(str(header))
    address = address.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise Unreadable(f"the From address {str(header)[:100]!r} is not valid") from None
    if CONTROL_RE.search(address):
        raise Unreadable("the From address contains control characters")
    if len(address) > 254:
        raise Unreadable("the From address is too long")
    name = " ".join(CONTROL_RE.sub(" ", name).split())[:200] or address.partition("@")[0]
    return address, name


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID as "<...>"; a message without a usable one is named by its content,
    so the same bytes delivered twice are still recognised."""
    match = MESSAGE_ID_RE.search(str(message.get("Message-ID", "")))
    if match and len(match.group()) <= 255:
        return match.group()
    return f"<{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"


def _answers_to(message: EmailMessage) -> list[str]:
    """The Message-IDs this message answers, the most direct first."""
    replied = MESSAGE_ID_RE.findall(str(message.get("In-Reply-To", "")))
    referenced = MESSAGE_ID_RE.findall(str(message.get("References", "")))
    return list(dict.fromkeys(replied + referenced[::-1]))


def _desk_addresses() -> set[str]:
    return {
        settings.HELPDESK_EMAIL.lower(),
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
    } - {""}


def _sender_allowed(sender: str) -> bool:
    """Count this message against the sender's hourly allowance; False once it is used up."""
    period = 3600
    digest = hashlib.sha256(sender.lower().encode()).hexdigest()[:32]
    key = f"inbound:{digest}:{int(time.time() // period)}"
    try:
        cache.add(key, 0, timeout=period)
        count = cache.incr(key)
    except Exception:
        # If the cache is unreachable, take the mail rather than lose it.
        return True
    return count <= settings.INBOUND_MAX_PER_SENDER_PER_HOUR


def _read_content(message: EmailMessage, mail: InboundMail) -> None:
    """Fill in the body (the reply only) and the attachments; Unreadable if they are broken."""
    _check_defects(message)
    body = _text_of(message)
    forwarded = [
        _forwarded_text(part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "message/rfc822"
    ]
    if forwarded or not FORWARD_SUBJECT_RE.match(mail.subject):
        # A message forwarded in the text is all content; any other text is a reply
        # above quoted history and a signature.
        body = reply_text(body)
    body = "\n\n".join(text for text in [body, *forwarded] if text.strip())
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS] + "\n[…the rest of this long email was cut]"
    _read_attachments(message, mail)
    # Decoding the parts (base64) is what finds the damage inside them.
    _check_defects(message)
    mail.body = body or (
        "(The email had no text; see its attachments.)" if mail.uploads else NO_TEXT
    )
    if not mail.subject:
        mail.subject = (body.strip().splitlines() or ["(no subject)"])[0][:80]


def _check_defects(message: EmailMessage) -> None:
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, BROKEN_MIME):
                raise Unreadable(f"broken MIME: {type(defect).__name__} ({defect})")


def _text_of(message: EmailMessage) -> str:
    """The message's text: its plain part, else its HTML part turned into text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = decode_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    # A NUL cannot be stored in a text column, and means nothing in a message's text.
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


def decode_text(part: EmailMessage) -> str:
    """A text part's content in its declared charset; Unreadable for an unknown charset."""
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "").strip().lower()
    if charset in ("", "us-ascii", "ascii"):
        # Undeclared 8-bit text is nearly always UTF-8, else Windows' Latin.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")
    codec = CHARSET_SUPERSETS.get(charset, charset)
    try:
        codecs.lookup(codec)
    except LookupError:
        raise Unreadable(f"unknown charset {charset!r}") from None
    return payload.decode(codec, errors="replace")


def _forwarded_text(forwarded: EmailMessage) -> str:
    """A message forwarded as an attachment, as the text an agent would want to read."""
    headers = "\n".join(
        f"{name}: {_header(forwarded, name)}"
        for name in ("From", "Date", "Subject", "To")
        if forwarded.get(name) is not None
    )
    return f"---------- Forwarded message ----------\n{headers}\n\n{_text_of(forwarded)}"


def _read_attachments(message: EmailMessage, mail: InboundMail) -> None:
    """Every file in the message, through the web form's checks; refused ones are listed."""
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name and part.get_content_maintype() == "image":
            # An inline image without a name (a pasted screenshot) is still the customer's.
            extension = mimetypes.guess_extension(part.get_content_type()) or ""
            name = f"image-{len(parts) + 1}{extension}"
        if name:
            name = " ".join(CONTROL_RE.sub(" ", name).split()) or "attachment"
            parts.append((part.get_content_disposition() == "inline", name, part))
    # Files the customer attached come before inline pictures such as signature logos.
    parts.sort(key=lambda item: item[0])
    for _, name, part in parts:
        content = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(name, content, content_type=part.get_content_type())
        try:
            content_type = check_upload(upload)
        except ValidationError as error:
            mail.refused.append(" ".join(error.messages))
            continue
        if len(mail.uploads) >= settings.ATTACHMENT_MAX_FILES:
            limit = settings.ATTACHMENT_MAX_FILES
            mail.refused.append(f"“{name}”: past the limit of {limit} file(s) per message.")
            continue
        mail.uploads.append(upload)
        mail.content_types.append(content_type)


# Keeping the reply, dropping quoted history and signatures

SIGNATURE_RE = re.compile(r"^--\s?$")
ORIGINAL_MESSAGE_RE = re.compile(
    r"^\s*-{2,}\s*(original message|message d'origine|mensaje original|"
    r"ursprüngliche nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
RULE_RE = re.compile(r"^\s*_{10,}\s*$")
QUOTE_FROM_RE = re.compile(r"^\s*\*?(from|de|von)\s*:", re.IGNORECASE)
QUOTE_SENT_RE = re.compile(r"^\s*\*?(sent|date|envoyé|gesendet|enviado)\s*:", re.IGNORECASE)
ATTRIBUTION_RE = re.compile(
    r"^\s*(on|le|el|am)\s.*\d.*(wrote|a écrit|escribió|schrieb)\s*:\s*$", re.IGNORECASE
)
DEVICE_SIGNATURE_RE = re.compile(r"^\s*(sent from my |get outlook for )", re.IGNORECASE)


def reply_text(text: str) -> str:
    """What the sender wrote above the quoted history and their signature.

    Cuts at a signature line ("-- "), Outlook's "-----Original Message-----" or
    "From: … Sent: …" block, and Gmail's "On <date>, <name> wrote:" (which may wrap
    over two lines); drops lines quoted with ">". If nothing is left, the whole text
    is kept rather than lose what the sender wrote.
    """
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            SIGNATURE_RE.match(line)
            or ORIGINAL_MESSAGE_RE.match(line)
            or RULE_RE.match(line)
            or ATTRIBUTION_RE.match(line)
            or (ATTRIBUTION_RE.match(f"{line} {following}") and not line.lstrip().startswith(">"))
            or (
                QUOTE_FROM_RE.match(line)
                and any(QUOTE_SENT_RE.match(later) for later in lines[index + 1 : index + 4])
            )
        ):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or DEVICE_SIGNATURE_RE.match(kept[-1])):
        kept.pop()
    reply = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return reply or text.strip()


class _HtmlText(HTMLParser):
    """HTML mail as plain text: blocks become lines, quotes, styles and scripts go."""

    SKIP = {"style", "script", "head", "title", "blockquote"}
    LINE = {"div", "li", "tr", "dt", "dd"}
    PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.newlines = 0
        self.skipping = ""
        self.depth = 0
        self.links: list[str | None] = []

    def _break(self, count: int) -> None:
        if self.out and self.newlines < count:
            self.out.append("\n" * (count - self.newlines))
            self.newlines = count

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            self.depth += tag == self.skipping
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in self.SKIP or (tag == "div" and "gmail_quote" in classes):
            self.skipping, self.depth = tag, 1
        elif tag == "br":
            self.out.append("\n")
            self.newlines += 1
        elif tag in self.LINE:
            self._break(1)
            if tag == "li":
                self.out.append("- ")
                self.newlines = 0
        elif tag in self.PARAGRAPH:
            self._break(2)
        elif tag == "a":
            self.links.append(attributes.get("href"))

    def handle_endtag(self, tag):
        if self.skipping:
            self.depth -= tag == self.skipping
            if self.depth <= 0:
                self.skipping = ""
            return
        if tag in self.LINE:
            self._break(1)
        elif tag in self.PARAGRAPH:
            self._break(2)
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith(("http://", "https://")) and href not in self.out[-1:]:
                self.out.append(f" ({href})")

    def handle_data(self, data):
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if self.newlines:
            text = text.lstrip()
        if text:
            self.out.append(text)
            self.newlines = 0


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def inbound_mail_received(sender, event, esp_name, **kwargs) -> InboundResult:
    """django-anymail's inbound signal: a provider's webhook delivered a message."""
    message = event.message
    try:
        raw = message.as_bytes()
    except Exception:
        raw = message.as_string().encode("utf-8", "surrogateescape")
    result = ingest(raw)
    logger.info("Inbound mail from %s by %s: %s", message.get("From"), esp_name, result)
    return result
