"""The GOV.UK error summary of every form (templates/_error_summary.html) and the "Error: "
that goes before the page title while a form on the page has errors.

Registered in settings.TEMPLATES as the library `form_errors`: afa_platform is plumbing, not
an installed app, and these tags know no product, only Django forms."""

from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    """One line of the summary: the message, and the id of the control it is about (empty for
    an error about the form as a whole)."""

    text: str
    target_id: str = ""


def _target_id(field: forms.BoundField) -> str:
    """The id of the control to move to: the field's own, or its first option's for radio
    buttons, checkbox lists and split inputs (Django gives those no single label target)."""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _forms_in(form) -> list[forms.BaseForm]:
    if isinstance(form, BaseFormSet):
        return list(form.forms)
    return [form] if isinstance(form, forms.BaseForm) else []


@register.filter
def error_summary_items(form) -> list[SummaryItem]:
    """Every error of a bound form (or of each form of a formset), in the order of the page:
    errors about the whole form first, then each visible field's, linked to its control."""
    items: list[SummaryItem] = []
    if isinstance(form, BaseFormSet) and form.is_bound:
        items.extend(SummaryItem(str(error)) for error in form.non_form_errors())
    for each in _forms_in(form):
        if not each.is_bound:
            continue
        items.extend(SummaryItem(str(error)) for error in each.non_field_errors())
        for field in each.hidden_fields():
            items.extend(SummaryItem(str(error)) for error in field.errors)
        for field in each.visible_fields():
            items.extend(SummaryItem(str(error), _target_id(field)) for error in field.errors)
    return items


def _has_errors(value) -> bool:
    # type(), not isinstance(): isinstance() would evaluate lazy values such as csrf_token
    # (setting a CSRF cookie on every page) just to look at them.
    kind = type(value)
    if issubclass(kind, BaseFormSet):
        return value.is_bound and bool(value.total_error_count())
    return issubclass(kind, forms.BaseForm) and value.is_bound and bool(value.errors)


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """ "Error: " while any form in the page's context has errors (GOV.UK: the title is the
    first thing a screen reader announces after the page reloads)."""
    if any(_has_errors(value) for value in context.flatten().values()):
        return _("Error:") + " "
    return ""
