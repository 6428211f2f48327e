import pytest

from tests.outbox.smtp_server import SmtpServer


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on a free loopback port, and the portal sending to it by SMTP,
    through the relay only (as in production: nothing is sent on commit)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.OUTBOX_SEND_ON_COMMIT = False
    yield server
    server.stop()
