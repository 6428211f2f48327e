"""`make run`'s last words: the addresses and logins, printed once everything is up.

Run by honcho beside the web server, the worker and beat (Procfile), so the banner
comes after their own start-up lines instead of scrolling away behind them. It
waits for the web server to answer, prints, and then waits quietly to be stopped.
"""

import signal
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand


def banner(site: str) -> str:
    return "\n".join(
        [
            "",
            f"  Help desk on {site}/",
            f"    customers: {site}/contact/   help centre: {site}/kb/",
            f"    agents:    {site}/desk/   (agent1 … agent5, password: demo)",
            f"    managers:  {site}/admin/  (manager, password: demo; sets up two-factor login"
            " with an authenticator app at the first login)",
            f"    mail sent: {site}/dev/mail/",
            "  Ctrl-C stops everything.",
            "",
        ]
    )


def web_is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except Exception:
        return False


class Command(BaseCommand):
    help = "Print the development addresses and logins once the web server answers."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=120, help="seconds to wait at most")
        parser.add_argument("--once", action="store_true", help="print and return (tests)")

    def handle(self, *args, **options):
        site = settings.SITE_URL
        deadline = time.monotonic() + options["wait"]
        while not web_is_up(site + "/") and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(0 if options["once"] else 2)  # the worker and beat finish their banners
        self.stdout.write(banner(site))
        self.stdout.flush()
        if options["once"]:
            return
        # Stay up until honcho stops everything (it stops all when one process ends).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
        while True:
            signal.pause()
