"""A Bootstrap 5 form field rendered in Python.

The desk's pages carry many small forms; crispy-forms renders each field through a
dozen nested templates, which cost more than the rest of a page. This tag gives the
same markup (label, control, errors, help text) for the common widgets.
"""

from django import forms, template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _select(bound, css: str) -> str:
    """A <select> built directly: Django renders each option through its own template."""
    widget = bound.field.widget
    chosen = {
        str(value)
        for value in (bound.value() if isinstance(bound.value(), list) else [bound.value()])
        if value is not None
    }
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) in chosen else "", label)
            for value, label in (
                (
                    str(choice[0]) if not hasattr(choice[0], "value") else str(choice[0].value),
                    choice[1],
                )
                for choice in bound.field.choices
            )
        ),
    )
    multiple = mark_safe(" multiple") if widget.allow_multiple_selected else ""
    required = mark_safe(" required") if bound.field.required else ""
    return format_html(
        '<select name="{}" id="{}" class="{}"{}{}>{}</select>',
        bound.html_name,
        bound.id_for_label,
        css,
        multiple,
        required,
        options,
    )


@register.simple_tag
def field(bound, label=None):
    """Label, control, errors and help text of a bound field, in Bootstrap 5 markup."""
    widget = bound.field.widget
    invalid = " is-invalid" if bound.errors else ""
    if isinstance(widget, forms.CheckboxInput):
        control = bound.as_widget(attrs={"class": f"form-check-input{invalid}"})
        return format_html(
            '<div class="mb-3 form-check">{}'
            '<label class="form-check-label" for="{}">{}</label>{}</div>',
            control,
            bound.id_for_label,
            label or bound.label,
            _feedback(bound),
        )
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        kind = "checkbox" if isinstance(widget, forms.CheckboxSelectMultiple) else "radio"
        chosen = bound.value() or []
        chosen = {str(value) for value in (chosen if isinstance(chosen, list) else [chosen])}
        boxes = format_html_join(
            "",
            '<div class="form-check form-check-inline"><input class="form-check-input" '
            'type="{}" name="{}" value="{}" id="{}_{}"{}><label class="form-check-label" '
            'for="{}_{}">{}</label></div>',
            (
                (
                    kind,
                    bound.html_name,
                    value,
                    bound.auto_id,
                    index,
                    mark_safe(" checked") if str(value) in chosen else "",
                    bound.auto_id,
                    index,
                    text,
                )
                for index, (value, text) in enumerate(bound.field.choices)
            ),
        )
        return format_html(
            '<fieldset class="mb-3"><legend class="form-label fs-6">{}</legend>{}{}</fieldset>',
            label or bound.label,
            boxes,
            _feedback(bound),
        )
    if isinstance(widget, forms.Select) and not isinstance(
        widget, forms.SelectMultiple | forms.NullBooleanSelect
    ):
        control = _select(bound, f"form-select{invalid}")
    else:
        control = bound.as_widget(attrs={"class": f"form-control{invalid}"})
    star = "*" if bound.field.required else ""
    return format_html(
        '<div class="mb-3"><label class="form-label" for="{}">{}{}</label>{}{}</div>',
        bound.id_for_label,
        label or bound.label,
        star,
        control,
        _feedback(bound),
    )


def _feedback(bound):
    errors = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((error,) for error in bound.errors)
    )
    help_text = (
        format_html('<div class="form-text">{}</div>', bound.help_text) if bound.help_text else ""
    )
    return conditional_escape(errors) + conditional_escape(help_text)
