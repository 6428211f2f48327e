import hashlib
import re
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, Team
from cases.attachments import ALLOWED_EXTENSIONS, check_upload
from cases.desk import BulkAction
from cases.models import Case, Category, Channel, Priority, Status
from contacts.models import Contact

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class MultipleFileInput(forms.FileInput):
    # A plain file input, not Django documentation's ClearableFileInput: these forms
    # never show a file already kept, so there is nothing to clear.
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern from Django's documentation)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def single_line(value: str, label: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(_("%(label)s must be on one line.") % {"label": label})
    return value


class AttachmentsMixin:
    """Checks an `attachments` field like the contact form does; sets self.content_types.

    `staged` are files kept from an earlier post of the same form (see cases.staging): they
    count and go with the new ones, first. Whatever passes the checks is in `checked`,
    for staging when the form is shown again.
    """

    def __init__(self, *args, staged=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staged = list(staged)
        self.checked = []  # (upload, content type) of this post's files that passed
        self.attachments_checked = False
        self.not_kept = []  # names of files this post carried that must be chosen again
        self.content_types = []

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        self.attachments_checked = True
        errors = []
        if len(uploads) + len(self.staged) > settings.ATTACHMENT_MAX_FILES:
            errors.append(
                _("Attach at most %(count)d files.") % {"count": settings.ATTACHMENT_MAX_FILES}
            )
        for upload in uploads:
            try:
                self.checked.append((upload, check_upload(upload)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        self.content_types = [item.content_type for item in self.staged]
        self.content_types += [content_type for _upload, content_type in self.checked]
        staged = [File(item.file.open("rb"), name=item.name) for item in self.staged]
        return staged + [upload for upload, _type in self.checked]


class ContactForm(AttachmentsMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        # The case takes the category's team: one query for both.
        queryset=Category.objects.select_related("default_team"),
        required=False,
        empty_label=_("Not sure / something else"),
    )
    message = forms.CharField(
        label=_("How can we help?"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files of at most 10 MB each: images, PDF, text and office documents."),
    )
    # Bots fill every field they find; people never see this one.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_name(self):
        return single_line(self.cleaned_data["name"], _("Your name"))

    def clean_subject(self):
        return single_line(self.cleaned_data["subject"], _("The subject"))

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def content_digest(self) -> str:
        """What this valid post says, as a keyed hash: the address, the subject, the text
        and the files (each new one's name and bytes; staged ones by their token, which a
        double click sends again even after the first post used the file up). The name and
        the category are not content: the case keeps the first post's. Two posts of one
        form with the same digest are one post sent twice (cases.contact_form)."""
        data = self.cleaned_data
        content = hashlib.sha256()
        for part in (data["email"].strip().lower(), data["subject"], data["message"]):
            content.update(part.encode() + b"\0")
        for token in self.data.getlist("staged"):
            content.update(b"staged:" + token.encode() + b"\0")
        for upload in self.files.getlist("attachments"):
            content.update(b"file:" + upload.name.encode(errors="replace") + b"\0")
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            content.update(b"\0")
        return salted_hmac(
            "cases.contact-form-content", content.hexdigest(), algorithm="sha256"
        ).hexdigest()


class VersionedForm(forms.Form):
    """A workspace form: carries the case version the agent saw, to detect collisions."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def full_clean(self):
        super().full_clean()
        # A hidden field's error would be invisible; say it where the agent looks.
        if self.is_bound and "seen_version" in self._errors:
            del self._errors["seen_version"]
            self.add_error(None, _("This form is out of date or damaged; reload the page."))


class ReplyForm(AttachmentsMixin, VersionedForm):
    REPLY = "reply"
    NOTE = "note"

    # Shown to screen readers only: the card's heading says what the box is for.
    body = forms.CharField(
        label=_("Reply or internal note"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 7, "placeholder": _("Write to the customer…")}),
    )
    status_after = forms.ChoiceField(
        label=_("Then set status to"),
        choices=[
            (Status.WAITING, Status.WAITING.label),
            (Status.OPEN, Status.OPEN.label),
            (Status.RESOLVED, Status.RESOLVED.label),
        ],
        initial=Status.WAITING,
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CaseUpdateForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=Agent.objects.active().select_related("user"),
        required=False,
        empty_label=_("Unassigned"),
    )


class EscalateForm(VersionedForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("The lead of this case's team"),
        label=_("Escalate to"),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(VersionedForm):
    target = forms.CharField(
        label=_("Merge this case into"),
        max_length=20,
        help_text=_("The reference of the case to keep, e.g. HD-000123."),
    )
    # Set by the confirmation page that shows both cases.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_target(self):
        reference = self.cleaned_data["target"]
        target = Case.objects.with_reference(reference).first()
        if target is None:
            raise ValidationError(_("There is no case %(reference)s.") % {"reference": reference})
        return target


class BulkForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(
        queryset=Case.objects.all(),
        error_messages={"required": _("Select at least one case.")},
    )
    action = forms.ChoiceField(label=_("With the selected cases"), choices=BulkAction.CHOICES)
    assignee = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=Agent.objects.active().select_related("user"),
        required=False,
        empty_label="—",
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Status.choices], required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", "—"), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose the agent to assign to."))
        if action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the status to set."))
        if action == BulkAction.PRIORITY and not data.get("priority"):
            self.add_error("priority", _("Choose the priority to set."))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Save these filters as"))
    query = forms.CharField(max_length=1000, widget=forms.HiddenInput, required=False)


class LogCaseForm(AttachmentsMixin, forms.Form):
    """A case an agent logs on a customer's behalf."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput
    )
    new_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    new_email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    new_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.WEB],
        initial=Channel.PHONE,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("The customer's words"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def clean_subject(self):
        return single_line(self.cleaned_data["subject"], _("The subject"))

    def clean_new_name(self):
        return single_line(self.cleaned_data["new_name"], _("The name"))

    def clean(self):
        data = super().clean()
        if data.get("contact") is None:
            if not data.get("new_name"):
                self.add_error(
                    "new_name", _("Choose a contact above, or give the new contact's name.")
                )
            if not data.get("new_email") and "new_email" not in self.errors:
                self.add_error(
                    "new_email", _("A new contact needs an email, to keep them informed.")
                )
        return data


class CustomerReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How did we do?"),
        choices=[(1, _("1 · Poor")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 · Excellent"))],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    recommend = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague? (optional)"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your email"), max_length=254)
