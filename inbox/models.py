"""Inbound mail kept aside: what could not be read, for a manager to look at.

The table keeps the name it had when this model lived in `cases`.
"""

from django.db import models
from django.utils import timezone


class QuarantinedEmail(models.Model):
    """Inbound mail that could not be read, kept with the reason for a manager to look at."""

    received_at = models.DateTimeField(default=timezone.now)
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    reason = models.TextField()
    raw = models.BinaryField()

    class Meta:
        db_table = "cases_quarantinedemail"
        ordering = ["-received_at"]
        verbose_name_plural = "quarantined emails"

    def __str__(self):
        return f"{self.sender}: {self.reason[:60]}"
