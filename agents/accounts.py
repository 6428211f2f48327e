"""Agents' accounts: the password-reset mail, with its link built from SITE_URL."""

from django.conf import settings
from django.contrib.auth import views as auth_views


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, except that the mailed link comes from SITE_URL.

    Django builds it from the request's Host header, which a client chooses: a forged
    Host would send the agent a link to someone else's site carrying their reset token.
    """

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "site_name": settings.SITE_NAME,
            "domain": "",
            "protocol": "",
        }
        return super().form_valid(form)
