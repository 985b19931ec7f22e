"""Forms of the account, security and settings pages. They check shape; core services apply the rules."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.errors import BusinessRuleError
from tandem.core.models import User, user_language_choices, validate_currency
from tandem.core.services import authenticate_with_lockout, login_locked_until


class LoginForm(AuthenticationForm):
    """Django's login form, but every attempt goes through the lockout (core.services)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "login_locked": _("Too many failed attempts. Try again after %(time)s."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_with_lockout(self.request, username, password)
            except BusinessRuleError as exc:
                if exc.code != "login_locked":
                    raise
                locked_until = login_locked_until(self.request, username) or timezone.now()
                raise forms.ValidationError(
                    self.error_messages["login_locked"],
                    code="login_locked",
                    params={"time": timezone.localtime(locked_until).strftime("%H:%M")},
                ) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's login: the same lockout, and only staff may enter."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "login_locked": LoginForm.error_messages["login_locked"],
    }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in your authenticator app."))
        return code


class ProfileForm(forms.ModelForm):
    # "Browser language" (empty) first: the page then follows the browser's Accept-Language.
    language = forms.ChoiceField(label=_("Language"), choices=user_language_choices, required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Where the token is used, e.g. “Accounting export”.")
    )


def time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    base_currency = forms.CharField(
        label=_("Base currency"), min_length=3, max_length=3,
        help_text=_("ISO 4217 code, e.g. EUR, USD, RUB. It is also the default legal entity's base currency: "
                    "totals in several currencies are shown in it."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    def clean_base_currency(self):
        code = self.cleaned_data["base_currency"].strip().upper()
        validate_currency(code)
        return code


# --- Users (settings) -------------------------------------------------------------------------------

def role_choices():
    return [(name, name) for name in Group.objects.order_by("name").values_list("name", flat=True)]


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    # "Browser language" (empty) first, as on the profile page: the user's pages follow their browser.
    language = forms.ChoiceField(label=_("Language"), choices=user_language_choices, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=role_choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("An inactive user cannot sign in or use API tokens."))


class UserCreateForm(UserEditForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once."),
    )
    field_order = ["username", "first_name", "last_name", "email", "language", "roles", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["is_active"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once."),
    )
