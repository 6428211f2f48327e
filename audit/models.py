"""The audit log: who did what, when and from where. Entries are only ever added."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOGOUT = "logout", "Logged out"
    LOCKED_OUT = "locked_out", "Locked out after failed logins"
    UNLOCKED = "unlocked", "Login lock lifted"
    SESSIONS_ENDED = "sessions_ended", "Logged out everywhere"
    PASSWORD_RESET_ASKED = "password_reset_asked", "Password reset asked for"
    PASSWORD_RESET = "password_reset", "Password reset"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    TWO_FACTOR_ENROLLED = "2fa_enrolled", "Two-factor login set up"
    TWO_FACTOR_REMOVED = "2fa_removed", "Two-factor login removed"
    TWO_FACTOR_FAILED = "2fa_failed", "Two-factor code refused"
    RECOVERY_CODES_MADE = "recovery_codes_made", "Recovery codes made"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    ADMIN_ADDED = "admin_added", "Added in admin"
    ADMIN_CHANGED = "admin_changed", "Changed in admin"
    ADMIN_DELETED = "admin_deleted", "Deleted in admin"
    CONTACT_EXPORTED = "contact_exported", "Contact's data exported"
    CONTACT_ERASED = "contact_erased", "Contact erased"
    LINK_REVOKED = "link_revoked", "Customer link revoked"
    MAIL_RETRIED = "mail_retried", "Mail sent again by hand"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Audit entries are never changed.")

    def delete(self):
        raise PermissionDenied("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """One action. The actor's name is copied: the entry reads the same whatever
    becomes of the account. What the action was done to is named by its kind, its
    primary key and how it was shown then (`target`), not linked: the log outlives it."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    address = models.CharField("client address", max_length=100, blank=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["actor", "-created_at"], name="audit_actor_idx")]

    def __str__(self):
        who = self.actor_name or "—"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries are never deleted.")
