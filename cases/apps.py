from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from anymail.signals import inbound

        from cases.inbound import inbound_mail_received

        # Provider webhooks (django-anymail) hand inbound mail to the same parser.
        inbound.connect(inbound_mail_received, dispatch_uid="cases.inbound_mail_received")
