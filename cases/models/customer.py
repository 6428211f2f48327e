"""The customer's side: private links to the case page and ratings of the help."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models.case import Case


class CaseAccessToken(models.Model):
    """A customer's private link to one case. Only a hash of the token is stored."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Link to case {self.case_id}"

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at


class CaseRating(models.Model):
    """How the customer rated the help on a case, and whom it credits."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField()
    # "How likely are you to recommend us?" from 0 to 10, optional (the Net Promoter Score).
    recommend = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        # The reports' latest comments.
        indexes = [models.Index(fields=["-created_at"], name="rating_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | Q(recommend__lte=10),
                name="rating_recommend_0_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.score}/5 for case {self.case_id}"
