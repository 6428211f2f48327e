"""The live sessions move from Django's table to agents.UserSession, each with the user
it is signed in as, so nobody is signed out by the upgrade. Expired ones are dropped,
and Django's table is left empty."""

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations
from django.utils import timezone

BATCH = 1000


def _user_id(data: str, users: set[int]) -> int | None:
    try:
        # Signed with its store class's name as salt: Django's and ours are both SessionStore.
        user_id = int(SessionStore().decode(data).get("_auth_user_id"))
    except (TypeError, ValueError):
        return None
    return user_id if user_id in users else None


def forward(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("agents", "UserSession")
    users = set(apps.get_model(settings.AUTH_USER_MODEL).objects.values_list("pk", flat=True))
    live = Old.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
    batch = []
    for old in live.iterator(chunk_size=BATCH):
        batch.append(
            New(
                session_key=old.session_key,
                session_data=old.session_data,
                expire_date=old.expire_date,
                user_id=_user_id(old.session_data, users),
            )
        )
        if len(batch) == BATCH:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)
    Old.objects.all().delete()


def backward(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("agents", "UserSession")
    live = New.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
    Old.objects.bulk_create(
        (
            Old(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
            for s in live.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0006_user_session"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
