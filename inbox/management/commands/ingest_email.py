"""File one email read from standard input: the way in for an MTA pipe.

For example in Postfix's aliases: `support: "|/srv/helpdesk/.venv/bin/python
/srv/helpdesk/manage.py ingest_email"`. Every input ends in one of two ways: exit 0
once the message is safely handled (filed, recognised as a duplicate, ignored or
quarantined), or 75 (EX_TEMPFAIL) when it could not be kept now (the database is
unreachable), so the MTA keeps the message and retries. Never a crash: a bounce
would send the customer's mail back to them.
"""

import logging
import sys

from django.core.management.base import BaseCommand, CommandError

from inbox.ingest import ingest, quarantine

EX_TEMPFAIL = 75

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "File one RFC 822 email read from standard input (for an MTA pipe)."
    # Tests hand the message in as a bytes stream.
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin.buffer
        raw = stdin.read()
        if not raw.strip():
            self.stdout.write("ignored: the email was empty")
            return
        try:
            result = ingest(raw)
        except Exception as error:
            # ingest quarantines what it cannot read; this is what it could not even keep.
            logger.exception("Could not file inbound mail")
            try:
                result = quarantine(raw, reason=f"could not be filed: {error!r}"[:2000])
            except Exception:
                raise CommandError(
                    f"The email could not be kept, try again later: {error!r}",
                    returncode=EX_TEMPFAIL,
                ) from error
        self.stdout.write(str(result))
