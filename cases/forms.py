import re
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.attachments import ALLOWED_EXTENSIONS, check_upload
from cases.models import Category

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class MultipleFileInput(forms.ClearableFileInput):
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


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.all(),
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

    def clean_attachments(self):
        uploads = self.cleaned_data["attachments"]
        if len(uploads) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)d files.") % {"count": settings.ATTACHMENT_MAX_FILES}
            )
        errors, self.content_types = [], []
        for upload in uploads:
            try:
                self.content_types.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return uploads

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
