"""Form helpers shared by every app's views."""

from django import forms

from tandem.core.errors import BusinessRuleError


def add_business_error(form: forms.Form, exc: BusinessRuleError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else on top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
