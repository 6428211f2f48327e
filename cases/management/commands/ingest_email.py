"""File one email read from standard input: the way in for an MTA pipe.

For example in Postfix's aliases: `support: "|/srv/helpdesk/.venv/bin/python
/srv/helpdesk/manage.py ingest_email"`. Exits 0 once the message is safely handled
(filed, recognised as a duplicate, ignored or quarantined) and 75 (EX_TEMPFAIL)
when the database cannot be reached, so the MTA keeps the message and retries.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from cases.inbound import ingest

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "File one RFC 822 email read from standard input (for an MTA pipe)."
    # Tests hand the message in as a bytes stream.
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin.buffer
        raw = stdin.read()
        if not raw.strip():
            raise CommandError("No email on standard input.")
        try:
            result = ingest(raw)
        except (OperationalError, InterfaceError) as error:
            raise CommandError(
                f"The database is unreachable, try again later: {error}", returncode=EX_TEMPFAIL
            ) from error
        self.stdout.write(str(result))
