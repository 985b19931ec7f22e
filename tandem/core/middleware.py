import json
import zoneinfo
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from tandem.core import audit, formats, limits, modules, services, two_factor
from tandem.core.api_errors import HTTP_ERROR_CODES, error_body
from tandem.core.deletion import ReferencedError
from tandem.core.htmx import current_page_url, is_htmx, safe_next_url

# Paths a logged-in user may reach before completing two-factor authentication.
TWO_FACTOR_EXEMPT_PREFIXES = ("/account/two-factor/", "/account/logout/", "/static/", "/favicon.ico", "/healthz",
                              "/i18n/")
# The health check reports the database itself (503 when it fails); no middleware reads it first.
HEALTH_CHECK_PATH = "/healthz"


class UserLanguageMiddleware:
    """Activate the logged-in user's language and the company's time zone for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(HEALTH_CHECK_PATH):
            return self.get_response(request)
        user = getattr(request, "user", None)
        language = getattr(user, "language", None) if user and user.is_authenticated else None
        language = language or translation.get_language_from_request(request)
        # Dates and times show in the company's time zone (stored in UTC).
        company = services.current_company()
        company_zone = company.time_zone if company else None
        zone = zoneinfo.ZoneInfo(company_zone) if company_zone else timezone.get_default_timezone()
        # Overrides, not activation: the thread goes back to its defaults after the request, so one user's
        # language never leaks into work done later on the same thread.
        # Numbers and dates follow the default legal entity's country as well (core.formats), read once.
        with translation.override(language), timezone.override(zone), formats.country_for_request(
                services.default_country()):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        return response


class TwoFactorRequiredMiddleware:
    """A session user with a TOTP device, or whose role requires one, must pass the second step.

    Until then only the two-factor pages, logout and static files answer; pages are redirected to the step
    (remembering the page asked for, never a fragment URL), htmx requests get HX-Redirect to it, and
    the API answers 403. `request.two_factor_step` ("verify", "setup" or None) tells templates to draw no
    menu, search or widgets meanwhile: nothing may poll before the step is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(HEALTH_CHECK_PATH):
            return self.get_response(request)
        step = two_factor.pending_step(request.user)
        request.two_factor_step = step
        if step is None or request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES):
            return _login_redirect_for_htmx(request, self.get_response(request))
        if request.path.startswith("/api/"):
            message = _("Complete two-factor authentication first.")
            return JsonResponse(error_body("two_factor_required", message), status=403)
        target = "core:two-factor-verify" if step == two_factor.STEP_VERIFY else "core:two-factor-setup"
        if is_htmx(request):
            # A fragment would carry the step into a box of the page; load the step as a whole page and
            # come back to the page the request was sent from.
            next_url = current_page_url(request) or reverse("core:home")
            return HttpResponse(status=204, headers={"HX-Redirect": _step_url(target, next_url)})
        if request.method in ("GET", "HEAD"):
            next_url = safe_next_url(request, request.get_full_path(), reverse("core:home"))
        else:
            next_url = safe_next_url(request, request.headers.get("Referer"), reverse("core:home"))
        return redirect(_step_url(target, next_url))


def _step_url(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _login_redirect_for_htmx(request, response):
    """An expired session makes login_required redirect a polled fragment to the login page, which htmx
    would swap into the box; send the whole tab to the login page instead, then back to its page."""
    if is_htmx(request) and response.status_code == 302:
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path == login_path:
            next_url = current_page_url(request) or reverse("core:home")
            return HttpResponse(status=204, headers={"HX-Redirect": f"{login_path}?{urlencode({'next': next_url})}"})
    return response


class ModuleSwitchMiddleware:
    """URLs of a switched-off module answer 404, whatever view or API route they reach."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(HEALTH_CHECK_PATH):
            return self.get_response(request)
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


class AuditActorMiddleware:
    """Changes audited by signal receivers (users and roles edited in /admin/) name the signed-in user.

    After a successful sign-in it also marks the browser as a known device of that user (a signed cookie),
    which lets the owner sign in while their account is locked against guessers elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with audit.acting_as(user if user is not None and user.is_authenticated else None):
            response = self.get_response(request)
        signed_in = getattr(request, "tandem_known_device_for", None)
        if signed_in is not None:
            response.set_cookie(
                services.KNOWN_DEVICE_COOKIE, services.known_device_cookie_value(signed_in),
                max_age=services.KNOWN_DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _refusal(request, status: int, code: str, message: str, field: str | None = None):
    """The API's JSON error shape under /api/, a short page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(code, message, field), status=status)
    html = render_to_string("400.html", {"message": message, "field": field, "status": status}, request=request)
    return HttpResponse(html, status=status)


# Free-text searches: a long number there is text (a 20-digit bank account), not an id.
TEXT_PARAMETERS = frozenset({"q", "search", "name_contains"})


def _first_problem(data, *, check_integers: bool) -> tuple[str, str] | None:
    """(name, message) of the first bad key or value of a QueryDict or dict of path values. Form posts are
    checked for text only: their pickers refuse ids beyond 64 bits themselves (core.forms.ModelChoiceField),
    and a long number in a text field (an account number) is legitimate."""
    items = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    for key, values in items:
        integers = check_integers and key not in TEXT_PARAMETERS
        for value in (key, *values):
            if isinstance(value, int) and not isinstance(value, bool):
                problem = None if -limits.MAX_ID - 1 <= value <= limits.MAX_ID else limits.integer_message()
            elif isinstance(value, str):
                problem = limits.text_problem(value) or (integers and limits.integer_text_problem(value))
            else:
                problem = None
            if problem:
                return key, problem
    return None


class InputGuardMiddleware:
    """Refuse, before any view runs, input no field may hold (core.limits), with 400 naming the field:
    NUL characters and lone surrogates in query strings, form posts and JSON bodies, whole numbers beyond
    64 bits in query strings (not free-text searches), JSON bodies (numbers, not strings) and URL ids;
    bodies over DATA_UPLOAD_MAX_MEMORY_SIZE answer 413."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return self._too_large(request)
        return self.get_response(request)

    def _too_large(self, request):
        message = gettext("The request is too large (at most %(size)s MB).") % {
            "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}
        return _refusal(request, 413, "too_large", message)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            found = _first_problem(view_kwargs, check_integers=True) or _first_problem(
                request.GET, check_integers=True)
            if not found and request.method not in ("GET", "HEAD", "OPTIONS"):
                found = self._body_problem(request)
        except RequestDataTooBig:
            return self._too_large(request)
        if found:
            field, message = found
            return _refusal(request, 400, "invalid", message, field)
        return None

    @staticmethod
    def _body_problem(request) -> tuple[str, str] | None:
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _first_problem(request.POST, check_integers=False)
        if content_type == "application/json" and request.body:
            try:
                data = json.loads(request.body)
            except ValueError:
                return None  # the API answers malformed JSON itself
            found = limits.find_problem(data)
            if found:
                path, message = found
                return ".".join(str(p) for p in path) or None, message
        return None


class ApiErrorShapeMiddleware:
    """Under /api/, every error answers the documented JSON {code, field, message, errors}, whoever made
    it (ninja's 405, Django's 404/500 pages, a 413)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (_is_api(request) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            status = response.status_code
            try:
                message = HTTPStatus(status).phrase + "."
            except ValueError:
                message = "Error."
            code = HTTP_ERROR_CODES.get(status) or {413: "too_large", 500: "server_error"}.get(status, "error")
            shaped = JsonResponse(error_body(code, message), status=status)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
