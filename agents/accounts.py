"""Agents' accounts: the password-reset mail, with its link built from SITE_URL; the
page a locked-out login gets."""

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from audit.log import Action, audit_record


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
        # The address typed, known or not: the answer is the same either way.
        audit_record(
            Action.PASSWORD_RESET_ASKED, request=self.request, detail=form.cleaned_data["email"]
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password page, which also writes the reset to the audit log."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(Action.PASSWORD_RESET, request=self.request, actor=form.user)
        return response


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a login while its name or address is locked out (django-axes): the
    same page, whether or not the name exists, saying when to try again. Each try
    while locked starts the wait again (axes' default), so the wait is the whole
    cool-off."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
