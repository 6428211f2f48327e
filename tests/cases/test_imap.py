"""The IMAP poll against a real IMAP server: Debian's dovecot, started on loopback."""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import OperationalError, transaction

from cases.models import Case
from inbox.imap import poll_mailbox
from inbox.models import QuarantinedEmail
from inbox.tasks import poll_mailbox as poll_mailbox_task
from tests.cases.test_inbound import database_unreachable, eml

# Real commits: the poll deletes a message only once its case is committed.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret"


def _dovecot() -> str:
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    message = "dovecot is not installed: apt-get install dovecot-imapd"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (.ci/run installs it)", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def imap_server():
    """A dovecot of the test's own, on a free port of 127.0.0.1, accepting any user with
    PASSWORD; each user has an empty mailbox. It needs no system dovecot service."""
    dovecot = _dovecot()
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    root.chmod(0o755)
    mail = root / "mail"
    mail.mkdir()
    port = _free_port()
    me = pwd.getpwuid(os.getuid())
    if os.getuid() == 0:
        # Dovecot refuses to hand mail to root: the mailboxes belong to nobody.
        owner = pwd.getpwnam("nobody")
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        users = ""
    else:
        owner = me
        users = (
            f"default_login_user = {me.pw_name}\n"
            f"default_internal_user = {me.pw_name}\n"
            f"default_internal_group = {grp.getgrgid(os.getgid()).gr_name}\n"
        )
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{users}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail}/%u/Maildir
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={mail}/%u
}}
# No chroot: an unprivileged user may not, and the server is the test's alone.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    process = subprocess.Popen([dovecot, "-F", "-c", str(config)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    pytest.fail(f"dovecot did not start: {process.stderr.read()!r} {log}")
                time.sleep(0.1)
        yield {"host": "127.0.0.1", "port": port}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(imap_server, settings):
    """A fresh mailbox on the server, with the desk's settings pointing at it."""
    user = f"desk-{uuid.uuid4().hex[:12]}"
    settings.IMAP_HOST = imap_server["host"]
    settings.IMAP_PORT = imap_server["port"]
    settings.IMAP_SSL = False
    settings.IMAP_USER = user
    settings.IMAP_PASSWORD = PASSWORD
    settings.IMAP_FOLDER = "INBOX"
    settings.IMAP_PROCESSED_FOLDER = ""
    connection = imaplib.IMAP4(imap_server["host"], imap_server["port"], timeout=10)
    connection.login(user, PASSWORD)
    yield connection
    connection.logout()


def deliver(mailbox: imaplib.IMAP4, *raws: bytes) -> None:
    for raw in raws:
        status, _ = mailbox.append("INBOX", None, None, raw.replace(b"\n", b"\r\n"))
        assert status == "OK"


def subjects_in(mailbox: imaplib.IMAP4, folder: str) -> list[str]:
    status, _ = mailbox.select(f'"{folder}"', readonly=True)
    assert status == "OK"
    _, data = mailbox.search(None, "UNDELETED")
    subjects = []
    for number in data[0].split():
        _, fetched = mailbox.fetch(number, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects.append(fetched[0][1].decode().strip().removeprefix("Subject: "))
    return subjects


def test_the_poll_files_each_message_and_deletes_it_from_the_server(mailbox, team):
    deliver(mailbox, eml("plain.eml"), eml("broken_mime.eml"), eml("latin1.eml"))

    results = poll_mailbox()

    assert [result.action for result in results] == ["created", "quarantined", "created"]
    assert sorted(Case.objects.values_list("subject", flat=True)) == [
        "My order has not arrived",
        "Problème de livraison à Besançon",
    ]
    assert QuarantinedEmail.objects.get().subject == "Logs from the crash"
    assert subjects_in(mailbox, "INBOX") == []


def test_the_poll_moves_filed_messages_to_the_processed_folder(mailbox, team, settings):
    settings.IMAP_PROCESSED_FOLDER = "Processed"
    deliver(mailbox, eml("plain.eml"), eml("from_desk.eml"))

    assert [result.action for result in poll_mailbox()] == ["created", "ignored"]

    assert subjects_in(mailbox, "INBOX") == []
    assert subjects_in(mailbox, "Processed") == [
        "My order has not arrived",
        "[HD-000042] Re: Printer offline",
    ]


def test_messages_stay_on_the_server_until_the_database_takes_them(mailbox, team):
    deliver(mailbox, eml("plain.eml"), eml("multipart_alternative.eml"))

    with database_unreachable(), pytest.raises(OperationalError):
        poll_mailbox()

    assert len(subjects_in(mailbox, "INBOX")) == 2
    assert [result.action for result in poll_mailbox()] == ["created", "created"]
    assert subjects_in(mailbox, "INBOX") == []


def test_a_message_filed_before_a_crash_is_not_filed_twice(mailbox, team):
    deliver(mailbox, eml("plain.eml"))
    poll_mailbox()
    # As if the poll had stopped between filing the message and deleting it.
    deliver(mailbox, eml("plain.eml"))

    assert [result.action for result in poll_mailbox()] == ["duplicate"]
    assert Case.objects.count() == 1
    assert subjects_in(mailbox, "INBOX") == []


def test_the_beat_task_polls_the_mailbox(mailbox, team):
    deliver(mailbox, eml("shift_jis.eml"))

    assert poll_mailbox_task.delay().get() == 1
    assert Case.objects.get().subject == "配送について"


def test_the_beat_task_does_nothing_without_an_imap_host(settings):
    settings.IMAP_HOST = ""

    assert poll_mailbox_task.delay().get() == 0


def test_the_poll_refuses_to_run_inside_a_transaction(mailbox):
    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a transaction"):
        poll_mailbox()
