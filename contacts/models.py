from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    def with_email(self, email: str):
        return self.filter(email__iexact=email.strip())


class Contact(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    owner = models.ForeignKey(
        "helpdesk.Agent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_contacts",
        help_text="The contact's single point of contact: every case they open lands here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="contact_email_unique_ci"),
        ]
        indexes = [models.Index(fields=["owner"], name="contact_owner_idx")]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.email
