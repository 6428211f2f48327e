"""Which case an inbound mail answers, and whether its sender may write into it.

A message threads into a case by the Message-IDs it replies to (In-Reply-To, then
References), else by the case reference in its subject, and in both ways only when
the sender is on that case (see `case_addresses`): a desk Message-ID travels in
forwarded mail and copies, and a reference can be typed by anyone, so neither
proves who is writing. Mail from anyone else opens a case of its own.
"""

import re

from cases.models import Case, Message, parse_reference
from cases.timeline import merged_target
from contacts.models import Contact
from inbox.parse import InboundMail
from outbox.models import OutboundEmail

# A reference anywhere in a subject, as in "Re: [HD-000123] My order".
SUBJECT_REFERENCE_RE = re.compile(r"\bHD-?\d{1,12}\b", re.IGNORECASE)


def case_answered(mail: InboundMail) -> tuple[Case | None, Case | None]:
    """The case this mail answers, and a case it answered by Message-ID that its sender
    may not write into (for a note there); see the module's docstring."""
    refused = None
    if mail.answers_to:
        by_id = dict(
            Message.objects.filter(message_id__in=mail.answers_to).values_list(
                "message_id", "case_id"
            )
        )
        # Reminders and notifications go to agents: an answer to one is not the customer's.
        by_id |= dict(
            OutboundEmail.objects.filter(message_id_header__in=mail.answers_to, case__isnull=False)
            .exclude(kind__in=[OutboundEmail.Kind.REMINDER, OutboundEmail.Kind.NOTIFICATION])
            .values_list("message_id_header", "case_id")
        )
        for message_id in mail.answers_to:
            if message_id in by_id:
                case = merged_target(Case.objects.get(pk=by_id[message_id]))
                if mail.sender.lower() in case_addresses(case):
                    return case, None
                refused = case
                break
    for match in SUBJECT_REFERENCE_RE.finditer(mail.subject):
        case = Case.objects.filter(pk=parse_reference(match.group())).first()
        if case is not None:
            case = merged_target(case)
            if mail.sender.lower() in case_addresses(case):
                return case, None
    return None, refused


def case_addresses(case: Case) -> set[str]:
    """The email addresses that may write into a case by mail, lower-cased: its contact's
    and those of the people who already wrote on it as customers."""
    authors = Contact.objects.filter(
        pk__in=Message.objects.filter(case=case, author_contact__isnull=False).values(
            "author_contact_id"
        )
    )
    addresses = {email.lower() for email in authors.values_list("email", flat=True)}
    return addresses | {case.contact.email.lower()}
