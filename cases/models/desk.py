"""What agents work with: canned answers, the phrase guide, saved queue views."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


class CannedAnswer(models.Model):
    """A ready answer an agent inserts into a reply. Placeholders are filled in:
    {first_name}, {contact_name}, {reference}, {subject}, {agent_name}, {agent_first_name}.
    """

    title = models.CharField(max_length=120)
    body = models.TextField()
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language the body is written in; versions in others are below.",
    )
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_answers",
        help_text="Empty for every team.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class CannedAnswerVersion(models.Model):
    """A canned answer in another language: the workspace inserts the contact's."""

    answer = models.ForeignKey(CannedAnswer, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    body = models.TextField()

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "language"], name="canned_answer_one_version_per_language"
            )
        ]

    def __str__(self):
        return f"{self.answer} ({self.get_language_display()})"

    def clean(self):
        if self.answer_id and self.language == self.answer.language:
            raise ValidationError(
                {"language": "The answer itself is in this language: edit its body instead."}
            )


class Phrase(models.Model):
    """An entry of the phrase guide: the team's positive-language handbook."""

    avoid = models.CharField(max_length=120, help_text="A phrase to avoid in replies.")
    prefer = models.CharField(max_length=200, help_text="What to say instead.")
    why = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["avoid"]
        constraints = [models.UniqueConstraint(Lower("avoid"), name="phrase_avoid_unique_ci")]

    def __str__(self):
        return f"{self.avoid} → {self.prefer}"


class SavedView(models.Model):
    """A named queue filter an agent keeps, stored as its query string."""

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "name"], name="saved_view_unique_name")
        ]

    def __str__(self):
        return self.name
