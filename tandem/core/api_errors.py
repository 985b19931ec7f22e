"""One place that turns exceptions into JSON errors: {code, message, field, errors:[{field, message}]}."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tandem.core.errors import BusinessRuleError


def _field_of(loc) -> str | None:
    # ninja locations look like ("body", "payload", "tax_id") or ("query", "page").
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "data")]
    return ".".join(parts) or None


def install_error_handlers(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = [{"field": _field_of(e.get("loc", ())), "message": e.get("msg", "Invalid value.")}
                  for e in exc.errors]
        first = errors[0] if errors else {"field": None, "message": "Invalid input."}
        return api.create_response(
            request,
            {"code": "invalid", "field": first["field"], "message": first["message"], "errors": errors},
            status=400,
        )

    @api.exception_handler(ValidationError)
    def django_validation_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [{"field": None if f == "__all__" else f, "message": str(m)}
                      for f, msgs in exc.message_dict.items() for m in msgs]
        else:
            errors = [{"field": None, "message": m} for m in exc.messages]
        return api.create_response(
            request, {"code": "invalid", "field": errors[0]["field"], "message": errors[0]["message"],
                      "errors": errors}, status=400,
        )

    @api.exception_handler(BusinessRuleError)
    def business_rule_error(request, exc):
        body = exc.as_dict()
        body["errors"] = [{"field": exc.field, "message": exc.message}]
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": "Not found.", "field": None},
                                   status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, {"code": "permission_denied", "message": str(exc) or "You do not have permission to do this.",
                      "field": None}, status=403,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, {"code": "not_authenticated", "message": "Log in or send a valid API token.", "field": None},
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return api.create_response(request, {"code": "error", "message": str(exc), "field": None},
                                   status=exc.status_code)
