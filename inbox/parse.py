"""Reading one raw RFC 822 message into what the desk keeps of it (InboundMail).

Anything that cannot be read raises Unreadable with the reason, for the quarantine.
"""

import codecs
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email

from cases.attachments import check_upload
from inbox.reply_text import html_to_text, reply_text

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
MAX_BODY_CHARS = 100_000
# The placeholder for the first message of a case that came with no text at all.
NO_TEXT = "(The email had no text.)"


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


def parse_bytes(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def read_headers(message: EmailMessage, raw: bytes) -> InboundMail:
    """What the message's headers say (sender, subject, Message-IDs); Unreadable, or any
    parsing error, when they cannot be read."""
    subject = subject_of(message)
    sender, sender_name = sender_of(message)
    return InboundMail(
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        message_id=message_id_of(message, raw),
        answers_to=answers_to(message),
        body="",
    )


def header(message: EmailMessage, name: str) -> str:
    """A header's value on one line, without control characters ("" if absent)."""
    value = message.get(name)
    return " ".join(CONTROL_RE.sub(" ", str(value)).split()) if value is not None else ""


def subject_of(message: EmailMessage) -> str:
    return header(message, "Subject")[:200]


def sender_of(message: EmailMessage) -> tuple[str, str]:
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


def message_id_of(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID as "<...>"; a message without a usable one is named by its content,
    so the same bytes delivered twice are still recognised."""
    match = MESSAGE_ID_RE.search(str(message.get("Message-ID", "")))
    if match and len(match.group()) <= 255:
        return match.group()
    return f"<{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"


def answers_to(message: EmailMessage) -> list[str]:
    """The Message-IDs this message answers, the most direct first."""
    replied = MESSAGE_ID_RE.findall(str(message.get("In-Reply-To", "")))
    referenced = MESSAGE_ID_RE.findall(str(message.get("References", "")))
    return list(dict.fromkeys(replied + referenced[::-1]))


def read_content(message: EmailMessage, mail: InboundMail) -> None:
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
        f"{name}: {header(forwarded, name)}"
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
