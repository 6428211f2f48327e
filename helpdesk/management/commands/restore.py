"""`manage.py restore ARCHIVE`: bring back a backup written by `manage.py backup`.

Nothing is replaced before the whole archive has been checked: only a manifest, the
database and files under attachments/, no name that leads outside (absolute, `..`), no
link or device, a database that passes SQLite's integrity check and was made by this
version of the help desk or an older one. Data already there is replaced only with
--force or the operator's typed "yes".

Then, each part whole or not at all: the attachments folder is swapped for the restored
one by renames; the database is written with SQLite's backup API in one transaction, so
a process that has it open sees the restored data (a file renamed over it would leave
that process writing to the old one, and a write-ahead log left beside it would be
replayed onto the new one). Where there is no database yet, the file is renamed into place.
"""

import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from helpdesk.management.commands.backup import (
    ARCHIVE_FORMAT,
    ATTACHMENTS,
    DATABASE,
    MANIFEST,
    applied_migrations,
    sqlite_database,
)


def archive_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The archive's files by name, once every member has been found harmless."""
    files = {}
    for member in archive.getmembers():
        name = member.name
        path = PurePosixPath(name)
        if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
            raise CommandError(
                f"The archive is refused: its member {name!r} would be written "
                "outside the restored folders."
            )
        if member.isdir():
            continue
        if not member.isfile():
            raise CommandError(
                f"The archive is refused: its member {name!r} is a link or a "
                "special file, which a backup never holds."
            )
        if not (
            name in (MANIFEST, DATABASE) or path.parts[0] == ATTACHMENTS and len(path.parts) > 1
        ):
            raise CommandError(f"The archive is refused: {name!r} is not part of a backup.")
        if name in files:
            raise CommandError(f"The archive is refused: {name!r} is in it twice.")
        files[name] = member
    for required in (MANIFEST, DATABASE):
        if required not in files:
            raise CommandError(
                f"The archive is refused: it has no {required}, so it is not a "
                "backup written by `manage.py backup`."
            )
    return files


def manifest_read(archive: tarfile.TarFile, files: dict[str, tarfile.TarInfo]) -> dict:
    unreadable = f"The archive is refused: its {MANIFEST} cannot be read"
    try:
        with archive.extractfile(files[MANIFEST]) as handle:
            manifest = json.loads(handle.read(1_000_000))
    except ValueError as error:
        raise CommandError(f"{unreadable} ({error}).") from None
    if not (
        isinstance(manifest, dict)
        and isinstance(manifest.get("counts"), dict)
        and isinstance(manifest.get("migrations"), list)
    ):
        raise CommandError(f"{unreadable}: it is not a backup's manifest.")
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise CommandError(
            f"The archive is refused: its format is {manifest.get('format')!r}, this version "
            f"reads {ARCHIVE_FORMAT}."
        )
    attachment_count = sum(1 for name in files if name.startswith(f"{ATTACHMENTS}/"))
    if manifest["counts"].get("files") != attachment_count:
        raise CommandError(
            f"The archive is refused: its manifest lists {manifest['counts'].get('files')} "
            f"attachment files, the archive holds {attachment_count}."
        )
    return manifest


def database_check(path: Path, manifest: dict) -> list[str]:
    """Refuse a database that is damaged, or newer than this code; the migrations this code
    has that it lacks (a `migrate` after the restore applies them)."""
    try:
        database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            check = database.execute("PRAGMA integrity_check").fetchone()[0]
            applied = set(applied_migrations(database))
        finally:
            database.close()
    except sqlite3.DatabaseError as error:
        raise CommandError(
            f"The archive is refused: its database cannot be read ({error})."
        ) from None
    if check != "ok":
        raise CommandError(f"The archive is refused: its database is damaged ({check}).")
    if applied != set(manifest["migrations"]):
        raise CommandError("The archive is refused: its database does not match its manifest.")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    apps = {app for app, _ in loader.disk_migrations}
    newer = sorted(name for name in applied - known if name.split(".")[0] in apps)
    if newer:
        raise CommandError(
            "The archive is refused: it was made by a newer version of the help desk "
            f"(migrations this code does not have: {', '.join(newer[:5])}). Update the code first."
        )
    return sorted(known - applied)


def has_data(database: Path, attachments: Path) -> bool:
    if database.is_file() and database.stat().st_size > 0:
        return True
    return attachments.is_dir() and any(path.is_file() for path in attachments.rglob("*"))


def extract(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.extractfile(member) as source, target.open("xb") as copy:
        shutil.copyfileobj(source, copy)


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup`: the SQLite database and the "
        "attachments. Data already there is replaced only with --force or a typed yes."
    )
    # No system checks first: a backup or a restore is needed most when something is wrong
    # (and a check that reads a table would fail on the empty database a restore fills).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a .tar.gz written by manage.py backup")
        parser.add_argument(
            "--force", action="store_true", help="replace the data already there without asking"
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask: without --force, refuse when there is data already",
        )

    def handle(self, *args, archive: Path, force: bool, interactive: bool, **options):
        database = sqlite_database("restore")
        attachments = Path(settings.ATTACHMENT_ROOT)
        try:
            opened = tarfile.open(archive, "r:gz")
        except FileNotFoundError:
            raise CommandError(f"There is no file {archive}.") from None
        except (tarfile.TarError, OSError, EOFError) as error:
            raise CommandError(f"{archive} is not a .tar.gz archive ({error}).") from None
        with opened:
            try:
                files = archive_members(opened)
            except (tarfile.TarError, OSError, EOFError) as error:
                raise CommandError(f"{archive} is damaged ({error}).") from None
            manifest = manifest_read(opened, files)
            counts = manifest["counts"]
            summary = (
                f"the backup of {manifest.get('created', '?')} (cases: {counts.get('cases', '?')}, "
                f"contacts: {counts.get('contacts', '?')}, attachment files: {counts['files']})"
            )
            if has_data(database, attachments) and not force:
                self.confirm(database, attachments, summary, interactive)

            database.parent.mkdir(parents=True, exist_ok=True)
            attachments.parent.mkdir(parents=True, exist_ok=True)
            with (
                tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as work,
                tempfile.TemporaryDirectory(
                    dir=attachments.parent, prefix=f".{attachments.name}.restore-"
                ) as folder,
            ):
                copy = Path(work) / DATABASE
                restored = Path(folder) / ATTACHMENTS
                restored.mkdir()
                try:
                    extract(opened, files[DATABASE], copy)
                    for name, member in files.items():
                        if name.startswith(f"{ATTACHMENTS}/"):
                            extract(opened, member, restored / name.removeprefix(f"{ATTACHMENTS}/"))
                except (tarfile.TarError, OSError, EOFError) as error:
                    raise CommandError(f"{archive} could not be read whole ({error}).") from None
                missing = database_check(copy, manifest)
                self.replace(copy, database, restored, attachments, Path(folder) / "previous")

        self.stdout.write(self.style.SUCCESS(f"Restored {summary}."))
        if missing:
            self.stdout.write(
                f"This version has {len(missing)} migrations the backup predates: run "
                "`manage.py migrate` before starting the site."
            )

    def confirm(self, database: Path, attachments: Path, summary: str, interactive: bool):
        where = f"the database {database} and the attachments in {attachments}"
        if not (interactive and sys.stdin.isatty()):
            raise CommandError(
                f"There is data already: restoring replaces {where}. Run again with --force "
                "to replace them."
            )
        answer = input(f"This replaces {where} with {summary}.\nType 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled: nothing was changed.")

    def replace(
        self, copy: Path, database: Path, restored: Path, attachments: Path, previous: Path
    ):
        """Put the restored attachments, then the restored database, in place; if the database
        cannot be written, the attachments go back as they were."""
        had_attachments = attachments.exists()
        try:
            if had_attachments:
                os.replace(attachments, previous)
            os.replace(restored, attachments)
        except OSError as error:
            if had_attachments and not attachments.exists():
                os.replace(previous, attachments)
            raise CommandError(
                f"The attachments folder {attachments} could not be replaced, nothing was "
                f"changed ({error})."
            ) from None
        try:
            self.database_replace(copy, database)
        except (sqlite3.Error, OSError) as error:
            shutil.rmtree(attachments)
            if had_attachments:
                os.replace(previous, attachments)
            raise CommandError(
                f"The database could not be restored, nothing was changed ({error})."
            ) from None
        # `previous` goes with the temporary folder.

    def database_replace(self, copy: Path, database: Path) -> None:
        connections.close_all()
        if not database.is_file():
            # A log left from an earlier database would be replayed onto this one.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            os.replace(copy, database)
            return
        source = sqlite3.connect(copy)
        target = sqlite3.connect(database, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
