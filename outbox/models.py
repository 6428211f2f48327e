"""The transactional outbox: rendered mail stored in the transaction that causes it.

The table keeps the name it had when this model lived in `cases`.
"""

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Unsent mail with something to send: an erased contact's mail was emptied.
RETRYABLE = Q(sent_at__isnull=True) & ~Q(body_text="", body_html="")


class OutboundEmailQuerySet(models.QuerySet):
    def undelivered(self):
        """Unsent mail whose send failed at least once: given up on, or waiting to be
        tried again. Not mail merely waiting for its first try (a worker picking a mail
        up counts an attempt before it sends)."""
        return self.filter(sent_at__isnull=True).exclude(last_error="")

    def retryable(self):
        return self.filter(RETRYABLE)

    def with_can_retry(self):
        """Each mail marked `can_retry` (RETRYABLE) by the database: its bodies stay there."""
        return self.annotate(can_retry=ExpressionWrapper(RETRYABLE, output_field=BooleanField()))


class OutboundEmail(models.Model):
    """The transactional outbox: mail is stored with the change that causes it.

    The relay (the beat sweep) sends it; a failed send is tried again under one retry
    policy (outbox.retry). Sending is claimed row by row, so a redelivered task or two
    sweeps never send one email twice.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "ack", _("Acknowledgement")
        REPLY = "reply", _("Agent reply")
        REMINDER = "reminder", _("Response-time reminder")
        WAITING = "waiting", _("Waiting on the customer")
        RESOLVED = "resolved", _("Resolved, with a rating request")
        LINKS = "links", _("Fresh case links")
        DATA = "data", _("A link to a copy of their data")
        WEBHOOK_OFF = "webhook_off", _("A webhook endpoint was switched off")
        NOTIFICATION = "notification", _("Desk notification")
        DIGEST = "digest", _("Weekly figures")

    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    message = models.ForeignKey(
        "cases.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id_header = models.CharField(max_length=255, unique=True)
    auto_generated = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The first failed send since it was stored (or given up on and retried by hand): the
    # wait before the next attempt and the time to give up are counted from it.
    failing_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        db_table = "cases_outboundemail"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to}"
