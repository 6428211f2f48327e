"""Opening a case: from the web form, from an agent's log of a call, chat or visit, from
the API. A new case is routed and given its due times before it is written, so its
row is written once, with its first message, its timeline and its acknowledgement
in the same transaction."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from agents.models import Agent
from cases import mails, routing
from cases.attachments import attachments_store
from cases.models import Case, CaseEvent, Category, Channel, FormSubmission, Message
from cases.said import Said
from cases.sla import due
from cases.timeline import actor_name, case_event
from contacts.models import Contact
from contacts.services import contact_find_or_new, contact_get_or_create
from helpdesk.lib.rows import insert, inserts_together


@dataclass(frozen=True)
class FormPost:
    """One post of the contact form: its one-time token and what it said, hashed
    (cases.forms.ContactForm.content_digest)."""

    token: uuid.UUID
    digest: str

    def record(self, message: Message) -> FormSubmission:
        submission = FormSubmission(
            token=self.token, digest=self.digest, case=message.case, message=message
        )
        insert(submission)
        return submission


# No savepoint of its own: a failure rolls back the caller's transaction whole.
@transaction.atomic(savepoint=False)
def case_open(
    *,
    contact: Contact,
    subject: str,
    body: str,
    channel: Channel,
    category: Category | None = None,
    priority: int | None = None,
    uploads=(),
    content_types=(),
    submission_token: uuid.UUID | None = None,
    actor: AbstractBaseUser | None = None,
    contact_is_new: bool = False,
    integration: str = "",
    form_post: FormPost | None = None,
) -> Case:
    """Open a case with its first message, route it, and acknowledge it after commit.
    `contact_is_new`: this transaction created the contact (routing need not lock it);
    it may not be saved yet (it is saved with the owner routing gives it).
    `integration`: the API token's name, when an integration opened it.
    `form_post`: the contact form's post that opens it, recorded with its first message."""
    if priority is None:
        priority = (
            category.default_priority if category else Case._meta.get_field("priority").default
        )
    case = Case(
        contact=contact,
        subject=subject,
        channel=channel,
        category=category,
        priority=priority,
        team=category.default_team if category else None,
        submission_token=submission_token,
    )
    if integration:
        detail = Said(
            "opened_by_api", integration=integration, contact=contact.name, channel=channel
        )
    elif actor:
        detail = Said("logged", agent=actor_name(actor), channel=channel, contact=contact.name)
    else:
        detail = Said("opened", contact=contact.name, channel=channel)
    events = [
        case_event(case, actor=actor, kind=CaseEvent.Kind.CREATED, detail=detail, name=contact.name)
    ]
    # The rows nothing here reads back (owner change, events, the form's record, the
    # link's token, the acknowledgement) go to the database together at the end.
    with inserts_together():
        _, reason = routing.assign(
            case, actor=actor, new_contact=contact if contact_is_new else None
        )
        events.append(case_event(case, actor=actor, kind=CaseEvent.Kind.ROUTED, detail=reason))
        if contact.pk is None:  # new, and nobody to own it yet
            contact.save()
        due.case_refresh(case)
        case.save()
        message = case.messages.create(
            author_contact=contact, body=body, channel=channel, created_at=case.created_at
        )
        insert(*events)
        if uploads:
            attachments_store(message=message, uploads=uploads, content_types=list(content_types))
        if form_post is not None:
            form_post.record(message)
        mails.case_acknowledge(case=case, contact_is_new=contact_is_new)
    return case


@transaction.atomic
def case_open_from_web(
    *,
    name: str,
    email: str,
    subject: str,
    body: str,
    category: Category | None,
    uploads=(),
    content_types=(),
    language: str = "",
    submission_token: uuid.UUID | None = None,
    form_post: FormPost | None = None,
) -> Case:
    """The contact form: find the contact by email, or make one, then open the case.

    A new contact is saved when the case is routed, with its owner, and without a
    savepoint: if another request created the same one a moment ago, the IntegrityError
    rolls this transaction back, and the caller tries once more (contact_form_submit)."""
    contact = contact_find_or_new(email=email, name=name, language=language)
    return case_open(
        contact_is_new=contact.pk is None,
        contact=contact,
        subject=subject,
        body=body,
        channel=Channel.WEB,
        category=category,
        uploads=uploads,
        content_types=content_types,
        submission_token=submission_token,
        form_post=form_post,
    )


@transaction.atomic
def case_open_from_api(
    *,
    integration: str,
    name: str,
    email: str,
    subject: str,
    body: str,
    channel: Channel,
    category: Category | None,
    priority: int | None,
    submission_token: uuid.UUID | None,
) -> Case:
    """An integration opens a case for a customer (the shop, a chat tool): found or made
    by email as the contact form does, routed and acknowledged the same way. The
    timeline names the integration. A repeated `submission_token` finds the case the
    first request opened (the caller looks first; the unique column settles a race)."""
    contact = contact_find_or_new(email=email, name=name)
    return case_open(
        contact_is_new=contact.pk is None,
        contact=contact,
        subject=subject,
        body=body,
        channel=channel,
        category=category,
        priority=priority,
        submission_token=submission_token,
        integration=integration,
    )


@transaction.atomic
def case_log(
    *,
    agent: Agent,
    contact: Contact | None,
    new_contact: dict | None,
    channel: Channel,
    category: Category | None,
    priority: int,
    subject: str,
    body: str,
    uploads=(),
    content_types=(),
) -> Case:
    """A case an agent logs for a customer from the phone, a chat, a visit or social media."""
    created = False
    if contact is None:
        contact, created = contact_get_or_create(**new_contact)
    return case_open(
        contact_is_new=created,
        contact=contact,
        subject=subject,
        body=body,
        channel=channel,
        category=category,
        priority=priority,
        uploads=uploads,
        content_types=content_types,
        actor=agent.user,
    )
