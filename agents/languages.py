"""The languages an agent speaks and the one their desk is in.

An agent's languages are codes of settings.LANGUAGES stored as "en,fr", first the one
they prefer to be written to (Agent.mail_language): ticked as checkboxes, and a ticked
language keeps its place while new ones follow it. The desk language is one code, or
empty to follow the browser (agents.desk_locale applies it)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, language_codes, validate_languages


def languages_joined(ticked: list[str], previous: str = "") -> str:
    """The ticked codes as stored: those of `previous` in its order, then the others in
    the desk's order."""
    kept = [code for code in language_codes(previous) if code in ticked]
    added = [code for code, _name in settings.LANGUAGES if code in ticked and code not in kept]
    return ",".join(kept + added)


class LanguagesField(forms.MultipleChoiceField):
    """One checkbox per language of the desk; the stored string in, a list of codes out."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Languages"))
        kwargs.setdefault("help_text", _("The languages you write in with customers."))
        super().__init__(choices=settings.LANGUAGES, **kwargs)

    def prepare_value(self, value):
        return language_codes(value) if isinstance(value, str) else value

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial) or [], data)


def desk_language_field(**kwargs) -> forms.ChoiceField:
    kwargs.setdefault("label", _("Desk language"))
    kwargs.setdefault("help_text", _("The language the desk shows you."))
    # Each language in its own name, so an agent finds theirs in a desk they cannot read.
    own_names = [
        (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
    ]
    return forms.ChoiceField(
        choices=[("", _("Your browser's language")), *own_names],
        required=False,
        **kwargs,
    )


class AgentLanguagesForm(forms.Form):
    """An agent's languages and desk language, on their own account page."""

    languages = LanguagesField()
    desk_language = desk_language_field()

    def __init__(self, *args, agent: Agent, **kwargs):
        kwargs.setdefault(
            "initial", {"languages": agent.languages, "desk_language": agent.desk_language}
        )
        super().__init__(*args, **kwargs)
        self.agent = agent

    def clean_languages(self) -> str:
        return languages_joined(self.cleaned_data["languages"], self.agent.languages)


class AgentAdminForm(forms.ModelForm):
    """The admin's agent form, with the languages as checkboxes (the admin names the
    model and its fields)."""

    languages = LanguagesField(
        label=_("Languages"),
        help_text=_(
            "The languages the agent writes in: a contact without an owner goes first to an "
            "agent who speaks their language."
        ),
    )
    desk_language = desk_language_field(
        help_text=_("The language of the desk for this agent. Empty: the browser's.")
    )

    def clean_languages(self) -> str:
        return languages_joined(self.cleaned_data["languages"], self.instance.languages)


class DeskLanguageForm(forms.Form):
    """The switch in the desk's navigation."""

    desk_language = desk_language_field()


def _desk_language_check(code: str) -> None:
    if code and code not in dict(settings.LANGUAGES):
        raise ValidationError(_("Not a language of the desk: %(codes)s."), params={"codes": code})


@transaction.atomic
def agent_languages_set(*, agent: Agent, languages: str, desk_language: str) -> None:
    """Store the languages an agent speaks (codes joined by commas) and their desk's."""
    validate_languages(languages)
    _desk_language_check(desk_language)
    agent.languages = languages
    agent.desk_language = desk_language
    agent.save(update_fields=["languages", "desk_language"])


@transaction.atomic
def agent_desk_language_set(*, agent: Agent, desk_language: str) -> None:
    """Show the desk to this agent in a language of the desk; empty: their browser's."""
    _desk_language_check(desk_language)
    agent.desk_language = desk_language
    agent.save(update_fields=["desk_language"])
