from django.conf import settings


def site(request):
    context = {"SITE_NAME": settings.SITE_NAME}
    agent = getattr(request, "agent", None)
    if agent is not None:
        from cases.models import Notification

        context["unread_notifications"] = Notification.objects.filter(
            agent=agent, read_at__isnull=True
        ).count()
    return context
