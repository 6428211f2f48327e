"""What the customer is sent: each mail rendered in their language, with a private link
to their case page, and handed to the outbox in the caller's transaction."""

from django.conf import settings
from django.db import transaction

from cases import acknowledgements
from cases.links import access_link_create
from cases.models import Case, Message
from contacts.models import Contact
from outbox.models import OutboundEmail
from outbox.store import email_store


@transaction.atomic(savepoint=False)
def _customer_email(
    *, case: Case, template: str, kind: str, context: dict, message: Message | None = None
) -> OutboundEmail:
    """Store an email to the case's contact, in their language, with a private link to the
    case page, and queue it. Mail that carries an agent's message is not automatic."""
    contact = case.contact
    context = {
        "case": case,
        "contact": contact,
        "first_name": contact.first_name,
        "site_name": settings.SITE_NAME,
        **context,
    }
    context.setdefault("case_url", access_link_create(case=case))
    email = email_store(
        case=case,
        message=message,
        kind=kind,
        to=contact.email,
        template=template,
        context=context,
        language=contact.language,
        auto_generated=message is None,
    )
    if message is not None:
        message.message_id = email.message_id_header
        message.save(update_fields=["message_id"])
    return email


@transaction.atomic(savepoint=False)
def case_acknowledge(*, case: Case, contact_is_new: bool = False) -> OutboundEmail | None:
    """The acknowledgement of a new case: the reference and who owns it. None when the
    address had its hour's share of them: the case is then in the digest at the hour's
    end. What the sender typed (subject, name) is inert to an address that has never
    answered us (cases.acknowledgements); a contact made just now never has.
    """
    if not acknowledgements.acknowledgement_take(case=case):
        return None
    contact = case.contact
    plain = not contact_is_new and acknowledgements.has_answered(contact)
    shown = (lambda text: text) if plain else acknowledgements.inert_text
    return _customer_email(
        case=case,
        template="case_ack",
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        context={
            "assignee": case.assignee,
            "subject": shown(case.subject),
            "first_name": shown(contact.first_name),
        },
    )


def case_reply_email(*, message: Message) -> OutboundEmail:
    """A reply (an agent's or an integration's), mailed to the contact."""
    return _customer_email(
        case=message.case,
        template="case_reply",
        kind=OutboundEmail.Kind.REPLY,
        context={"message": message},
        message=message,
    )


def case_waiting_email(*, case: Case) -> OutboundEmail:
    """Tell the customer the case waits on them."""
    return _customer_email(
        case=case, template="case_waiting", kind=OutboundEmail.Kind.WAITING, context={}
    )


def case_resolved_email(*, case: Case) -> OutboundEmail:
    """Ask whether there is anything else, with links to rate the help from 1 to 5.

    The links only open the case page with a rating chosen; saving it takes a POST,
    so a mail scanner following every link changes nothing.
    """
    link = access_link_create(case=case)
    return _customer_email(
        case=case,
        template="case_resolved",
        kind=OutboundEmail.Kind.RESOLVED,
        context={
            "case_url": link,
            "ratings": [(score, f"{link}?rating={score}") for score in range(5, 0, -1)],
        },
    )


@transaction.atomic
def case_links_email(*, contact: Contact, cases: list[Case]) -> OutboundEmail:
    """Fresh links to a contact's recent cases, asked for at /c/."""
    context = {
        "contact": contact,
        "first_name": contact.first_name,
        "site_name": settings.SITE_NAME,
        "links": [(case, access_link_create(case=case)) for case in cases],
    }
    return email_store(
        kind=OutboundEmail.Kind.LINKS,
        to=contact.email,
        template="case_links",
        context=context,
        language=contact.language,
    )


@transaction.atomic
def contact_data_email(*, contact: Contact, url: str) -> OutboundEmail:
    """The link to a copy of everything held about them, asked for from a case page."""
    context = {
        "contact": contact,
        "first_name": contact.first_name,
        "site_name": settings.SITE_NAME,
        "url": url,
    }
    return email_store(
        kind=OutboundEmail.Kind.DATA,
        to=contact.email,
        template="contact_data",
        context=context,
        language=contact.language,
    )
