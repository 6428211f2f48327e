"""A post of the public contact form: the first one of a form opens a case; the same form
posted again either is a double click (nothing more is stored) or says something new,
which is never dropped.

Above cases.intake and cases.customer, which it both uses (a form's second text is a
customer's message on the case its first one opened)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.customer import case_customer_reply
from cases.intake import FormPost, case_open_from_web
from cases.models import Case, Category, Channel, FormSubmission, Message


class Sent:
    """What a post of the contact form did, for its thanks page."""

    NEW = "new"  # opened a case
    SAME = "same"  # the same form posted again (a double click): the case it opened before
    ADDED = "added"  # other content from the same address: a message on the case it opened
    FOLLOW_UP = "follow-up"  # …whose case is closed since: a new case follows it up
    OTHER_ADDRESS = "other-address"  # other content from another address: a new case

    ALL = (NEW, SAME, ADDED, FOLLOW_UP, OTHER_ADDRESS)
    OPENED = (NEW, FOLLOW_UP, OTHER_ADDRESS)  # the post opened a case


@dataclass(frozen=True)
class Submitted:
    case: Case
    sent: str
    earlier: Case | None = None  # the case an earlier post of the same form went to


def contact_form_submit(
    *,
    form_post: FormPost,
    name: str,
    email: str,
    subject: str,
    body: str,
    category: Category | None,
    uploads=(),
    content_types=(),
    language: str = "",
) -> Submitted:
    """A valid post of the contact form. Its one-time token guards against a double click,
    and never drops a changed text (the customer went back, edited and sent again):

    - the first post of a form opens a case;
    - the same token with the same content (cases.forms.ContactForm.content_digest) finds
      the case that post went to, and stores nothing;
    - the same token with other content from the same address is a follow-up message, with
      its files, on the case the form last went to for that address; a closed case stays
      closed and a new case follows it up, a resolved one opens again (as with a reply by
      mail: cases.customer.case_customer_reply);
    - the same token with other content from another address opens a case of its own.

    Every post that stored something is recorded (FormSubmission) uniquely per token and
    content: of two identical posts at once, the second one's insert fails, its
    transaction rolls back, and its next try finds the first one's case."""
    post = {
        "form_post": form_post,
        "name": name,
        "email": email,
        "subject": subject,
        "body": body,
        "category": category,
        "uploads": uploads,
        "content_types": content_types,
        "language": language,
    }
    try:
        # A form's first post, as most are. A token used before fails the case's unique
        # column and rolls back; so does a new address another request saved a moment ago.
        case = case_open_from_web(submission_token=form_post.token, **post)
        return Submitted(case=case, sent=Sent.NEW)
    except IntegrityError:
        pass
    try:
        return post_again(**post)
    except IntegrityError:
        # The same post, sent twice at once: the other one stored it; this try finds it.
        return post_again(**post)


@transaction.atomic
def post_again(
    *,
    form_post: FormPost,
    name: str,
    email: str,
    subject: str,
    body: str,
    category: Category | None,
    uploads,
    content_types,
    language: str,
) -> Submitted:
    """A post whose first try failed on a unique column: see contact_form_submit."""
    earlier = list(
        FormSubmission.objects.filter(token=form_post.token)
        .select_related("case__contact")
        .order_by("pk")
    )
    for submission in earlier:
        if submission.digest == form_post.digest:
            return Submitted(case=submission.case, sent=Sent.SAME)
    if not earlier:
        opened = Case.objects.filter(submission_token=form_post.token).first()
        if opened is not None:
            # Opened before posts were recorded (an upgrade in between): as a double click.
            return Submitted(case=opened, sent=Sent.SAME)
    address = email.strip().lower()
    mine = [s for s in earlier if s.case.contact.email.strip().lower() == address]
    if not mine:
        # Nothing stored under this token yet (another request made this contact a moment
        # ago), or only from another address: a case of its own.
        case = case_open_from_web(
            form_post=form_post,
            name=name,
            email=email,
            subject=subject,
            body=body,
            category=category,
            uploads=uploads,
            content_types=content_types,
            language=language,
            submission_token=None if earlier else form_post.token,
        )
        if not earlier:
            return Submitted(case=case, sent=Sent.NEW)
        return Submitted(case=case, sent=Sent.OTHER_ADDRESS, earlier=earlier[-1].case)
    last = mine[-1].case
    if subject != last.subject:
        # The case keeps its subject; the new one heads the message, so nothing is lost.
        body = _("Subject: %(subject)s") % {"subject": subject} + "\n\n" + body
    message = case_customer_reply(
        case=last,
        contact=last.contact,
        body=body,
        channel=Channel.WEB,
        uploads=uploads,
        content_types=content_types,
    )
    form_post.record(message)
    if Message.objects.filter(case=message.case).order_by("pk").first() == message:
        # The case was closed: the message opened a new case, which follows it up.
        return Submitted(case=message.case, sent=Sent.FOLLOW_UP, earlier=last)
    return Submitted(case=message.case, sent=Sent.ADDED, earlier=last)
