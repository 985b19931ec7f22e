"""API shapes for the current user, personal tokens, the company and module switches."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from tandem.core import limits
from tandem.core.money import parse_decimal, quantize

MAX_ID = limits.MAX_ID  # the largest signed 64-bit integer: every id column holds at most this

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a path, a filter or a body: a positive signed 64-bit integer (else 400 naming the parameter)."""

# ?archived= of list endpoints: "false" (default) rows in use, "true" archived ones, "all" both.
ArchivedFilter = Literal["false", "true", "all"]


class ArchiveOut(Schema):
    """Fields every archivable record shows."""

    is_archived: bool
    archived_at: datetime.datetime | None


class InputSchema(Schema):
    """A request body: an unknown key is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Amounts: strings on the wire, Decimal inside ----------------------------------------------------

DecimalString = Annotated[
    Decimal | None,
    BeforeValidator(parse_decimal),
    AfterValidator(limits.amount_in_range),
    PlainSerializer(lambda v: None if v is None else str(v), return_type=str | None, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "decimal", "examples": ["1250.00"]}, {"type": "null"}],
                    "description": f'Decimal as a string, e.g. "1250.00"; {limits.MIN_AMOUNT} to '
                                   f'{limits.MAX_AMOUNT}.'}),
]
"""Input type for amounts: `amount: DecimalString = None` takes "1250.5" or 1250 and gives Decimal("1250.5")."""


def money_text(amount, currency: str) -> str | None:
    """An amount for output: rounded to the currency's minor unit, as a string (None stays None)."""
    return None if amount is None else str(quantize(amount, currency))


class MoneyOut(Schema):
    """An amount in one currency; reports list one per currency."""

    currency: str
    amount: str | None = Field(description="Decimal as a string, rounded to the currency's minor unit.")


def money_list(amounts: dict) -> list[dict]:
    """{currency: amount} -> [MoneyOut] sorted by currency, each amount rounded to its currency."""
    return [{"currency": cur, "amount": money_text(value, cur)} for cur, value in sorted(amounts.items())]


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    language: str
    roles: list[str]
    permissions: list[str]


class UserOut(Schema):
    id: int
    username: str
    name: str = Field(alias="display_name")
    first_name: str
    last_name: str
    email: str
    language: str
    is_active: bool
    roles: list[str]
    last_login: datetime.datetime | None = Field(description="Last sign-in; null if never.")
    two_factor: bool

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(group.name for group in obj.groups.all())

    @staticmethod
    def resolve_two_factor(obj) -> bool:
        if hasattr(obj, "two_factor_on"):
            return obj.two_factor_on
        return obj.totpdevice_set.filter(confirmed=True).exists()


class UserIn(InputSchema):
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    language: str | None = Field(None, description="A language code; empty or omitted: the browser's language.")
    roles: list[str] = Field(default_factory=list, description="Role names, e.g. \"Sales representative\".")
    password: str | None = Field(None, description="Omit to have one generated (returned once).")


class UserCreatedOut(UserOut):
    generated_password: str | None = Field(
        None, description="The generated password, shown once; null when one was given.")


class UserPatch(InputSchema):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    language: str | None = None
    is_active: bool | None = None
    roles: list[str] | None = None


class PasswordResetIn(InputSchema):
    password: str | None = Field(None, description="Omit to have one generated (returned once).")


class PasswordResetOut(Schema):
    generated_password: str | None = Field(None, description="Shown once; null when one was given.")
    revoked_tokens: int


class MePatch(InputSchema):
    language: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revoked_reason: str = Field("", description="Why it was revoked: by_owner, by_administrator, "
                                "password_changed, user_deactivated (empty while active).")
    is_active: bool


class TokenIn(InputSchema):
    name: str


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once: it is not stored and cannot be retrieved again.")


class CompanyOut(Schema):
    name: str
    base_currency: str
    language: str
    time_zone: str


class CompanyPatch(InputSchema):
    name: str | None = None
    base_currency: str | None = None
    language: str | None = None
    time_zone: str | None = None


class ModuleOut(Schema):
    key: str
    name: str
    enabled: bool
    requires: list[str]


class ModulePatch(InputSchema):
    enabled: bool


# --- Errors -----------------------------------------------------------------------------------------

class ApiErrorItem(Schema):
    field: str | None = Field(description="The parameter or field at fault (dotted for nested ones), or null.")
    message: str


class ApiError(Schema):
    """Every refusal of the API: 4xx answers carry this body (some codes add keys, e.g. `missing`)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable machine-readable code, e.g. `invalid`, `not_found`, `conflict`.")
    field: str | None = Field(description="The first parameter or field at fault, or null.")
    message: str = Field(description="For people, in the user's language.")
    errors: list[ApiErrorItem] = Field(description="Every problem found, each naming its field.")


def patch_values(payload: Schema, model) -> dict:
    """The fields a PATCH sent, with an explicit null made safe for the model's columns: a text column that
    may be blank becomes "", any other column that cannot be null is refused with 400 naming the field."""
    from django.db import models as db_models

    from tandem.core.errors import BusinessRuleError

    columns = {}
    for field in model._meta.concrete_fields:
        columns[field.name] = columns[field.attname] = field
    data = payload.dict(exclude_unset=True)
    for name, value in data.items():
        field = columns.get(name)
        if value is not None or field is None or field.null:
            continue
        if isinstance(field, db_models.CharField | db_models.TextField) and field.blank:
            data[name] = ""
        else:
            raise BusinessRuleError("required", gettext("This field cannot be empty."), field=name)
    return data
# --- Exchange rates -----------------------------------------------------------------------------------

class ExchangeRateOut(Schema):
    id: int
    base_currency: str
    quote_currency: str
    date: datetime.date
    rate: str = Field(description="1 base_currency = rate quote_currency; a decimal as a string.")

    @staticmethod
    def resolve_rate(obj) -> str:
        return f"{obj.rate.normalize():f}"


class ExchangeRateIn(InputSchema):
    base_currency: str | None = Field(None, description="ISO 4217; default: the company's base currency.")
    quote_currency: str = Field(description="ISO 4217 code of the other currency.")
    date: str = Field(description="YYYY-MM-DD: the rate holds from this day until the pair's next rate.")
    rate: str = Field(description='How many quote_currency one base_currency buys, as a string, e.g. "1.0832".')


class ExchangeRateFilters(Schema):
    currency: str | None = Field(None, description="Either side of the pair.")
    base_currency: str | None = None
    quote_currency: str | None = None
    date_from: limits.Date | None = None
    date_to: limits.Date | None = None


class ExchangeRateImportOut(Schema):
    created: int
    unchanged: int


class ConversionOut(Schema):
    amount: str
    from_currency: str
    to_currency: str
    date: datetime.date
    converted: str


# --- Legal entities -----------------------------------------------------------------------------------

class LegalEntityBankAccountOut(Schema):
    id: int
    bank_name: str
    iban: str
    bic: str
    currency: str


class LegalEntityBankAccountIn(InputSchema):
    iban: str
    bank_name: str = ""
    bic: str = ""
    currency: str = Field("", description="ISO 4217 code, or empty for any.")


class LegalEntityOut(Schema):
    id: int
    name: str
    tax_id: str
    registration_number: str
    registered_address: str
    postal_address: str
    base_currency: str
    country: str
    valuation_method: Literal["average", "fifo"] = Field(
        description="How stock leaving a warehouse is costed: moving average or FIFO.")
    is_default: bool
    logo_url: str | None
    bank_accounts: list[LegalEntityBankAccountOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_logo_url(obj) -> str | None:
        return reverse("core:legal-entity-logo", args=[obj.pk]) if obj.logo else None

    @staticmethod
    def resolve_bank_accounts(obj) -> list:
        return list(obj.bank_accounts.all())


class LegalEntityIn(InputSchema):
    name: str
    tax_id: str = ""
    registration_number: str = ""
    registered_address: str = ""
    postal_address: str = ""
    base_currency: str | None = Field(None, description="ISO 4217; default: the company's base currency.")
    country: str = Field("", description="ISO 3166 alpha-2; local phone numbers are read as this country's.")
    valuation_method: Literal["average", "fifo"] = Field(
        "average", description="Stock valuation: moving average or FIFO; fixed once the entity has stock moves.")
    is_default: bool = False


class LegalEntityPatch(InputSchema):
    name: str | None = None
    tax_id: str | None = None
    registration_number: str | None = None
    registered_address: str | None = None
    postal_address: str | None = None
    base_currency: str | None = None
    country: str | None = None
    valuation_method: Literal["average", "fifo"] | None = Field(
        None, description="Refused (400 valuation_method_fixed) once the entity has stock moves.")


class BaseTotalOut(Schema):
    """Amounts in several currencies added up in the base currency (core.money.BaseTotal)."""

    currency: str = Field(description="The company's base currency.")
    amount: str = Field(description="The converted amounts added up; currencies in `missing` are not in it.")
    date: datetime.date = Field(description="The day whose exchange rates were used.")
    missing: list[str] = Field(description="Currencies without an exchange rate by that day.")

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_date(obj):
        return obj.on
