import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

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
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The figures' tables were rewritten: fresh statistics and visibility map, so the
            # page's counts read their indexes alone (autovacuum would, later).
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM ANALYZE reports_casefact, reports_dailyrollup, reports_teamday, "
                    "reports_channelday"
                )
        self.stdout.write(
            f"Rebuilt the figures{f' from {first}' if first else ''}: "
            f"{rows} rollup rows in {time.monotonic() - started:.1f} s."
        )
