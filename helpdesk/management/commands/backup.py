"""`manage.py backup`: the SQLite database and the attachments, in one archive.

The database is copied with SQLite's online backup (sqlite3.Connection.backup), in one
read transaction: the copy is consistent while the site goes on writing, and a write not
yet committed is not in it. The files under ATTACHMENT_ROOT are added after the copy, so
every file a row of the copy names is there (a file is written before its row is
committed, and never changed after). A manifest says what the archive holds, for
`manage.py restore` to check before it replaces anything.

A site on PostgreSQL is backed up with PostgreSQL's own tools: see README, "Backups".
"""

import io
import json
import os
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from cases.models import Attachment, Case, Message
from contacts.models import Contact

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "helpdesk.sqlite3"
ATTACHMENTS = "attachments"
# Rows counted in the manifest, so an operator sees what a backup holds before restoring it.
COUNTED = {"cases": Case, "contacts": Contact, "messages": Message, "attachments": Attachment}


def postgres_refusal(command: str) -> str:
    tools = "pg_dump -Fc" if command == "backup" else "pg_restore --clean --if-exists"
    return (
        f"`manage.py {command}` works on the SQLite database of the embedded default; this "
        f"site's database is {connections[DEFAULT_DB_ALIAS].vendor}. Use PostgreSQL's tools "
        f"({tools}) and copy the attachments folder with tar, as the README's section "
        f'"Backups" shows.'
    )


def sqlite_database(command: str) -> Path:
    """The file of the site's SQLite database; a clear error on any other database."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        raise CommandError(postgres_refusal(command))
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise CommandError(f"The database is in memory ({name}): there is no file to {command}.")
    return Path(name)


def applied_migrations(database: sqlite3.Connection) -> list[str]:
    rows = database.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in rows]


def row_count(database: sqlite3.Connection, model) -> int:
    return database.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]


def attachment_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under `root`, with its name in the archive."""
    if not root.is_dir():
        return []
    return [
        (path, f"{ATTACHMENTS}/{path.relative_to(root).as_posix()}")
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    ]


class Command(BaseCommand):
    help = (
        "Write the SQLite database (an online copy, safe while the site runs) and the "
        "attachments into one .tar.gz archive."
    )
    # No system checks first: a backup or a restore is needed most when something is wrong
    # (and a check that reads a table would fail on the empty database a restore fills).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive to write (default: VAR_DIR/backups/helpdesk-<UTC time>.tar.gz)",
        )

    def handle(self, *args, output: Path | None, **options):
        source = sqlite_database("backup")
        if not source.is_file():
            raise CommandError(f"There is no database at {source}: nothing to back up.")
        created = datetime.now(UTC)
        if output is None:
            output = (
                Path(settings.VAR_DIR) / "backups" / f"helpdesk-{created:%Y%m%dT%H%M%SZ}.tar.gz"
            )
            output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        output = output.resolve()
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a folder: the archive cannot go there.")
        if output.is_dir():
            raise CommandError(f"{output} is a folder: give the archive's file name.")

        # Everything is written next to the archive, which appears only once complete.
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
            copy = Path(work) / DATABASE
            manifest = self.database_copy(copy, created)
            files = attachment_files(Path(settings.ATTACHMENT_ROOT))
            partial = Path(work) / "archive.tar.gz"
            stored, size = self.archive_write(partial, manifest, copy, files)
            os.chmod(partial, 0o600)  # customers' data: for the operator's eyes only
            os.replace(partial, output)
        counts = manifest["counts"]
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {output}")
            + f"\n  cases: {counts['cases']}, contacts: {counts['contacts']}, "
            f"attachment files: {stored} ({size} bytes)"
        )

    def database_copy(self, copy: Path, created: datetime) -> dict:
        """Copy the live database to `copy`; the manifest, files not yet counted."""
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
            # One self-contained file: no write-ahead log beside it.
            target.execute("PRAGMA journal_mode=DELETE")
            check = target.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CommandError(f"The database copy failed SQLite's check: {check}")
            counts = {label: row_count(target, model) for label, model in COUNTED.items()}
            migrations = applied_migrations(target)
        finally:
            target.close()
        return {
            "format": ARCHIVE_FORMAT,
            "created": created.isoformat(timespec="seconds"),
            "database": DATABASE,
            "attachments": ATTACHMENTS,
            "counts": counts,
            "migrations": migrations,
        }

    def archive_write(self, path: Path, manifest: dict, copy: Path, files) -> tuple[int, int]:
        """Write the archive: the database, the files still there, then the manifest that
        counts them."""
        stored = size = 0
        with tarfile.open(path, "w:gz") as archive:
            archive.add(copy, arcname=DATABASE)
            for source, name in files:
                try:
                    with source.open("rb") as handle:
                        info = archive.gettarinfo(arcname=name, fileobj=handle)
                        archive.addfile(info, handle)
                except FileNotFoundError:
                    continue  # removed since the listing (a staged file swept): not needed
                stored += 1
                size += info.size
            manifest["counts"]["files"] = stored
            manifest["counts"]["file_bytes"] = size
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
        return stored, size
