"""Which files a customer or agent may attach, checked by name and by content."""

import secrets
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from cases.models import Attachment, Message

TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".log": "text/plain"}
# Extension -> the content types that the file's own bytes may show.
BINARY_TYPES = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".heic": {"image/heic"},
    ".docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    ".xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    ".pptx": {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
    },
    ".odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    ".ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
    ".zip": {"application/zip"},
}
ALLOWED_EXTENSIONS = sorted(set(TEXT_TYPES) | set(BINARY_TYPES))


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample.
        return error.start >= len(head) - 3
    return True


def check_upload(upload) -> str:
    """The content type to store for an upload, or a ValidationError saying what is wrong."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; files may be at most "
            f"{filesizeformat(settings.ATTACHMENT_MAX_BYTES)}."
        )
    if upload.size == 0:
        raise ValidationError(f"“{name}” is empty.")
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            f"“{name}”: {extension or 'files without an extension'} cannot be attached. "
            f"Allowed: {', '.join(ALLOWED_EXTENSIONS)}."
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if extension in TEXT_TYPES:
        if not _looks_like_text(head):
            raise ValidationError(f"“{name}” does not contain text, whatever its name says.")
        return TEXT_TYPES[extension]
    kind = filetype.guess(head)
    if kind is None or kind.mime not in BINARY_TYPES[extension]:
        raise ValidationError(f"“{name}” is not really a {extension} file.")
    return kind.mime


def attachments_store(*, message: Message, uploads, content_types: list[str]) -> list[Attachment]:
    """Store checked uploads on a message, under random names outside any public path."""
    stored = []
    for upload, content_type in zip(uploads, content_types, strict=True):
        attachment = Attachment(
            message=message,
            storage_key=secrets.token_hex(16),
            name=PurePath(upload.name).name[:255],
            size=upload.size,
            content_type=content_type,
        )
        attachment.file.save(attachment.storage_key, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
