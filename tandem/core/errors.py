"""Domain exceptions with stable codes. One ninja handler and one view helper turn them into responses."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext


class BusinessRuleError(Exception):
    """A service refused an action. `code` is stable for API clients; `message` is for people."""

    status_code = 400

    def __init__(self, code: str, message: str, field: str | None = None, *, extra: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message, **self.extra}


class ConflictError(BusinessRuleError):
    """The request clashes with existing data (duplicates, concurrent change)."""

    status_code = 409


class AccessDenied(BusinessRuleError, PermissionDenied):
    """The user lacks a permission. The API answers 403 {code: "permission_denied"}; being a PermissionDenied,
    a page answers Django's 403 too."""

    status_code = 403

    def __init__(self, message: str | None = None):
        super().__init__("permission_denied", message or gettext("You do not have permission to do this."))
