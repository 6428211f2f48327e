import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import IContains


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Letters that are not a letter plus an accent, so NFKD keeps them whole, written out
# as PostgreSQL's unaccent writes them; and a phone's apostrophe, as unaccent writes it.
WRITTEN_OUT = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ð": "d",
        "þ": "th",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ł": "l",
        "’": "'",
    }
)


def unaccented(text: str | None) -> str | None:
    """The text in lower case without accents: "Ærø Straße" becomes "aero strasse".

    SQLite's unaccent() (registered by ContactsConfig). PostgreSQL's keeps the case, and
    comparisons there go through UPPER() as well.
    """
    if text is None:
        return None
    parts = unicodedata.normalize("NFKD", text.casefold().translate(WRITTEN_OUT))
    return "".join(part for part in parts if not unicodedata.combining(part))


class Unaccent(Func):
    """unaccent(text): the extension's on PostgreSQL, `unaccented` on SQLite."""

    function = "unaccent"
    output_field = TextField()


def text_contains(field: str, text: str) -> IContains:
    """The field holds the text, in any case and with or without accents."""
    return IContains(Unaccent(field), Unaccent(Value(text)))


class ContactQuerySet(models.QuerySet):
    def with_email(self, email: str):
        # LOWER(email) = lower(...) uses the unique index; email__iexact (UPPER) would not.
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())

    def search(self, query: str):
        """Contacts whose name, email, phone or organization contains the query, in any case
        and with or without accents ("lopez" finds "López"); all if blank."""
        query = query.strip()
        if not query:
            return self
        return self.filter(
            text_contains("name", query)
            | text_contains("email", query)
            | Q(phone__icontains=query)
            | text_contains("organization__name", query)
        )

    def for_directory(self):
        """The directory's rows: organization and owner, by name (the desk adds the cases)."""
        return self.select_related("organization", "owner__user").order_by("name", "pk")


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
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_contacts",
        help_text="The contact's single point of contact: every case they open lands here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When their personal data was erased (cases.personal_data): the row stays, anonymous.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class OwnerChange(models.Model):
    """The record of a contact's single point of contact changing hands."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="owner_changes")
    previous_owner = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_owner = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact", "-created_at"], name="ownerchange_contact_idx")]

    def __str__(self):
        return f"{self.contact}: {self.previous_owner} → {self.new_owner}"
