"""Two-factor login: an authenticator app (TOTP) and one-time recovery codes.

The devices and the checking of codes are django-otp's (TOTPDevice, StaticDevice; a
device refuses codes for a growing while after each wrong one). What is ours: who must
have a second factor (REQUIRE_2FA: managers, all or none), and holding a signed-in
session at the second step until it is passed. At login the session is marked
"verify" (the user has an app) or "enrol" (they must set one up); TwoFactorMiddleware
then sends every page but the second step and logout there, the Django admin's
included. Reading that mark costs no query: the session is read for the user anyway.
"""

import secrets
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import Action, audit_record

PENDING_KEY = "two_factor_pending"
VERIFY, ENROL = "verify", "enrol"
RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"


def two_factor_required(user) -> bool:
    """Whether this user must log in with a second factor (settings.REQUIRE_2FA)."""
    policy = settings.REQUIRE_2FA
    if policy == "all":
        return True
    if policy == "managers":
        return user.is_staff or user.is_superuser
    return False


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@receiver(user_logged_in, dispatch_uid="two-factor-pending")
def pending_at_login(sender, request, user, **kwargs):
    """After the password: hold the session at the second step when it has one to pass."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if app_device(user) is not None:
        session[PENDING_KEY] = VERIFY
    elif two_factor_required(user):
        session[PENDING_KEY] = ENROL


def pending(request) -> str | None:
    session = getattr(request, "session", None)
    return session.get(PENDING_KEY) if session is not None else None


class TwoFactorMiddleware:
    """While a signed-in session has its second step to pass, every page but that
    step, logout and static files leads to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = pending(request)
        if step and request.user.is_authenticated and not self._open(request.path):
            name = "account:two_factor" if step == VERIFY else "account:two_factor_setup"
            return redirect(f"{reverse(name)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith((reverse("account:two_factor"), reverse("logout"), static))


def step_passed(request, device) -> None:
    """The second factor was given: the session is let through."""
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)


def code_check(request, code: str):
    """The device (app or recovery codes) that accepts the code, or None; a recovery
    code is used up. Both outcomes go to the audit log."""
    code = "".join(code.split()).lower()
    device = match_token(request.user, code) if code.isalnum() and len(code) <= 16 else None
    if device is None:
        audit_record(Action.TWO_FACTOR_FAILED, request=request)
    elif isinstance(device, StaticDevice):
        audit_record(
            Action.RECOVERY_CODE_USED,
            request=request,
            detail=f"{recovery_codes_left(request.user)} left",
        )
    return device


def enrolment_device(user) -> TOTPDevice:
    """The app being set up: the unconfirmed device kept until a code confirms it."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


@transaction.atomic
def enrolment_confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a code from it: the recovery codes, or None when the code
    is wrong. Any earlier app and codes are replaced."""
    code = "".join(code.split())
    if not (code.isdigit() and device.verify_token(code)):
        audit_record(Action.TWO_FACTOR_FAILED, request=request, detail="while setting up")
        return None
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_make(request)
    audit_record(Action.TWO_FACTOR_ENROLLED, request=request)
    step_passed(request, device)
    return codes


@transaction.atomic
def recovery_codes_make(request) -> list[str]:
    """New recovery codes, replacing the old ones: each works once."""
    StaticDevice.objects.filter(user=request.user).delete()
    device = StaticDevice.objects.create(user=request.user, name=CODES_NAME, confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(Action.RECOVERY_CODES_MADE, request=request)
    return codes


@transaction.atomic
def two_factor_remove(request) -> None:
    """No second factor any more: the app and the recovery codes go."""
    for device in devices_for_user(request.user, confirmed=None):
        device.delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    audit_record(Action.TWO_FACTOR_REMOVED, request=request)
    if two_factor_required(request.user):
        request.session[PENDING_KEY] = ENROL
