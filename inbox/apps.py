from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbound mail"

    def ready(self):
        # A provider's webhook (django-anymail) hands its message to the same ingest.
        from anymail.signals import inbound

        from inbox.ingest import inbound_mail_received

        inbound.connect(inbound_mail_received, dispatch_uid="inbox.inbound_mail_received")
