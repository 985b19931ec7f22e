"""Pages of core: home, login and account security (password, two-factor, API tokens, profile), company
settings, roles and module switches. Thin: a form checks shape, one core service writes."""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults as django_defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tandem.core import modules, pickers, queries, services, two_factor
from tandem.core.account_forms import (
    ApiTokenForm,
    CompanyForm,
    LoginForm,
    PasswordResetForm,
    ProfileForm,
    TwoFactorCodeForm,
    UserCreateForm,
    UserEditForm,
)
from tandem.core.api_errors import error_body
from tandem.core.errors import BusinessRuleError
from tandem.core.forms import add_business_error, call_service
from tandem.core.htmx import fragment, safe_next_url
from tandem.core.models import ApiToken, User
from tandem.core.permissions import user_requires_two_factor
from tandem.core.roles import ROLES


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - the health check reports any database failure
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": database, "vendor": connection.vendor})


def favicon(request):
    """Browsers ask for /favicon.ico on their own (a PDF, a JSON answer): the icon the pages link to."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))


def _next_url(request, default: str) -> str:
    """The ?next= (or posted next) target if it is a page of this site (never a fragment), else `default`."""
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next"), default)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


# --- Home -------------------------------------------------------------------------------------------

@login_required
def home(request):
    """Greeting, the user's modules (the shell's menu) and what each enabled module chooses to count.

    A module may define `home_summary(user) -> [{"label", "count", "url"}]` (small counters) and
    `home_sections(request) -> [{"id", "html"}]` (rendered sections, e.g. a dashboard for the user's role)
    on its AppConfig; core never imports it."""
    enabled = getattr(request, "enabled_modules", None)
    summary = modules.collect("home_summary", request.user, enabled=enabled)
    context = {
        "summary": summary,
        "sections": modules.collect("home_sections", request, enabled=enabled),
        "active_token_count": request.user.api_tokens.filter(revoked_at__isnull=True).count(),
        "two_factor_on": two_factor.has_two_factor(request.user),
    }
    return render(request, "core/home.html", context)


# --- Login, logout, password --------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"

    def get_success_url(self):
        # The page first asked for; a fragment URL (a poll that met the expired session) is no page.
        url = safe_next_url(self.request, self.get_redirect_url(), resolve_url(settings.LOGIN_REDIRECT_URL))
        user = self.request.user
        if two_factor.has_two_factor(user):
            return _with_next("core:two-factor-verify", url)
        if user_requires_two_factor(user):
            return _with_next("core:two-factor-setup", url)
        return url


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:profile")
    success_message = gettext_lazy("Your password has been changed.")


# --- Two-factor authentication ----------------------------------------------------------------------

@login_required
@never_cache
def two_factor_setup(request):
    """Set up an authenticator app; once on, the same page shows the status and the switch-off form."""
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is not None:
        if not user.is_verified():
            return redirect(_with_next("core:two-factor-verify", request.get_full_path()))
        return _two_factor_status(request, TwoFactorCodeForm())

    pending = two_factor.pending_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.confirm_device(pending, form.cleaned_data["code"], by=user)
        except BusinessRuleError as exc:
            add_business_error(form, exc)
        else:
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request, reverse("core:two-factor-setup")))
    uri = pending.config_url
    context = {
        "form": form,
        "otpauth_uri": uri,
        "qr_svg": two_factor.qr_code_svg(uri),
        "secret": two_factor.secret_for_display(pending),
        "required": user_requires_two_factor(user),
        "next": _next_url(request, ""),
    }
    return render(request, "core/two_factor_setup.html", context)


def _two_factor_status(request, form, status=200):
    context = {"form": form, "required": user_requires_two_factor(request.user)}
    return render(request, "core/two_factor_status.html", context, status=status)


@login_required
@never_cache
def two_factor_verify(request):
    """The second login step for a user with an authenticator app."""
    user = request.user
    if not two_factor.has_two_factor(user):
        return redirect(_with_next("core:two-factor-setup", _next_url(request, reverse("core:home"))))
    if user.is_verified():
        return redirect(_next_url(request, reverse("core:home")))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify_code(user, form.cleaned_data["code"])
        except BusinessRuleError as exc:
            add_business_error(form, exc)
        else:
            django_otp.login(request, device)
            return redirect(_next_url(request, reverse("core:home")))
    return render(request, "core/two_factor_verify.html", {"form": form, "next": _next_url(request, "")})


@login_required
@require_POST
def two_factor_disable(request):
    user = request.user
    if not user.is_verified():
        return redirect(_with_next("core:two-factor-verify", reverse("core:two-factor-setup")))
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.disable_two_factor(user, form.cleaned_data["code"], by=user)
        except BusinessRuleError as exc:
            add_business_error(form, exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("core:two-factor-setup")
    return _two_factor_status(request, form, status=400)


# --- API tokens -------------------------------------------------------------------------------------

@login_required
@never_cache
def token_list(request):
    """The user's own tokens; creating one shows its secret on the response page, once."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            name = form.cleaned_data["name"]
            token, secret = services.create_api_token(request.user, name, by=request.user)
        except BusinessRuleError as exc:
            add_business_error(form, exc)
        else:
            return render(request, "core/token_created.html", {"token": token, "secret": secret})
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(request, "core/token_list.html", {"form": form, "tokens": tokens})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(token, by=request.user)
    messages.success(request, _("Token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("core:token-list")


# --- Profile ----------------------------------------------------------------------------------------

@login_required
def profile(request):
    user = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=user, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in services.PROFILE_FIELDS}
        if call_service(form, services.update_profile, user, **values) is not None:
            # The next page is rendered in the new language; so is this message.
            with translation.override(user.language or translation.get_language_from_request(request)):
                messages.success(request, _("Your profile has been saved."))
            return redirect("core:profile")
    context = {"form": form, "two_factor_on": two_factor.has_two_factor(request.user)}
    return render(request, "core/profile.html", context)


# --- Company settings, roles, modules ---------------------------------------------------------------

@login_required
@permission_required("core.change_company", raise_exception=True)
def company_settings(request):
    company = services.get_company()
    initial = {field: getattr(company, field) for field in services.COMPANY_FIELDS}
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_company(by=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            add_business_error(form, exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Company settings have been saved."))
            return redirect("core:company-settings")
    return render(request, "core/company_settings.html", {"form": form, "company": company})


@login_required
@permission_required("core.change_company", raise_exception=True)
def role_list(request):
    roles = []
    for group in Group.objects.annotate(member_count=Count("user")).select_related("policy").order_by("name"):
        policy = getattr(group, "policy", None)
        description = ROLES.get(group.name) or (policy.description if policy else "")
        roles.append(
            {
                "group": group,
                "description": description,
                "requires_two_factor": bool(policy and policy.requires_two_factor),
            }
        )
    return render(request, "core/role_list.html", {"roles": roles})


@login_required
@permission_required("core.change_company", raise_exception=True)
@require_POST
def role_two_factor(request, pk: int):
    group = get_object_or_404(Group, pk=pk)
    required = request.POST.get("requires_two_factor") == "on"
    two_factor.set_role_requires_two_factor(group, required, by=request.user)
    if required:
        message = _("Two-factor authentication is now required for the role %(role)s.")
    else:
        message = _("Two-factor authentication is now optional for the role %(role)s.")
    messages.success(request, message % {"role": group.name})
    return redirect("core:role-list")


def _module_rows():
    registered = modules.registered_modules()
    enabled = modules.enabled_module_keys()
    configured_off = set(settings.TANDEM_DISABLED_MODULES)
    rows = []
    for key, cfg in sorted(registered.items(), key=lambda item: str(item[1].verbose_name)):
        requires = [
            registered[k].verbose_name for k in getattr(cfg, "module_requires", ()) if k in registered
        ]
        required_by = [
            other.verbose_name
            for other_key, other in registered.items()
            if other_key in enabled and other_key != key and key in getattr(other, "module_requires", ())
        ]
        rows.append(
            {
                "key": key,
                "label": cfg.verbose_name,
                "enabled": key in enabled,
                "requires": requires,
                "required_by": required_by,
                "configured_off": key in configured_off,
            }
        )
    return rows


@login_required
@permission_required("core.change_modulesetting", raise_exception=True)
def module_list(request):
    return render(request, "core/module_list.html", {"modules": _module_rows()})


@login_required
@permission_required("core.change_modulesetting", raise_exception=True)
@require_POST
def module_switch(request, key: str):
    registered = modules.registered_modules()
    if key not in registered:
        raise Http404("No such module.")
    enabled = request.POST.get("enabled") == "on"
    label = registered[key].verbose_name
    try:
        modules.set_module_enabled(key, enabled, by=request.user)
    except BusinessRuleError as exc:
        if exc.code == "module_required":
            required_by = next(row["required_by"] for row in _module_rows() if row["key"] == key)
            messages.error(
                request,
                _("%(module)s cannot be switched off: it is required by %(modules)s.")
                % {"module": label, "modules": ", ".join(str(name) for name in required_by)},
            )
        else:
            messages.error(request, exc.message)
    else:
        if enabled:
            messages.success(request, _("%(module)s is switched on.") % {"module": label})
        else:
            messages.success(request, _("%(module)s is switched off. Its data is kept.") % {"module": label})
    return redirect("core:module-list")


# --- Users -----------------------------------------------------------------------------------------

@login_required
@permission_required("core.change_user", raise_exception=True)
def user_list(request):
    active = request.GET.get("active", "true")
    if active not in ("true", "false", ""):
        active = "true"
    q = request.GET.get("q", "")
    users = queries.users_for_administration(q=q, active=active)
    return render(request, "core/user_list.html", {"users": users, "q": q, "active": active})


def _user_initial(user) -> dict:
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
            "language": user.language, "is_active": user.is_active,
            "roles": [group.name for group in user.groups.all()]}


def _password_shown(request, user, password, heading):
    return render(request, "core/user_password.html", {"shown_user": user, "password": password, "heading": heading})


@login_required
@permission_required("core.add_user", raise_exception=True)
@never_cache
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = call_service(form, services.create_user, by=request.user, **form.cleaned_data)
        if result is not None:
            user, generated = result
            if generated:
                return _password_shown(request, user, generated, _("User %(name)s created") % {"name": user})
            messages.success(request, _("User %(name)s has been created.") % {"name": user})
            return redirect("core:user-list")
    return render(request, "core/user_form.html", {"form": form})


@login_required
@permission_required("core.change_user", raise_exception=True)
def user_edit(request, pk: int):
    user = get_object_or_404(queries.users_for_administration(), pk=pk)
    form = UserEditForm(request.POST or None, initial=_user_initial(user))
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_user, user, by=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("User %(name)s has been saved.") % {"name": user})
            return redirect("core:user-list")
    context = {"form": form, "edited_user": user, "password_form": PasswordResetForm()}
    return render(request, "core/user_form.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("core.change_user", raise_exception=True)
@require_POST
@never_cache
def user_reset_password(request, pk: int):
    user = get_object_or_404(queries.users_for_administration(), pk=pk)
    password_form = PasswordResetForm(request.POST)
    if password_form.is_valid():
        result = call_service(password_form, services.reset_password, user, by=request.user,
                              password=password_form.cleaned_data["password"])
        if result is not None:
            generated, _revoked = result
            if generated:
                return _password_shown(request, user, generated,
                                       _("New password for %(name)s") % {"name": user})
            messages.success(request, _("The password of %(name)s has been changed.") % {"name": user})
            return redirect("core:user-edit", pk=user.pk)
    context = {"form": UserEditForm(initial=_user_initial(user)), "edited_user": user, "password_form": password_form}
    return render(request, "core/user_form.html", context, status=400)


@login_required
@permission_required("core.change_user", raise_exception=True)
@require_POST
def user_set_active(request, pk: int, active: bool):
    user = get_object_or_404(User, pk=pk)
    service = services.reactivate_user if active else services.deactivate_user
    try:
        service(user, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        if active:
            messages.success(request, _("%(name)s has been reactivated.") % {"name": user})
        else:
            messages.success(request, _("%(name)s has been deactivated and can no longer sign in.") % {"name": user})
    return redirect(_next_url(request, reverse("core:user-list")))


def page_not_found(request, exception):
    """404 for every unknown URL: JSON in the API's error shape under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return django_defaults.page_not_found(request, exception)


# --- Pickers: options of the owner and user pickers (core.pickers) ----------------------------------------

@login_required
@fragment
def owner_picker(request):
    """Options of an owner picker: active users with a sales role."""
    return pickers.render_options(request, pickers.OWNER_PICKER, pickers.sales_users())


@login_required
@fragment
def user_picker(request):
    """Options of a picker of any active user (task and complaint assignees, event organisers)."""
    return pickers.render_options(request, pickers.USER_PICKER, pickers.active_users())
