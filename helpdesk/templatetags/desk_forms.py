"""A Bootstrap 5 form field rendered in Python: the one way the site renders a form field.

The desk's pages carry many small forms; crispy-forms rendered each field through a
dozen nested templates, which cost more than the rest of a page. This tag gives the
same markup (label, control, errors, help text) for every widget the site uses, and
ties the errors and help text to the control with aria-describedby, with the ids
Django itself gives them (`id_<name>_error`, `id_<name>_helptext`).
"""

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import RangeWidget

from helpdesk.lib.html import html_text

register = template.Library()

REQUIRED = mark_safe('<span class="asteriskField" aria-hidden="true">*</span>')

# Widgets whose Django templates are just the plain <input> or the <textarea>: widget_html
# writes their markup here, as those templates would (each took two template renders).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text",
        "email",
        "url",
        "number",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "file",
        "search",
        "tel",
    )
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


@register.simple_tag
def field(bound, label=None, show_label=True):
    """Label, control, errors and help text of a bound field, in Bootstrap 5 markup.

    `label` replaces the field's own label; `show_label=False` keeps the label for
    screen readers only, for a control whose card heading already says what it is.
    Written with f-strings and html_text, not format_html: a desk page has a dozen
    fields, and each format_html wrapped every part in a SafeString.
    """
    widget = bound.field.widget
    if widget.is_hidden:
        return widget_html(bound)
    errors = bound.errors  # a new ErrorList at each access on a field without errors
    text = mark_safe(html_text(label or bound.label))
    required = REQUIRED if bound.field.required else ""
    if isinstance(widget, forms.CheckboxInput):
        control = widget_html(bound, {"class": _css(widget, "form-check-input", errors)})
        return mark_safe(
            f'<div class="mb-3 form-check">{control}<label class="form-check-label"'
            f' for="{html_text(bound.id_for_label)}">{text}{required}</label>'
            f"{_feedback(bound, errors)}</div>"
        )
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return _fieldset(bound, text, _choices(bound, errors), errors)
    if isinstance(widget, forms.MultiWidget):
        return _fieldset(bound, text, _parts(bound, errors), errors)
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.NullBooleanSelect):
        control = _select(bound, errors)
    else:
        base = "form-select" if isinstance(widget, forms.Select) else "form-control"
        attrs = {"class": _css(widget, base, errors), **_aria(bound, errors)}
        control = widget_html(bound, {key: value for key, value in attrs.items() if value})
    shown = "form-label" if show_label else "visually-hidden"
    return mark_safe(
        f'<div class="mb-3"><label class="{shown}" for="{html_text(bound.id_for_label)}">'
        f"{text}{required}</label>{control}{_feedback(bound, errors)}</div>"
    )


def widget_html(bound, attrs: dict | None = None) -> str:
    """What bound.as_widget(attrs=attrs) gives, written here for inputs and text areas."""
    widget = bound.field.widget
    template = widget.template_name
    if bound.field.localize or (template not in INPUT_TEMPLATES and template != TEXTAREA_TEMPLATE):
        return bound.as_widget(attrs=attrs)
    # as BoundField.as_widget prepares them
    attrs = bound.build_widget_attrs(attrs or {}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    # as django/forms/widgets/attrs.html writes them
    own = "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in context["attrs"].items()
        if value is not False
    )
    name = html_text(context["name"])
    value = context["value"]
    if template == TEXTAREA_TEMPLATE:
        return mark_safe(
            f'<textarea name="{name}"{own}>\n{html_text(value) if value else ""}</textarea>'
        )
    value = "" if value is None else f' value="{escape(str(value))}"'
    return mark_safe(f'<input type="{html_text(context["type"])}" name="{name}"{value}{own}>')


def _css(widget, base: str, errors) -> str:
    """Bootstrap's class for the control, after any class the widget was given."""
    own = widget.attrs.get("class", "")
    return " ".join(part for part in (own, base, "is-invalid" if errors else "") if part)


def _aria(bound, errors) -> dict:
    """The attributes Django's own widgets get from BoundField.build_widget_attrs."""
    return {
        "aria-invalid": "true" if errors else False,
        "aria-describedby": bound.aria_describedby or False,
    }


def _select(bound, errors) -> str:
    """A <select> built directly: Django renders each option through its own template."""
    widget = bound.field.widget
    chosen = _chosen(bound)
    attrs = {
        **widget.attrs,
        "name": bound.html_name,
        "id": bound.id_for_label or False,
        "class": _css(widget, "form-select", errors),
        "multiple": widget.allow_multiple_selected,
        "required": bound.field.required,
        "disabled": bound.field.disabled,
        **_aria(bound, errors),
    }
    options = "".join(_options(bound.field.choices, chosen))
    return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


def _chosen(bound) -> set[str]:
    value = bound.value()
    return {
        str(item) for item in (value if isinstance(value, list) else [value]) if item is not None
    }


def _options(choices, chosen: set[str]):
    """Each choice as an <option>. Escaped here, not through format_html: a desk page
    carries hundreds of options (agents, teams, categories), and this is its hot loop."""
    for value, label in choices:
        if isinstance(label, list | tuple):
            inner = "".join(_options(label, chosen))
            yield f'<optgroup label="{html_text(value)}">{inner}</optgroup>'
            continue
        value = str(getattr(value, "value", value))
        selected = " selected" if value in chosen else ""
        yield f'<option value="{html_text(value)}"{selected}>{html_text(label)}</option>'


def _choices(bound, errors) -> str:
    """Checkboxes or radio buttons, one inline form-check per choice."""
    widget = bound.field.widget
    kind = "checkbox" if isinstance(widget, forms.CheckboxSelectMultiple) else "radio"
    chosen = _chosen(bound)
    attrs = flatatt(
        {
            "class": _css(widget, "form-check-input", errors),
            "type": kind,
            "name": bound.html_name,
            "required": kind == "radio" and bound.field.required,
            "disabled": bound.field.disabled,
        }
    )
    return format_html_join(
        "",
        '<div class="form-check form-check-inline"><input{} value="{}" id="{}_{}"{}>'
        '<label class="form-check-label" for="{}_{}">{}</label></div>',
        (
            (
                attrs,
                choice,
                bound.auto_id,
                index,
                mark_safe(" checked") if choice in chosen else "",
                bound.auto_id,
                index,
                text,
            )
            for index, (choice, text) in enumerate(
                (str(getattr(choice, "value", choice)), text)
                for choice, text in bound.field.choices
            )
        ),
    )


def _parts(bound, errors) -> str:
    """The inputs of a multi-widget (a date range) side by side, each with its own label."""
    widget = bound.field.widget
    # The fieldset carries aria-describedby, as Django does for a multi-widget.
    attrs = {"class": _css(widget, "form-control", errors)}
    if errors:
        attrs["aria-invalid"] = "true"
    if bound.field.disabled:
        attrs["disabled"] = True
    if bound.auto_id:
        attrs["id"] = bound.auto_id
    parts = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]["subwidgets"]
    names = [_("From"), _("To")] if isinstance(widget, RangeWidget) else []
    renderer = bound.form.renderer
    return format_html(
        '<div class="field-parts">{}</div>',
        format_html_join(
            "",
            '<label class="visually-hidden" for="{}">{}</label>{}',
            (
                (
                    part["attrs"].get("id", ""),
                    names[index] if index < len(names) else f"{bound.label} {index + 1}",
                    mark_safe(renderer.render(part["template_name"], {"widget": part})),
                )
                for index, part in enumerate(parts)
            ),
        ),
    )


def _fieldset(bound, text, controls, errors) -> str:
    """A group of controls under one legend; errors and help text describe the group."""
    required = (
        format_html('{}<span class="visually-hidden"> ({})</span>', REQUIRED, _("required"))
        if bound.field.required
        else ""
    )
    return format_html(
        '<fieldset class="mb-3"{}><legend class="form-label fs-6">{}{}</legend>{}{}</fieldset>',
        flatatt({"aria-describedby": bound.aria_describedby or False}),
        text,
        required,
        controls,
        mark_safe(_feedback(bound, errors)),
    )


def _feedback(bound, errors) -> str:
    """The field's errors, then its help text, with the ids aria-describedby names (HTML)."""
    feedback = ""
    if errors:
        shown = "".join(f"<div>{html_text(error)}</div>" for error in errors)
        own = f' id="{html_text(bound.auto_id)}_error"' if bound.auto_id else ""
        feedback = f'<div class="invalid-feedback d-block"{own}>{shown}</div>'
    if bound.help_text:
        own = f' id="{html_text(bound.auto_id)}_helptext"' if bound.auto_id else ""
        feedback += f'<div class="form-text"{own}>{html_text(bound.help_text)}</div>'
    return feedback
