"""Logins, logouts and failed logins, as Django's auth reports them; lockouts, as
django-axes does."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.log import Action, audit_record


@receiver(user_logged_in, dispatch_uid="audit-login")
def login_recorded(sender, request, user, **kwargs):
    audit_record(Action.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def logout_recorded(sender, request, user, **kwargs):
    if user is not None:
        audit_record(Action.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def failed_login_recorded(sender, credentials, request=None, **kwargs):
    # The name typed, whether or not such an account exists; never the password.
    audit_record(
        Action.LOGIN_FAILED, request=request, actor_name=str(credentials.get("username", ""))
    )


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def lockout_recorded(sender, request, username, ip_address, **kwargs):
    # At the failure that locks, and at each try while locked.
    audit_record(Action.LOCKED_OUT, request=request, actor_name=str(username or ""))
