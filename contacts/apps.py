from django.apps import AppConfig
from django.db.backends.signals import connection_created


def sqlite_unaccent(sender, connection, **kwargs):
    """SQLite has no unaccent(): searches for contacts and cases call this one."""
    if connection.vendor == "sqlite":
        from contacts.models import unaccented

        connection.connection.create_function("unaccent", 1, unaccented, deterministic=True)


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        connection_created.connect(sqlite_unaccent)
