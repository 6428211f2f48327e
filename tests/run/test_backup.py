"""`manage.py backup` and `manage.py restore`, on a SQLite file of their own.

Each test runs the commands in a fresh process with its own VAR_DIR (a copy of one
migrated site), as an operator would: the test database of the suite is never touched.
"""

import io
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.run.webserver import ROOT, SERVER_UNSET

SEED = """
from django.core.files.uploadedfile import SimpleUploadedFile
from cases.attachments import attachments_store
from tests.factories import MessageFactory

def case_with_file(subject, file_name):
    message = MessageFactory(
        case__subject=subject, case__contact__email=f"{file_name}@customer.example"
    )
    upload = SimpleUploadedFile(file_name, f"The text of {file_name}".encode())
    attachments_store(message=message, uploads=[upload], content_types=["text/plain"])

"""


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SERVER_UNSET}
    env.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="helpdesk.settings", **extra)
    return env


def manage(var_dir: Path, *arguments: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *map(str, arguments)],
        cwd=ROOT,
        env=environment(var_dir, **extra),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage_answering(var_dir: Path, answer: str, *arguments) -> subprocess.CompletedProcess:
    """Run a command at a terminal, where the operator types `answer` when asked."""
    terminal, command_side = pty.openpty()
    try:
        os.write(terminal, f"{answer}\n".encode())
        return subprocess.run(
            [sys.executable, "manage.py", *map(str, arguments)],
            cwd=ROOT,
            env=environment(var_dir),
            stdin=command_side,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.close(command_side)
        os.close(terminal)


def django_run(var_dir: Path, code: str) -> None:
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SEED + code],
        cwd=ROOT,
        env=environment(var_dir),
        check=True,
        timeout=120,
    )


def table_rows(var_dir: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the site's database."""
    with sqlite3.connect(var_dir / "helpdesk.sqlite3") as database:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: sorted(database.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


def attachment_files(var_dir: Path) -> dict[str, bytes]:
    root = var_dir / "attachments"
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("migrated")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=environment(var_dir),
        check=True,
    )
    return var_dir


@pytest.fixture(scope="module")
def seeded(migrated, tmp_path_factory):
    """A migrated site with two cases, each with an attached file."""
    var_dir = tmp_path_factory.mktemp("seeded") / "var"
    shutil.copytree(migrated, var_dir)
    django_run(
        var_dir,
        "case_with_file('Parcel lost', 'lost.txt')\ncase_with_file('Wrong size', 'size.txt')\n",
    )
    return var_dir


@pytest.fixture(scope="module")
def archive(seeded, tmp_path_factory):
    """The seeded site's backup (tests read it, never change it)."""
    path = tmp_path_factory.mktemp("archive") / "backup.tar.gz"
    result = manage(seeded, "backup", "--output", path)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def site(seeded, tmp_path):
    """This test's copy of the seeded site."""
    var_dir = tmp_path / "var"
    shutil.copytree(seeded, var_dir)
    return var_dir


def change_quickly(var_dir: Path) -> None:
    """A row and a file more, written directly: what a wrongful restore would undo."""
    with sqlite3.connect(var_dir / "helpdesk.sqlite3") as database:
        database.execute("INSERT INTO auth_group (name) VALUES ('Added after the backup')")
    (var_dir / "attachments" / "added-after-the-backup").write_bytes(b"new")


def change_everything(var_dir: Path) -> None:
    """A file deleted and a file added, a row deleted and rows added."""
    files = sorted(path for path in (var_dir / "attachments").rglob("*") if path.is_file())
    files[0].unlink()
    django_run(
        var_dir,
        "from cases.models import Case\n"
        "Case.objects.get(subject='Parcel lost').delete()\n"
        "case_with_file('Refund', 'refund.txt')\n",
    )


def archive_with(path: Path, source: Path, extra, *, recount: bool = True) -> Path:
    """A copy of the archive `source` with the members `extra` added; its manifest counts
    the added attachments too unless `recount` is off."""
    added = sum(1 for info, _ in extra if info.name.startswith("attachments/"))
    with tarfile.open(source, "r:gz") as original, tarfile.open(path, "w:gz") as copy:
        for item in original.getmembers():
            data = original.extractfile(item).read()
            if item.name == "manifest.json" and recount:
                manifest = json.loads(data)
                manifest["counts"]["files"] += added
                data = json.dumps(manifest).encode()
                item.size = len(data)
            copy.addfile(item, io.BytesIO(data))
        for info, data in extra:
            copy.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def member(name: str, data: bytes = b"x", kind=tarfile.REGTYPE, link: str = ""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


def test_a_restored_backup_brings_back_every_row_and_file_as_they_were(site, tmp_path):
    rows, files = table_rows(site), attachment_files(site)
    backup = manage(site, "backup", "--output", tmp_path / "backup.tar.gz")
    assert backup.returncode == 0, backup.stderr
    assert "cases: 2" in backup.stdout and "attachment files: 2" in backup.stdout

    change_everything(site)
    assert table_rows(site)["cases_case"] != rows["cases_case"]
    assert attachment_files(site).keys() != files.keys()

    restore = manage(site, "restore", tmp_path / "backup.tar.gz", "--force")

    assert restore.returncode == 0, restore.stderr
    assert table_rows(site) == rows
    assert attachment_files(site) == files
    assert not [path.name for path in site.iterdir() if path.name.startswith(".")]


def test_a_backup_restores_onto_a_machine_with_no_data_yet_without_asking(archive, site, tmp_path):
    rows, files = table_rows(site), attachment_files(site)
    fresh = tmp_path / "fresh"

    restore = manage(fresh, "restore", archive)

    assert restore.returncode == 0, restore.stderr
    assert table_rows(fresh) == rows
    assert attachment_files(fresh) == files


def test_restore_onto_existing_data_without_force_is_refused_and_changes_nothing(archive, site):
    change_quickly(site)
    rows, files = table_rows(site), attachment_files(site)

    restore = manage(site, "restore", archive)

    assert restore.returncode == 1
    assert "There is data already" in restore.stderr and "--force" in restore.stderr
    assert table_rows(site) == rows
    assert attachment_files(site) == files


def test_at_a_terminal_restore_asks_first_and_only_yes_replaces_the_data(archive, site):
    rows, files = table_rows(site), attachment_files(site)
    change_quickly(site)
    changed_rows, changed_files = table_rows(site), attachment_files(site)

    refused = manage_answering(site, "y", "restore", archive)

    assert refused.returncode == 1
    assert "Type 'yes' to go on" in refused.stdout
    assert "Restore cancelled: nothing was changed." in refused.stderr
    assert (table_rows(site), attachment_files(site)) == (changed_rows, changed_files)

    accepted = manage_answering(site, "yes", "restore", archive)

    assert accepted.returncode == 0, accepted.stderr
    assert (table_rows(site), attachment_files(site)) == (rows, files)


def test_when_the_database_cannot_be_written_the_attachments_are_put_back(archive, site):
    # SQLite cannot copy pages of one size into a database in WAL mode with pages of another.
    database = sqlite3.connect(site / "helpdesk.sqlite3", isolation_level=None)
    for pragma in ("journal_mode=DELETE", "page_size=8192", "journal_mode=WAL"):
        database.execute(f"PRAGMA {pragma}")
        if pragma == "page_size=8192":
            database.execute("VACUUM")
    database.close()
    change_quickly(site)
    rows, files = table_rows(site), attachment_files(site)

    restore = manage(site, "restore", archive, "--force")

    assert restore.returncode == 1
    assert "The database could not be restored, nothing was changed" in restore.stderr
    assert (table_rows(site), attachment_files(site)) == (rows, files)
    assert sorted(path.name for path in site.iterdir() if path.name.startswith(".")) == []


def test_backup_with_no_database_yet_says_there_is_nothing_to_back_up(tmp_path):
    result = manage(tmp_path / "empty", "backup", "--output", tmp_path / "backup.tar.gz")

    assert result.returncode == 1
    assert "There is no database" in result.stderr
    assert not (tmp_path / "backup.tar.gz").exists()


def test_the_backup_leaves_out_a_write_not_yet_committed_and_does_not_wait_for_it(site, tmp_path):
    writer = sqlite3.connect(site / "helpdesk.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO auth_group (name) VALUES ('written during the backup')")
    try:
        backup = manage(site, "backup", "--output", tmp_path / "backup.tar.gz")
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert backup.returncode == 0, backup.stderr

    with tarfile.open(tmp_path / "backup.tar.gz") as archive:
        archive.extract("helpdesk.sqlite3", tmp_path, filter="data")
    with sqlite3.connect(tmp_path / "helpdesk.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM auth_group").fetchone() == (0,)
        assert copy.execute("SELECT count(*) FROM cases_case").fetchone() == (2,)


@pytest.mark.parametrize(
    "bad_member",
    [
        member("../outside.txt"),
        member("attachments/../../outside.txt"),
        member("/tmp/outside.txt"),
        member("attachments/link", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        member("attachments/hard", kind=tarfile.LNKTYPE, link="helpdesk.sqlite3"),
        member("settings.py"),
    ],
    ids=["parent", "parent-inside", "absolute", "symlink", "hardlink", "stray"],
)
def test_an_archive_with_a_member_that_is_not_a_backup_file_is_refused(
    archive, site, tmp_path, bad_member
):
    tampered = archive_with(tmp_path / "tampered.tar.gz", archive, [bad_member])
    change_quickly(site)
    rows, files = table_rows(site), attachment_files(site)

    restore = manage(site, "restore", tampered, "--force")

    assert restore.returncode == 1
    assert "The archive is refused" in restore.stderr
    assert not list(tmp_path.rglob("outside.txt"))
    assert table_rows(site) == rows
    assert attachment_files(site) == files


def test_an_archive_without_its_manifest_is_refused(archive, site, tmp_path):
    stripped = tmp_path / "stripped.tar.gz"
    with tarfile.open(archive, "r:gz") as original, tarfile.open(stripped, "w:gz") as copy:
        for item in original.getmembers():
            if item.name != "manifest.json":
                copy.addfile(item, original.extractfile(item))

    restore = manage(site, "restore", stripped, "--force")

    assert restore.returncode == 1
    assert "it has no manifest.json" in restore.stderr


def test_an_archive_with_a_file_more_than_its_manifest_lists_is_refused(archive, site, tmp_path):
    padded = archive_with(
        tmp_path / "padded.tar.gz", archive, [member("attachments/extra")], recount=False
    )

    restore = manage(site, "restore", padded, "--force")

    assert restore.returncode == 1
    assert "lists 2 attachment files, the archive holds 3" in restore.stderr


def test_a_backup_made_by_a_newer_version_is_refused(archive, site, tmp_path):
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive, "r:gz") as original:
        original.extractall(unpacked, filter="data")
    with sqlite3.connect(unpacked / "helpdesk.sqlite3") as database:
        database.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('cases', '9999_from_the_future', '2030-01-01')"
        )
    manifest = json.loads((unpacked / "manifest.json").read_text())
    manifest["migrations"].append("cases.9999_from_the_future")
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(newer, "w:gz") as copy:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                copy.add(path, arcname=path.relative_to(unpacked).as_posix())

    restore = manage(site, "restore", newer, "--force")

    assert restore.returncode == 1
    assert "newer version" in restore.stderr and "cases.9999_from_the_future" in restore.stderr


@pytest.mark.parametrize(
    ("command", "tool"), [("backup", "pg_dump -Fc"), ("restore", "pg_restore --clean")]
)
def test_on_postgresql_backup_and_restore_point_to_postgresql_tools(archive, site, command, tool):
    arguments = [command] if command == "backup" else [command, archive, "--force"]

    result = manage(site, *arguments, DATABASE_URL="postgres://nobody@127.0.0.1:9/helpdesk_nowhere")

    assert result.returncode == 1
    assert tool in result.stderr and "README" in result.stderr
    assert "postgresql" in result.stderr
