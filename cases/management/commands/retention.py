"""Erase the contacts kept past RETENTION_MONTHS, or list them with --dry-run."""

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.personal_data import retention_due, retention_erase


class Command(BaseCommand):
    help = (
        "Erase contacts with no open case and nothing new for RETENTION_MONTHS months "
        "(the daily beat task does the same); --dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, erase nothing")

    def handle(self, *args, dry_run=False, **options):
        months = settings.RETENTION_MONTHS
        if months <= 0:
            self.stdout.write("RETENTION_MONTHS is 0: no contact is erased for its age.")
            return
        if dry_run:
            due = list(retention_due())
            for contact in due:
                last = contact.last_activity or contact.created_at
                self.stdout.write(
                    f"contact #{contact.pk}  {contact.name} <{contact.email}>  "
                    f"last activity {last:%Y-%m-%d}"
                )
            self.stdout.write(f"{len(due)} contacts would be erased (kept {months} months).")
            return
        erased = retention_erase()
        self.stdout.write(f"{len(erased)} contacts erased (kept {months} months).")
