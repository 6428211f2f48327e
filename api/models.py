"""API tokens: a manager makes one in admin for a named integration; the key is shown
once and only its hash is kept."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# What a token may do: read or write, per resource.
RESOURCES = ["cases", "contacts"]
SCOPES = [
    (f"{resource}:{access}", f"{resource}: {access}")
    for resource in RESOURCES
    for access in ("read", "write")
]
KEY_PREFIX = "hd_"


def key_hash(key: str) -> str:
    # A key is 256 random bits: a fast hash is enough, and it is looked up by it.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    name = models.CharField(max_length=100, help_text="The integration that uses it.")
    scopes = models.JSONField(default=list, blank=True)
    lookup = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({KEY_PREFIX}{self.lookup}…)"

    def issue(self) -> str:
        """Give the token a new key and return it: the only time it is seen."""
        self.lookup = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{self.lookup}_{secrets.token_urlsafe(32)}"
        self.key_hash = key_hash(key)
        return key

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def allows(self, scope: str) -> bool:
        return scope in self.scopes
