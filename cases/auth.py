"""The signed-in user as every page needs them, in one query: the user, their desk
profile and team (agents.desk.agent_required takes them from here) and how many
notifications they have not read (the navigation's badge).

A page that marks notifications read forgets the count, and the badge counts afresh."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from cases.models import Notification


class DeskBackend(ModelBackend):
    def get_user(self, user_id):
        unread = (
            Notification.objects.filter(agent_id=OuterRef("agent__id"), read_at__isnull=True)
            .order_by()
            .values("agent_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        user = (
            get_user_model()
            ._default_manager.select_related("agent__team")
            .annotate(desk_unread=Coalesce(Subquery(unread), 0))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def desk_unread(user) -> int | None:
    """The unread count loaded with the user, or None when it is not known (any more)."""
    return getattr(user, "desk_unread", None)


def desk_unread_forget(user) -> None:
    """Notifications were marked read: the count loaded with the user is out of date."""
    if desk_unread(user) is not None:
        del user.desk_unread


def desk_unread_set(user, count: int) -> None:
    """The page knows the count now (it marked them all read)."""
    user.desk_unread = count
