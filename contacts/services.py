from django.db import IntegrityError, transaction

from contacts.models import Contact


@transaction.atomic
def contact_get_or_create(*, email: str, name: str, language: str = "") -> tuple[Contact, bool]:
    """The contact with this email (any case), or a new one.

    An existing contact keeps the name they have on file: a form is not proof of
    who someone is, so what they typed never silently overwrites it.
    """
    email = email.strip()
    contact = Contact.objects.with_email(email).select_for_update().first()
    if contact is not None:
        return contact, False
    fields = {"name": name.strip(), "email": email}
    if language:
        fields["language"] = language
    try:
        with transaction.atomic():
            return Contact.objects.create(**fields), True
    except IntegrityError:
        # Someone else created the same contact a moment ago.
        return Contact.objects.with_email(email).get(), False
