from cases.auth import desk_unread
from cases.models import Notification


def notifications(request):
    """How many reminders the agent has not read yet, for the navigation."""
    agent = getattr(request, "agent", None)
    if agent is None:
        return {}
    unread = desk_unread(request.user)
    if unread is None:
        unread = Notification.objects.filter(agent=agent, read_at__isnull=True).count()
    return {"unread_notifications": unread}
