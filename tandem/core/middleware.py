import zoneinfo
from urllib.parse import urlencode

from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation

from tandem.core import modules
from tandem.core.api_errors import error_body
from tandem.core.deletion import ReferencedError
from tandem.core.models import Company
from tandem.core.permissions import user_requires_two_factor

# Paths a logged-in user may reach before completing two-factor authentication.
TWO_FACTOR_EXEMPT_PREFIXES = ("/account/two-factor/", "/account/logout/", "/static/", "/healthz", "/i18n/")


class UserLanguageMiddleware:
    """Activate the logged-in user's language and the company's time zone for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", None) if user and user.is_authenticated else None
        language = language or translation.get_language_from_request(request)
        # Dates and times show in the company's time zone (stored in UTC).
        company_zone = Company.objects.values_list("time_zone", flat=True).order_by("pk").first()
        zone = zoneinfo.ZoneInfo(company_zone) if company_zone else timezone.get_default_timezone()
        # Overrides, not activation: the thread goes back to its defaults after the request, so one user's
        # language never leaks into work done later on the same thread.
        with translation.override(language), timezone.override(zone):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        return response


class TwoFactorRequiredMiddleware:
    """A session user with a TOTP device, or whose role requires one, must pass the second step."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and not user.is_verified()
        ):
            has_device = user.totpdevice_set.filter(confirmed=True).exists()
            if has_device or user_requires_two_factor(user):
                if request.path.startswith("/api/"):
                    message = "Complete two-factor authentication first."
                    return JsonResponse(error_body("two_factor_required", message), status=403)
                target = "core:two-factor-verify" if has_device else "core:two-factor-setup"
                url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
                if request.headers.get("HX-Request") == "true":
                    # htmx would swap the login step into a fragment; make it load the whole page.
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        return self.get_response(request)


class ModuleSwitchMiddleware:
    """URLs of a switched-off module answer 404, whatever view or API route they reach."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        enabled = modules.enabled_module_keys()
        request.enabled_modules = enabled
        if request.path.startswith(tuple(modules.disabled_url_prefixes(enabled))):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("not_found", "Module is switched off."), status=404)
            raise Http404("Module is switched off.")
        return self.get_response(request)


class ReferencedRecordMiddleware:
    """A delete that the database refuses (ProtectedError/RestrictedError) shows a clear page (409), not a 500:
    nothing was deleted, and the page names what still refers to the record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ProtectedError | RestrictedError):
            return None
        refusal = ReferencedError.from_exception(exception)
        if request.path.startswith("/api/"):
            body = {**error_body(refusal.code, refusal.message), "references": refusal.extra["references"]}
            return JsonResponse(body, status=409)
        return render(request, "core/referenced.html", {"message": refusal.message,
                                                       "references": refusal.references}, status=409)
