"""API tokens: a manager makes one in admin for a named integration; the key is shown
once and only its hash is kept."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

# What a token may do, per resource: read, and write where the API writes it.
SCOPES = [
    (f"{resource}:{access}", f"{resource}: {access}")
    for resource, accesses in [
        ("cases", ("read", "write")),
        ("contacts", ("read", "write")),
        ("articles", ("read", "write")),
        ("teams", ("read",)),
        ("agents", ("read",)),
        ("ratings", ("read",)),
    ]
    for access in accesses
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
    # Who the timeline names for what the token writes ("Shop (API)"); made on its first
    # write, and never able to sign in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        editable=False,
        related_name="api_token",
    )

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

    @property
    def actor_name(self) -> str:
        return f"{self.name} (API)"[:150]

    def actor(self):
        """The user that stands for this integration on timelines and article histories:
        inactive, with no password, named after the token (renamed with it)."""
        if self.user_id is None:
            user, made = get_user_model().objects.get_or_create(
                username=f"api-token-{self.pk}",
                defaults={"is_active": False, "first_name": self.actor_name},
            )
            if made:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            ApiToken.objects.filter(pk=self.pk, user=None).update(user=user)
            self.user = user
        elif self.user.first_name != self.actor_name:
            self.user.first_name = self.actor_name
            self.user.save(update_fields=["first_name"])
        return self.user


# What an endpoint may ask for (issue 15 names them; the desk sends those it has wired).
EVENTS = [
    ("case.created", "A case was opened"),
    ("case.assigned", "A case was given to an agent (or unassigned)"),
    ("case.status_changed", "A case's status changed"),
    ("case.resolved", "A case was resolved"),
    ("message.created", "A reply or a customer's message (notes only to internal endpoints)"),
    ("rating.created", "A customer rated the help"),
    ("sla.warning", "A response time is due soon"),
    ("sla.breached", "A response time was missed"),
    ("contact.erased", "A contact's personal data was erased"),
]


class WebhookEndpoint(models.Model):
    """Where a manager wants events sent: a URL, the events, and the secret they are
    signed with (shown in admin to set up the receiver)."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, blank=True)
    secret = models.CharField(max_length=100, editable=False)
    internal = models.BooleanField(
        default=False, help_text="Also send internal notes (a system of your own, not a partner's)."
    )
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload, and what came of each try."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=50, unique=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(delivered_at__isnull=True, failed_at__isnull=True),
                name="webhook_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
