"""The production release step: migrate, collect static files, check the deployment.

Run once per deployed version, before the services start or reload (`make release`, or
`deploy/manage.sh release` with the services' environment file). Any error stops it with
a non-zero exit, so a deploy script goes no further.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

LEVELS = ["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]


class Command(BaseCommand):
    help = "Migrate, collect static files and run the deployment checks (production)."
    # The checks run last: run first, the one for collected static files would stop the
    # very step that collects them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-level",
            choices=LEVELS,
            default="ERROR",
            help="The check level that fails the release (default ERROR; warnings are shown).",
        )

    def handle(self, *args, fail_level: str, verbosity: int, **options):
        if not settings.PRODUCTION:
            raise CommandError(
                "release prepares a production site, and DJANGO_ENV is not production: is "
                "the environment file loaded? (deploy/manage.sh release loads it)"
            )
        # Each step writes where this command writes.
        streams = {"stdout": self.stdout, "stderr": self.stderr}
        self.step("Migrating the database")
        try:
            call_command("migrate", interactive=False, verbosity=verbosity, **streams)
        except DatabaseError as error:
            raise CommandError(f"The database could not be migrated: {error}") from error
        self.step("Collecting static files")
        call_command("collectstatic", interactive=False, verbosity=verbosity, **streams)
        self.step("Checking the deployment")
        # Raises SystemCheckError (exit status 1) on a problem at fail_level or above.
        call_command("check", deploy=True, fail_level=fail_level, verbosity=verbosity, **streams)
        self.stdout.write(self.style.SUCCESS("Release ready: start or reload the services."))

    def step(self, title: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"{title}…"))
