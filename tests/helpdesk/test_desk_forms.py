"""The field tag, the one way the site renders a form field (helpdesk.templatetags.desk_forms)."""

from html.parser import HTMLParser

import django_filters
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from cases.forms import MultipleFileField


class EveryKindForm(forms.Form):
    """One field of each kind of widget the site's forms use."""

    name = forms.CharField(label="Your name", help_text="As on your invoice.")
    body = forms.CharField(widget=forms.Textarea(attrs={"class": "font-monospace"}))
    agree = forms.BooleanField(label="I agree", help_text="You can change your mind.")
    status = forms.MultipleChoiceField(
        choices=[("new", "New"), ("open", "Open")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Any of these.",
    )
    score = forms.ChoiceField(choices=[("1", "Poor"), ("5", "Great")], widget=forms.RadioSelect)
    channel = forms.ChoiceField(choices=[("", "Any"), ("phone", "Phone"), ("email", "Email")])
    teams = forms.MultipleChoiceField(
        choices=[("care", "Care"), ("Hardware", [("printers", "Printers"), ("phones", "Phones")])]
    )
    attachments = MultipleFileField(required=False, help_text="Up to 5 files.")
    created = django_filters.fields.DateRangeField(
        label="Created between",
        required=False,
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def render(form, field, **options) -> str:
    arguments = " ".join(f"{key}={value}" for key, value in options.items())
    template = Template(f"{{% load desk_forms %}}{{% field form.{field} {arguments} %}}")
    return template.render(Context({"form": form}))


def render_all(form) -> str:
    return "".join(render(form, name) for name in form.fields)


class Elements(HTMLParser):
    """Every element's tag and attributes, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.elements if attrs.get("id")}

    def find(self, tag, **wanted):
        return [
            attrs
            for name, attrs in self.elements
            if name == tag and all(attrs.get(key) == value for key, value in wanted.items())
        ]


@pytest.fixture
def invalid_form():
    """Sent empty, except for a team, so every required field has an error."""
    form = EveryKindForm({"teams": ["printers", "phones"], "status": ["open"]})
    assert not form.is_valid()
    return form


def test_every_aria_describedby_names_an_element_on_the_page(invalid_form):
    page = Elements(render_all(invalid_form))
    described = [
        (tag, attrs["aria-describedby"])
        for tag, attrs in page.elements
        if "aria-describedby" in attrs
    ]

    assert len(described) >= 6
    for tag, ids in described:
        assert set(ids.split()) <= page.ids(), f"<{tag}> points at {ids}"


def test_an_error_sits_under_its_field_which_is_marked_invalid(invalid_form):
    html = render(invalid_form, "name")
    page = Elements(html)

    (control,) = page.find("input", name="name")
    assert "is-invalid" in control["class"].split()
    assert control["aria-invalid"] == "true"
    assert control["aria-describedby"] == "id_name_helptext id_name_error"
    assert '<div class="invalid-feedback d-block" id="id_name_error">' in html
    assert html.index("This field is required.") > html.index("<input")
    assert '<div class="form-text" id="id_name_helptext">As on your invoice.</div>' in html


def test_a_field_without_errors_is_not_marked_invalid():
    page = Elements(render(EveryKindForm(), "name"))

    (control,) = page.find("input", name="name")
    assert "is-invalid" not in control["class"]
    assert "aria-invalid" not in control
    assert control["aria-describedby"] == "id_name_helptext"
    assert "id_name_error" not in page.ids()


def test_a_required_field_is_starred_for_the_eye_and_required_for_the_browser():
    html = render(EveryKindForm(), "name")

    assert (
        '<label class="form-label" for="id_name">Your name'
        '<span class="asteriskField" aria-hidden="true">*</span></label>'
    ) in html
    assert Elements(html).find("input", name="name")[0]["required"] is None
    assert "asteriskField" not in render(EveryKindForm(), "attachments")


def test_a_label_can_be_kept_for_screen_readers_only():
    html = render(EveryKindForm(), "name", show_label="False", label='"Reply"')

    assert '<label class="visually-hidden" for="id_name">Reply' in html


def test_the_widgets_own_class_is_kept_before_bootstraps():
    (control,) = Elements(render(EveryKindForm(), "body")).find("textarea")

    assert control["class"] == "font-monospace form-control"


def test_a_checkbox_has_its_label_after_the_box_and_its_help_below(invalid_form):
    html = render(invalid_form, "agree")
    (box,) = Elements(html).find("input", type="checkbox")

    assert html.startswith('<div class="mb-3 form-check"><input')
    assert box["class"] == "form-check-input is-invalid"
    assert box["aria-describedby"] == "id_agree_helptext id_agree_error"
    assert '<label class="form-check-label" for="id_agree">I agree' in html


def test_checkboxes_for_several_choices_are_a_fieldset_with_a_legend(invalid_form):
    html = render(invalid_form, "status")
    page = Elements(html)

    assert html.startswith('<fieldset class="mb-3" aria-describedby="id_status_helptext">')
    assert '<legend class="form-label fs-6">Status</legend>' in html
    boxes = page.find("input", type="checkbox", name="status")
    assert [(box["id"], box["value"], "checked" in box) for box in boxes] == [
        ("id_status_0", "new", False),
        ("id_status_1", "open", True),
    ]
    assert [label["for"] for label in page.find("label")] == ["id_status_0", "id_status_1"]


def test_a_required_radio_group_says_so_to_screen_readers(invalid_form):
    html = render(invalid_form, "score")

    assert '<span class="visually-hidden"> (required)</span>' in html
    assert 'aria-describedby="id_score_error"' in html
    assert all("required" in radio for radio in Elements(html).find("input", type="radio"))


def test_a_select_marks_its_chosen_option():
    form = EveryKindForm(initial={"channel": "email"})
    html = render(form, "channel")

    assert '<select class="form-select" id="id_channel" name="channel" required>' in html
    assert '<option value="email" selected>Email</option>' in html
    assert '<option value="phone">Phone</option>' in html


def test_a_select_multiple_keeps_its_groups_and_every_chosen_option(invalid_form):
    html = render(invalid_form, "teams")
    (select,) = Elements(html).find("select")

    assert "multiple" in select
    assert select["class"] == "form-select"
    assert '<optgroup label="Hardware">' in html
    assert '<option value="printers" selected>' in html
    assert '<option value="phones" selected>' in html
    assert '<option value="care">' in html


def test_a_file_input_takes_several_files_and_says_how_many():
    form = EveryKindForm(files={"attachments": SimpleUploadedFile("a.txt", b"a")})
    (control,) = Elements(render(form, "attachments")).find("input", type="file")

    assert "multiple" in control
    assert control["class"] == "form-control"
    assert control["aria-describedby"] == "id_attachments_helptext"


def test_a_date_range_is_a_fieldset_with_a_label_for_each_date():
    form = EveryKindForm({"created_after": "2026-01-01", "created_before": "2026-01-31"})
    html = render(form, "created")
    page = Elements(html)

    assert '<legend class="form-label fs-6">Created between</legend>' in html
    dates = page.find("input", type="date")
    assert [(date["name"], date["id"], date["value"]) for date in dates] == [
        ("created_after", "id_created_0", "2026-01-01"),
        ("created_before", "id_created_1", "2026-01-31"),
    ]
    assert '<label class="visually-hidden" for="id_created_0">From</label>' in html
    assert '<label class="visually-hidden" for="id_created_1">To</label>' in html


def test_a_hidden_field_is_only_its_input():
    html = render(EveryKindForm(initial={"version": 3}), "version")

    assert html == '<input type="hidden" name="version" value="3" id="id_version">'


def test_labels_values_and_help_are_escaped():
    form = EveryKindForm({"name": '"><script>alert(1)</script>'})
    form.fields["name"].label = "<b>Name</b>"
    form.fields["name"].help_text = "<i>help</i>"
    html = render(form, "name")

    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;b&gt;Name&lt;/b&gt;" in html


class PlainKindsForm(forms.Form):
    """Each widget widget_html writes itself, with values that need escaping."""

    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "b"'}))
    email = forms.EmailField(required=False)
    site = forms.URLField(required=False, assume_scheme="https")
    at = forms.DateTimeField(required=False)
    clock = forms.TimeField(required=False)
    phone = forms.CharField(required=False, widget=forms.TelInput)
    find = forms.CharField(required=False, widget=forms.SearchInput)
    count = forms.IntegerField(min_value=0, required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    agree = forms.BooleanField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    off = forms.CharField(disabled=True, required=False, initial="<fixed>")


def site_forms():
    """The site's own forms with plain widgets, unbound and bound to awkward input."""
    from cases.forms import CaseUpdateForm, ContactForm, LinkRequestForm, ReplyForm
    from contacts.forms import ContactDetailsForm, ContactOwnerForm

    awkward = {
        "name": '<b>"Ana" & co</b>',
        "email": "not an address",
        "site": "javascript:alert(1)",
        "count": "-3",
        "secret": "p<w>d",
        "body": "line one\n</textarea><script>alert(1)</script>",
        "agree": "on",
        "day": "2026-13-40",
        "at": "2026-11-29 10:00",
        "phone": "+34 <600>",
        "find": "a&b",
        "version": "x",
        "subject": "",
        "message": "\n\n  indented",
        "reason": "é" * 400,
    }
    classes = (
        PlainKindsForm,
        ContactForm,
        ReplyForm,
        CaseUpdateForm,
        LinkRequestForm,
        ContactDetailsForm,
        ContactOwnerForm,
    )
    for form_class in classes:
        yield form_class()
        yield form_class(awkward)
    yield PlainKindsForm(initial={"name": "x" * 30, "agree": True, "count": 0, "body": ""})


@pytest.mark.django_db
def test_widget_html_writes_what_djangos_templates_write():
    from helpdesk.templatetags.desk_forms import INPUT_TEMPLATES, TEXTAREA_TEMPLATE, widget_html

    written = set()
    for form in site_forms():
        form.is_valid()
        for bound in form:
            for attrs in (None, {"class": "form-control is-invalid", "aria-invalid": "true"}):
                assert widget_html(bound, attrs) == bound.as_widget(attrs=attrs), bound.name
            written.add(bound.field.widget.template_name)
    # every kind written here was compared at least once
    assert {TEXTAREA_TEMPLATE, *INPUT_TEMPLATES} <= written


def test_a_lazy_help_text_that_is_safe_html_is_kept_as_html_and_a_lazy_plain_one_escaped():
    from django.contrib.auth.forms import SetPasswordForm
    from django.utils.functional import lazy

    rules = render(SetPasswordForm(user=None), "new_password1")
    plain = EveryKindForm()
    plain.fields["name"].help_text = lazy(lambda: "<i>help</i>", str)()

    assert "<ul><li>" in rules and "&lt;ul&gt;" not in rules
    assert "&lt;i&gt;help&lt;/i&gt;" in render(plain, "name")
