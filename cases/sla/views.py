"""The agent's notifications: reminders of due and overdue cases."""

from django.shortcuts import redirect, render
from django.utils import timezone

from agents.desk import agent_required
from cases.auth import desk_unread_set
from cases.models import (
    Notification,
)


@agent_required
def notifications(request):
    """The agent's reminders, newest first; viewing them marks them read."""
    mine = Notification.objects.filter(agent=request.agent)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("cases:notifications")
    items = list(mine.select_related("reminder__case__contact", "case__contact")[:100])
    for item in items:
        # Notifications made before they named their case (reminders) take the reminder's.
        if item.case_id is None and item.reminder_id:
            item.case = item.reminder.case
    # Seen now: the badge clears, while this page still shows which ones were new.
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    desk_unread_set(request.user, 0)
    return render(request, "cases/notifications.html", {"items": items})
