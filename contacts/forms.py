from django import forms
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from contacts.models import Contact


class ContactSearchForm(forms.Form):
    # No max_length: a long query finds nobody rather than showing an error.
    q = forms.CharField(label=_("Search"), required=False)


class ContactOwnerForm(forms.Form):
    # The desk offers the kept list of active agents, each with team and absence
    # (cases.choices); what is submitted is checked against this queryset.
    new_owner = forms.ModelChoiceField(
        label=_("New owner"),
        queryset=Agent.objects.active().select_related("user", "team"),
        empty_label=_("Choose an agent"),
        error_messages={"invalid_choice": _("Choose an active agent from the list.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Optional; kept in the contact's history."),
    )
    move_open_cases = forms.BooleanField(
        label=_("Also move their open cases to the new owner"),
        required=False,
        initial=True,
    )


class ContactDetailsForm(forms.ModelForm):
    """A contact's details, as an agent corrects them on the desk.

    The organization is typed by name, not chosen from a list of every organization
    (thousands on a large desk): an existing one is found whatever its case, a new name
    makes a new organization (contacts.services.contact_update), and blank means none.
    """

    organization = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Type its name; a new name adds the organization."),
    )

    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.organization_id:
            self.initial["organization"] = self.instance.organization.name

    def clean_organization(self):
        return " ".join(self.cleaned_data["organization"].split())

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the contact a name."))
        return name

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        taken = Contact.objects.with_email(email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another contact already has this address."))
        return email
