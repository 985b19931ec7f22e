"""One place that turns exceptions into JSON errors: {code, message, field, errors:[{field, message}]}.

Every refusal of the API has this shape, whatever raised it: ninja (bad JSON, wrong types, no auth,
CSRF), Django (Http404, PermissionDenied, ValidationError), a service (BusinessRuleError), or a
database constraint hit by a race past a service's check (IntegrityError: 409 "conflict", never a 500)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tandem.core.concurrency import conflict_from_integrity_error
from tandem.core.deletion import ReferencedError
from tandem.core.errors import BusinessRuleError

# Codes for errors ninja raises as a bare HttpError.
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


# Location parts that name where a value came from (or our endpoint parameter names), not the field.
PARAMETER_NAMES = ("body", "payload", "query", "path", "data", "filters", "pagination")


def _field_of(loc) -> str | None:
    # ninja locations look like ("body", "payload", "tax_id") or ("query", "page").
    parts = [str(p) for p in loc if p not in PARAMETER_NAMES]
    return ".".join(parts) or None


def error_body(code: str, message: str, field: str | None = None, errors: list | None = None) -> dict:
    if errors is None:
        errors = [{"field": field, "message": message}]
    return {"code": code, "field": field, "message": message, "errors": errors}


def install_error_handlers(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = [{"field": _field_of(e.get("loc", ())), "message": e.get("msg", "Invalid value.")}
                  for e in exc.errors]
        first = errors[0] if errors else {"field": None, "message": "Invalid input."}
        return api.create_response(
            request, error_body("invalid", first["message"], first["field"], errors or None), status=400
        )

    @api.exception_handler(ValidationError)
    def django_validation_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [{"field": None if f == "__all__" else f, "message": str(m)}
                      for f, msgs in exc.message_dict.items() for m in msgs]
        else:
            errors = [{"field": None, "message": m} for m in exc.messages]
        return api.create_response(
            request, error_body("invalid", errors[0]["message"], errors[0]["field"], errors), status=400
        )

    @api.exception_handler(BusinessRuleError)
    def business_rule_error(request, exc):
        body = exc.as_dict()
        # A refusal may list several problems itself (e.g. every bad row of an import).
        body["errors"] = exc.extra.get("errors") or [{"field": exc.field, "message": exc.message}]
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(IntegrityError)
    def integrity_error(request, exc):
        # A database constraint refused a write a service's own check let through (two requests at once).
        return business_rule_error(request, conflict_from_integrity_error(exc))
    @api.exception_handler(ProtectedError)
    @api.exception_handler(RestrictedError)
    def protected_error(request, exc):
        # A delete the deletion registry did not foresee: the same refusal as a registered one, never a 500.
        return business_rule_error(request, ReferencedError.from_exception(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", "Not found."), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        message = str(exc) or "You do not have permission to do this."
        return api.create_response(request, error_body("permission_denied", message), status=403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, error_body("not_authenticated", "Log in or send a valid API token."), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        message = str(exc)
        code = HTTP_ERROR_CODES.get(exc.status_code, "error")
        if exc.status_code == 403 and "csrf" in message.lower():
            code = "csrf_failed"
            message = "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."
        elif exc.status_code == 400 and "parse request body" in message:
            code, message = "malformed_body", "The request body is not valid JSON."
        return api.create_response(request, error_body(code, message), status=exc.status_code)
