"""Form helpers shared by every app's views."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, Q, RestrictedError

from tandem.core import limits
from tandem.core.concurrency import conflict_from_integrity_error
from tandem.core.errors import AccessDenied, BusinessRuleError

# Form fields that hold core.limits: use them for every date, time, amount and duration a form takes.


class DateField(forms.DateField):
    default_validators = [limits.validate_date]


class DateTimeField(forms.DateTimeField):
    default_validators = [limits.validate_date]


class AmountField(forms.DecimalField):
    def __init__(self, *, min_value=limits.MIN_AMOUNT, max_value=limits.MAX_AMOUNT, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IdField(forms.IntegerField):
    """A record id sent as a plain number (hidden fields): at most 64 bits, so the lookup cannot overflow."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=limits.MAX_ID, **kwargs)


def _refuse_beyond_64_bits(field, value) -> None:
    if value not in field.empty_values and limits.integer_text_problem(str(value)):
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                              params={"value": value})


class ModelChoiceField(forms.ModelChoiceField):
    """A picker whose posted id beyond 64 bits is an invalid choice (Django would let the database overflow)."""

    def to_python(self, value):
        _refuse_beyond_64_bits(self, value)
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value or ():
            if limits.integer_text_problem(str(item)):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": item})
        return super()._check_values(value)


class DurationMinutesField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=limits.MAX_DURATION_MINUTES, **kwargs)


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
    returned; a missing permission (AccessDenied) becomes Django's 403. A database constraint hit by a race
    (IntegrityError) is shown the same way, as a "conflict" refusal."""
    form.refusal = None
    try:
        return service(*args, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except (ProtectedError, RestrictedError):
        raise  # a delete the registry missed: core.middleware shows its 409 page
    except IntegrityError as exc:
        refusal = conflict_from_integrity_error(exc)
    except BusinessRuleError as exc:
        refusal = exc
    add_business_error(form, refusal)
    form.refusal = refusal
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
