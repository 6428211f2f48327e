"""The IMAP way in: poll the desk's mailbox and file each message with inbox.ingest.

A message leaves the server (deleted, or moved to IMAP_PROCESSED_FOLDER) only after
ingest has committed what it made of it, quarantined messages included. A poll that
stops half-way leaves the rest on the server for the next one; a message filed
twice is recognised by its Message-ID.
"""

import imaplib
import logging
import re

from django.conf import settings
from django.db import transaction

from inbox.ingest import InboundResult, ingest

logger = logging.getLogger(__name__)


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple, what: str):
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP {what} failed: {data!r}")
    return data


def _connect() -> imaplib.IMAP4:
    kind = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    connection = kind(settings.IMAP_HOST, settings.IMAP_PORT, timeout=settings.IMAP_TIMEOUT)
    _check(connection.login(settings.IMAP_USER, settings.IMAP_PASSWORD), "login")
    return connection


def _raw_message(data) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and re.search(rb"BODY\[\]", item[0]):
            return item[1]
    return None


def poll_mailbox(*, limit: int = 200) -> list[InboundResult]:
    """File up to `limit` messages waiting in the mailbox; returns what became of each."""
    if transaction.get_connection().in_atomic_block:
        # Removing a message from the server is safe only once its case is committed.
        raise RuntimeError("poll_mailbox must not run inside a transaction.")
    results = []
    connection = _connect()
    try:
        capabilities = set(_check(connection.capability(), "CAPABILITY")[0].upper().split())
        processed = settings.IMAP_PROCESSED_FOLDER
        if processed:
            # Answers NO when the folder exists already; that is fine.
            connection.create(_quoted(processed))
        _check(connection.select(_quoted(settings.IMAP_FOLDER)), "SELECT")
        uids = _check(connection.uid("SEARCH", None, "UNDELETED"), "SEARCH")[0].split()
        for uid in uids[:limit]:
            # PEEK leaves the message unread on the server until it is filed.
            data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
            raw = _raw_message(data)
            if raw is None:
                continue  # gone meanwhile (another poll took it)
            result = ingest(raw)
            logger.info("IMAP message %s: %s", uid.decode(), result)
            results.append(result)
            _remove(connection, uid, capabilities=capabilities, processed=processed)
        if "UIDPLUS" not in capabilities:
            _check(connection.expunge(), "EXPUNGE")
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return results


def _remove(connection: imaplib.IMAP4, uid: bytes, *, capabilities: set, processed: str) -> None:
    """Take a filed message out of the folder: moved to the processed folder, or deleted."""
    if processed and "MOVE" in capabilities:
        _check(connection.uid("MOVE", uid, _quoted(processed)), "MOVE")
        return
    if processed:
        _check(connection.uid("COPY", uid, _quoted(processed)), "COPY")
    _check(connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
    if "UIDPLUS" in capabilities:
        # Expunge only this message, not others someone flagged for deletion.
        _check(connection.uid("EXPUNGE", uid), "UID EXPUNGE")
