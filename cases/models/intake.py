"""What guards the public contact form: each post of it, and acknowledgements per address."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models.case import Case, Message


class FormSubmission(models.Model):
    """One post of the contact form that stored something: the form's one-time token and
    a keyed hash of what it said (cases.forms.ContactForm.content_digest). The same token
    with the same content is a double click and finds its case again; the same token with
    other content (back, edit, send) is kept too (cases.intake.contact_form_submit)."""

    token = models.UUIDField()
    digest = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="form_submissions")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="form_submissions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "digest"], name="form_submission_once"),
        ]

    def __str__(self):
        return f"Form {self.token} on case {self.case_id}"


class AcknowledgementWindow(models.Model):
    """How many acknowledgements one address was sent in its current hour, and the cases
    whose acknowledgement was held back past the cap, for one digest at the hour's end
    (cases.acknowledgements). One row per address: its lock makes processes take turns."""

    # A keyed hash of the lower-cased address (cases.acknowledgements.address_hash): the
    # address itself is not kept here, so erasing a contact leaves it nowhere.
    address_hash = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    sent = models.PositiveSmallIntegerField(default=0)
    # The end of the window while acknowledgements are held; empty once the digest is stored.
    digest_due_at = models.DateTimeField(null=True, blank=True)
    held_cases = models.ManyToManyField(Case, blank=True, related_name="+")

    class Meta:
        indexes = [
            models.Index(
                fields=["digest_due_at"],
                condition=Q(digest_due_at__isnull=False),
                name="ack_window_digest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.sent} acknowledgements since {self.started_at:%Y-%m-%d %H:%M}"
