"""The desk and the customer's pages in every language of settings.LANGUAGES, every string.

Each catalogue in locale/ is complete (nothing untranslated, nothing fuzzy), its .mo file
is compiled from the .po as it stands, every string the source marks is in it, and the
main desk pages, asked for in French and in Spanish, show no English text the catalogue
translates. A string added without its translations fails here: run makemessages,
translate, compilemessages (README.md, "Translations").
"""

import gettext
import html.parser
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages
from django.urls import reverse
from django.utils.translation import get_language_info

from cases.models import CaseEvent, Notification, Reminder
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    CategoryFactory,
    ContactFactory,
    MessageFactory,
    OrganizationFactory,
)
from tests.knowledge.factories import ArticleFactory

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%(\(\w+\))?[sdif]|\{\w*\}")


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete ones left out), each with its msgctxt, msgid,
    msgid_plural, msgstr list and flags; enough of the format for what makemessages writes."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip() or line.startswith("#~"):
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {
                "msgctxt": None,
                "msgid": "",
                "msgid_plural": None,
                "msgstr": {},
                "flags": set(),
            }
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
        else:
            value = _unquote(rest)
            field = keyword
        if field.startswith("msgstr"):
            index = int(field[7:-1]) if field.startswith("msgstr[") else 0
            entry["msgstr"][index] = entry["msgstr"].get(index, "") + value
        else:
            entry[field] = (entry[field] or "") + value
    return [entry for entry in entries if entry["msgid"]]


def _unquote(quoted: str) -> str:
    return quoted.strip()[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def key(entry: dict) -> tuple:
    return entry["msgctxt"], entry["msgid"], entry["msgid_plural"]


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def described(keys) -> str:
    return "\n".join(
        f"  {msgid!r}" + (f" (context {ctxt!r})" if ctxt else "")
        for ctxt, msgid, _p in sorted(keys, key=str)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    unfinished = [
        key(entry)
        for entry in po_entries(catalogue(language))
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()) or not entry["msgstr"]
    ]
    assert not unfinished, (
        f"{len(unfinished)} untranslated or fuzzy in {catalogue(language)}:\n"
        f"{described(unfinished)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_up_to_date(language, tmp_path):
    """The committed .mo holds the messages the .po holds (compared as messages: msgfmt's
    bytes differ from one version of gettext to the next)."""
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(catalogue(language))], check=True
    )
    with compiled.open("rb") as fresh, catalogue(language).with_suffix(".mo").open("rb") as kept:
        expected = gettext.GNUTranslations(fresh)._catalog
        committed = gettext.GNUTranslations(kept)._catalog
    expected.pop("", None)  # the header: its dates change on every makemessages
    committed.pop("", None)
    stale = {
        msgid
        for msgid in expected.keys() | committed.keys()
        if expected.get(msgid) != committed.get(msgid)
    }
    assert not stale, (
        f"{catalogue(language).with_suffix('.mo')} is stale for {len(stale)} messages, e.g. "
        f"{sorted(map(str, stale))[:5]}: run `manage.py compilemessages`"
    )


class _WorkPathInTemp(makemessages.BuildFile):
    """A template's preprocessed copy goes to the temporary folder, not beside the template."""

    @property
    def work_path(self):
        if not self.is_templatized:
            return self.path
        return str(self.command.pot_dir / (self.path.strip("./").replace("/", "__") + ".py"))


class _PotOnly(makemessages.Command):
    """makemessages as `make`'s run would do it, but writing only the .pot, to a folder
    of ours: locale/ stays as it is."""

    build_file_class = _WorkPathInTemp

    def find_files(self, root):
        files = super().find_files(root)
        self.locale_paths = [str(self.pot_dir)]
        for translatable in files:
            translatable.locale_dir = str(self.pot_dir)
        return files

    def write_po_file(self, potfile, locale):
        pass


def test_every_marked_string_is_in_each_catalogue(tmp_path, monkeypatch):
    monkeypatch.chdir(settings.BASE_DIR)
    command = _PotOnly()
    command.pot_dir = tmp_path
    # var/ holds what runs make (databases, a copy for mutation testing), not sources.
    call_command(command, locale=LANGUAGES, keep_pot=True, verbosity=0, ignore_patterns=["var"])
    in_source = {key(entry) for entry in po_entries(tmp_path / "django.pot")}
    for language in LANGUAGES:
        missing = in_source - {key(entry) for entry in po_entries(catalogue(language))}
        assert not missing, (
            f"{len(missing)} strings of the source are not in {catalogue(language)} "
            f"(run `manage.py makemessages -l {language}` and translate them):\n"
            f"{described(missing)}"
        )


class _VisibleText(html.parser.HTMLParser):
    """A page's text nodes and the attributes a reader sees or hears, whitespace folded;
    not what an element marks as another language (the language switch names each
    language in its own)."""

    SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}

    def __init__(self, language):
        super().__init__()
        self.language, self.texts, self.hidden, self.other_language = language, [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        lang = dict(attrs).get("lang")
        if lang and tag != "html":
            self.other_language.append((tag, lang != self.language))
        if self._shown():
            for name, value in attrs:
                submit = name == "value" and ("type", "submit") in attrs
                if value and (name in self.SHOWN_ATTRIBUTES or submit):
                    self.texts.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(self.hidden - 1, 0)
        if self.other_language and self.other_language[-1][0] == tag:
            self.other_language.pop()

    def handle_data(self, data):
        if self._shown() and data.strip():
            self.texts.append(" ".join(data.split()))

    def _shown(self):
        return not self.hidden and not (self.other_language and self.other_language[-1][1])


def english_left(page: str, translated: set[str], language: str) -> set[str]:
    parser = _VisibleText(language)
    parser.feed(page)
    return translated.intersection(parser.texts)


def translated_msgids(language: str) -> set[str]:
    """The English of every message the catalogue gives another wording (placeholders
    aside: their English never shows as it is), less the languages' own names: a language
    is offered in its own name ("English") whatever the page's language."""
    own_names = {get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}
    english = set()
    for entry in po_entries(catalogue(language)):
        for msgid in filter(None, (entry["msgid"], entry["msgid_plural"])):
            if msgid not in entry["msgstr"].values() and not PLACEHOLDER.search(msgid):
                english.add(" ".join(msgid.split()))
    return english - own_names


@pytest.fixture
def desk_pages(agent, other_agent):
    """The desk's main pages, with something on each of them."""
    contact = ContactFactory(organization=OrganizationFactory(), owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, category=CategoryFactory())
    MessageFactory(case=case)
    MessageFactory(case=case, author_contact=None, author_agent=other_agent)
    MessageFactory(case=case, author_contact=None, author_agent=agent, is_internal=True)
    CaseEventFactory(case=case, actor=agent.user, kind=CaseEvent.Kind.STATUS)
    CaseFactory(contact=contact, assignee=other_agent, team=agent.team)
    reminder = Reminder.objects.create(
        case=case, kind=Reminder.Kind.WARNING, target="first_response", due_at=case.created_at
    )
    Notification.objects.create(agent=agent, reminder=reminder)
    ArticleFactory(title="Where is my parcel?")
    return {
        "queue": reverse("cases:queue"),
        "case workspace": reverse("cases:detail", args=[case.reference]),
        "contact page": reverse("contacts:detail", args=[contact.pk]),
        "contacts directory": reverse("contacts:directory"),
        "log a case": reverse("cases:new"),
        "notifications": reverse("cases:notifications"),
        "knowledge desk list": reverse("knowledge:desk_list"),
        "account": reverse("account:page"),
        "contact form": reverse("cases:contact"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_desk_pages_show_no_english_the_catalogue_translates(
    client, agent, manager, desk_pages, language
):
    translated = translated_msgids(language)
    left = {}
    client.force_login(agent.user)
    for name, url in desk_pages.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, name
        assert response["Content-Language"] == language, name
        left[name] = english_left(response.content.decode(), translated, language)
    client.force_login(manager.user)
    response = client.get(reverse("reports:page"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    left["reports"] = english_left(response.content.decode(), translated, language)
    left = {name: sorted(texts) for name, texts in left.items() if texts}
    assert not left, f"English shown on pages asked for in {language!r}: {left}"
