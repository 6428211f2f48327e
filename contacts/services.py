from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agents.models import Agent
from contacts.models import Contact, Organization, OwnerChange
from helpdesk.lib.rows import insert


# No savepoint of its own: it runs inside the caller's transaction, which rolls back whole.
@transaction.atomic(savepoint=False)
def contact_get_or_create(
    *, email: str, name: str, language: str = "", phone: str = ""
) -> tuple[Contact, bool]:
    """The contact with this email (any case), or a new one.

    An existing contact keeps the name they have on file: a form is not proof of
    who someone is, so what they typed never silently overwrites it.
    """
    contact = contact_find_or_new(email=email, name=name, language=language, phone=phone)
    if contact.pk is not None:
        return contact, False
    try:
        with transaction.atomic():
            contact.save()
        return contact, True
    except IntegrityError:
        # Someone else created the same contact a moment ago.
        return Contact.objects.with_email(contact.email).get(), False


def contact_find_or_new(*, email: str, name: str, language: str = "", phone: str = "") -> Contact:
    """The contact with this email (any case), locked; or a new one, not yet saved.

    The caller saves a new one, with no savepoint of its own: when someone else created
    the same contact a moment ago, the IntegrityError rolls the caller's transaction
    back, to be tried again (it then finds the contact). The contact form saves it with
    its owner in one insert (contact_adopt).
    """
    email = email.strip()
    contact = Contact.objects.with_email(email).select_for_update().first()
    if contact is not None:
        return contact
    contact = Contact(name=name.strip(), email=email, phone=phone.strip())
    if language:
        contact.language = language
    return contact


@transaction.atomic
def contact_change_owner(
    *, contact: Contact, new_owner: Agent, actor: AbstractBaseUser, reason: str = ""
) -> OwnerChange:
    """Give a contact a new single point of contact, and record who did it and why.
    (cases.handover.contact_owner_change also moves the contact's open cases.)"""
    # The row lock makes two agents changing the owner at once take turns, so the
    # second one sees (and records) the first one's choice as the previous owner.
    # No join: a locking read that joins may return the joined row as it was before.
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.owner_id == new_owner.pk:
        raise ValidationError(f"{new_owner.name} already owns {contact.name}.")
    if not new_owner.user.is_active:
        raise ValidationError(f"{new_owner.name} no longer works on the desk.")
    change = OwnerChange.objects.create(
        contact=contact,
        previous_owner_id=contact.owner_id,
        new_owner=new_owner,
        actor=actor,
        reason=reason.strip(),
    )
    contact.owner = new_owner
    contact.save(update_fields=["owner"])
    return change


def contact_adopt(*, contact: Contact, agent, actor=None) -> bool:
    """A contact without an owner gets the agent who receives their first case.

    Returns whether the agent became the owner; an owned contact keeps their owner.
    A new contact not yet saved is saved here, with its owner.
    """
    if contact.pk is None:
        contact.owner = agent
        contact.save()
        adopted = 1
    else:
        adopted = Contact.objects.filter(pk=contact.pk, owner__isnull=True).update(owner=agent)
    if adopted:
        contact.owner = agent
        insert(
            OwnerChange(
                contact=contact,
                previous_owner=None,
                new_owner=agent,
                actor=actor,
                reason="Received their first case.",
            )
        )
    return bool(adopted)


@transaction.atomic
def contact_update(*, contact: Contact, fields: dict) -> Contact:
    """Save a contact's corrected details (name, email, phone, organization, language).
    The organization may be given by name: found whatever its case, or made."""
    fields = dict(fields)
    if isinstance(fields.get("organization"), str):
        fields["organization"] = organization_named(fields["organization"])
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    try:
        with transaction.atomic():
            locked.save(update_fields=list(fields))
    except IntegrityError:
        raise ValidationError({"email": "Another contact already has this address."}) from None
    return locked


def organization_named(name: str) -> Organization | None:
    """The organization of this name (any case), made if there is none; None if blank."""
    name = " ".join(name.split())
    if not name:
        return None
    found = Organization.objects.filter(name__iexact=name).order_by("pk").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Organization.objects.create(name=name)
    except IntegrityError:
        # Made a moment ago by someone else.
        return Organization.objects.get(name=name)
