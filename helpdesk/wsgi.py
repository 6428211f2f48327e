import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

application = get_wsgi_application()

# gunicorn runs no system checks: refuse to start without collected static files (every
# page would be a 500), and warn loudly about a Redis that may evict queued tasks.
from helpdesk.checks import at_web_start  # noqa: E402 (Django is set up just above)

at_web_start()
