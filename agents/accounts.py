"""Agents' accounts: the password-reset mail (its link built from SITE_URL), the page a
locked-out login gets, the second step of a login and the agent's own page: two-factor
login, recovery codes, logging out everywhere."""

import math
from base64 import b32encode
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agents import two_factor
from agents.desk import agent_required, next_url
from agents.desk_locale import desk_language_activate
from agents.languages import (
    AgentLanguagesForm,
    DeskLanguageForm,
    agent_desk_language_set,
    agent_languages_set,
)
from agents.sessions import sessions_end
from audit.log import Action, audit_record

# The recovery codes just made, kept in the session until their page shows them once.
RECOVERY_SHOWN_KEY = "recovery_codes_shown"


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


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


def _next(request) -> str:
    return next_url(request, "cases:queue")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_step(request):
    """The second step of a login: a code from the app or a recovery code."""
    if two_factor.pending(request) != two_factor.VERIFY:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.code_check(request, form.cleaned_data["code"])
        if device is not None:
            two_factor.step_passed(request, device)
            return redirect(_next(request))
        form.add_error("code", _("That code is not right, or came too soon after a wrong one."))
    status = 400 if form.errors else 200
    context = {"form": form, "next": _next(request)}
    return render(request, "registration/two_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_setup(request):
    """Set up the authenticator app: scan the code, type what the app shows."""
    if two_factor.pending(request) == two_factor.VERIFY:
        return redirect(f"{reverse('account:two_factor')}?next={quote(_next(request))}")
    device = two_factor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("The six digits the app shows now.")
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrolment_confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            request.session[RECOVERY_SHOWN_KEY] = codes
            return redirect(f"{reverse('account:recovery_codes')}?next={quote(_next(request))}")
        form.add_error("code", _("That code is not right: type the one the app shows now."))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        # segno writes the SVG from the app's setup address: no outside service.
        "qr": mark_safe(qr.svg_inline(scale=4, title=str(_("Code to scan with the app")))),
        "key": b32encode(device.bin_key).decode(),
        "required": two_factor.two_factor_required(request.user),
        "next": _next(request),
    }
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_setup.html", context, status=status)


@login_required
@require_safe
def recovery_codes(request):
    """The recovery codes just made, shown this once."""
    codes = request.session.pop(RECOVERY_SHOWN_KEY, None)
    if not codes:
        return redirect("account:page")
    context = {"codes": codes, "next": _next(request)}
    return render(request, "registration/recovery_codes.html", context)


def _account_page(request, *, languages_form=None, status=200):
    context = {
        "device": two_factor.app_device(request.user),
        "codes_left": two_factor.recovery_codes_left(request.user),
        "required": two_factor.two_factor_required(request.user),
        "off_form": CodeForm(),
        "languages_form": languages_form or AgentLanguagesForm(agent=request.agent),
    }
    return render(request, "agents/account.html", context, status=status)


@agent_required
@require_safe
def account(request):
    """The agent's own page: their second factor, their recovery codes, their sessions,
    their languages."""
    return _account_page(request)


@agent_required
@require_POST
def languages(request):
    """The languages the agent speaks (routing prefers them) and the desk's language."""
    form = AgentLanguagesForm(request.POST, agent=request.agent)
    if not form.is_valid():
        return _account_page(request, languages_form=form, status=400)
    agent_languages_set(agent=request.agent, **form.cleaned_data)
    desk_language_activate(request, request.agent)  # the message in the language chosen
    messages.success(request, _("Your languages are saved."))
    return redirect("account:page")


@agent_required
@require_POST
def desk_language(request):
    """The language switch in the desk's navigation: saved, then back to the same page."""
    form = DeskLanguageForm(request.POST)
    if form.is_valid():
        agent_desk_language_set(agent=request.agent, **form.cleaned_data)
    else:
        messages.error(request, _("That is not a language of the desk."))
    return redirect(next_url(request, "cases:queue"))


@agent_required
@require_POST
def recovery_codes_new(request):
    if two_factor.app_device(request.user) is None:
        return redirect("account:page")
    request.session[RECOVERY_SHOWN_KEY] = two_factor.recovery_codes_make(request)
    return redirect(f"{reverse('account:recovery_codes')}?next={quote(reverse('account:page'))}")


@agent_required
@require_POST
def two_factor_off(request):
    """Turn the second factor off, with a code from it; a role that requires it cannot."""
    if two_factor.two_factor_required(request.user):
        messages.error(request, _("Your role requires two-factor login: it stays on."))
        return redirect("account:page")
    form = CodeForm(request.POST)
    if form.is_valid() and two_factor.code_check(request, form.cleaned_data["code"]):
        two_factor.two_factor_remove(request)
        messages.success(request, _("Two-factor login is off."))
    else:
        messages.error(request, _("That code is not right: two-factor login stays on."))
    return redirect("account:page")


@agent_required
@require_POST
def log_out_everywhere(request):
    """End every session of this agent, this one included (a lost phone or laptop)."""
    sessions_end(request)
    messages.success(request, _("You are logged out everywhere. Log in again here."))
    return redirect("login")
