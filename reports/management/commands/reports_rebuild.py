import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.rollup import rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild the reports' figures from the raw case rows (all of them, or since a day)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only days from this one on (YYYY-MM-DD).")

    def handle(self, *args, since=None, **options):
        try:
            first = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since takes a date as YYYY-MM-DD, not {since!r}.") from None
        started = time.monotonic()
        rows = rollup_rebuild(since=first)
        self.stdout.write(
            f"Rebuilt the figures{f' from {first}' if first else ''}: "
            f"{rows} rollup rows in {time.monotonic() - started:.1f} s."
        )
