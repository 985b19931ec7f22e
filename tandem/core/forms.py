"""Form helpers shared by every app's views."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from tandem.core.errors import AccessDenied, BusinessRuleError


def add_business_error(form: forms.Form, exc: BusinessRuleError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else on top."""
    if not hasattr(form, "cleaned_data"):
        # A bare form that only carries a refusal (button actions) was never validated.
        form.cleaned_data = {}
    form.add_error(_form_field_for(form, exc.field), exc.message)


def _form_field_for(form: forms.Form, service_field: str | None) -> str | None:
    """The form field a service's field name maps to: the same name, a form's own renaming
    (`service_field_names = {"kind": "segment_kind"}`), or the last part of a dotted name
    ("criteria.won_deals_max" -> "won_deals_max"); None shows the error on top of the form."""
    if not service_field:
        return None
    renamed = getattr(form, "service_field_names", {})
    for candidate in (renamed.get(service_field, service_field), service_field.rsplit(".", 1)[-1]):
        if candidate in form.fields:
            return candidate
    return None


def call_service(form: forms.Form, service, *args, **kwargs):
    """Run one service for a form-backed view.

    A business refusal is shown on the form, kept as `form.refusal` (for its code and extras), and None is
    returned; a missing permission (AccessDenied) becomes Django's 403."""
    form.refusal = None
    try:
        return service(*args, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        add_business_error(form, exc)
        form.refusal = exc
        return None


def offer_active(field: forms.ModelChoiceField, current_id=None) -> None:
    """A picker offers rows that are not archived, plus the one the record already links to (an archived
    client stays on the deal that names it, and saving the deal unchanged keeps it)."""
    keep = Q(is_archived=False)
    if current_id is not None:
        keep |= Q(pk=current_id)
    field.queryset = field.queryset.filter(keep)
def field_label(model, name: str):
    """A form field's label taken from the model field's verbose_name (one wording in forms and tables)."""
    return model._meta.get_field(name).verbose_name


class DateInput(forms.DateInput):
    """A browser date picker (ISO value)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker (ISO value, local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
