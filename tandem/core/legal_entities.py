"""Writes of our legal entities (the business's own companies) and their bank accounts.

Rules in one place, used by the settings pages and the API:
- tax IDs are checked with python-stdnum by core.tax_ids: the country the number starts with
  (DE136695976), otherwise the entity's country, when stdnum knows it (de.vat, pl.nip, ru.inn...); a
  country stdnum does not know keeps the number compacted;
- IBAN and BIC are checked with stdnum.iban / stdnum.bic and stored compact (DE89370400440532013000);
- the first entity becomes the default; exactly one is the default (a partial unique index), and the
  default's base currency is the installation's (Company.base_currency follows it);
- the stock valuation method (moving average or FIFO) is fixed once an upper app (stock) says the entity has
  history that was costed with it (`register_valuation_method_lock`);
- a logo is a PNG, JPEG, GIF or WebP image of at most 2 MB, stored under var/media/legal-entities/.
Every change is audited as core.legalentity.* in its transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from tandem.core import audit
from tandem.core.currencies import is_active_currency
from tandem.core.errors import BusinessRuleError
from tandem.core.models import Company, LegalEntity, LegalEntityBankAccount, User, validate_country
from tandem.core.permissions import require_permission
from tandem.core.services import get_company
from tandem.core.tax_ids import validate_tax_id

ENTITY_FIELDS = ("name", "tax_id", "registration_number", "registered_address", "postal_address", "base_currency",
                 "country", "valuation_method")
AUDITED_FIELDS = (*ENTITY_FIELDS, "logo", "is_default")
BANK_ACCOUNT_FIELDS = ("bank_name", "iban", "bic", "currency")
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}

# Callables (entity) -> bool registered by upper apps: True when the entity's valuation method may no longer
# change (stock registers "the entity has stock moves": their costs were computed with the method).
_VALUATION_METHOD_LOCKS: list = []


def register_valuation_method_lock(check) -> None:
    if check not in _VALUATION_METHOD_LOCKS:
        _VALUATION_METHOD_LOCKS.append(check)


def normalize_valuation_method(value: str | None) -> str:
    code = (value or "").strip().lower()
    if code not in LegalEntity.ValuationMethod.values:
        raise BusinessRuleError("invalid_choice", _("Choose one of: %(choices)s.")
                                % {"choices": ", ".join(LegalEntity.ValuationMethod.values)}, field="valuation_method")
    return code



# --- Checks (pure, shared with forms) --------------------------------------------------------------------

def normalize_country(value: str | None) -> str:
    code = (value or "").strip().upper()
    try:
        validate_country(code)
    except Exception:  # noqa: BLE001 - Django's ValidationError, turned into a refusal on the field
        raise BusinessRuleError("invalid_country", _("“%(value)s” is not an ISO 3166 country code, e.g. DE.")
                                % {"value": value}, field="country") from None
    return code


def normalize_currency(value: str | None, *, field: str = "base_currency", required: bool = True) -> str:
    code = (value or "").strip().upper()
    if not code and not required:
        return ""
    if not is_active_currency(code):
        raise BusinessRuleError("invalid_currency", _("“%(value)s” is not an ISO 4217 currency code, e.g. EUR.")
                                % {"value": value or ""}, field=field)
    return code


def normalize_tax_id(value: str | None, country: str = "") -> str:
    """The tax ID in stdnum's compact form when its format is known; refused when it is known and wrong
    (the shared rule of core.tax_ids, also used for clients' counterparties)."""
    return validate_tax_id(value, country).value


def normalize_iban(value: str | None) -> str:
    raw = (value or "").strip()
    if not raw:
        raise BusinessRuleError("required", _("Enter the IBAN."), field="iban")
    try:
        return stdnum_iban.validate(raw)
    except StdnumError:
        raise BusinessRuleError("invalid_iban", _("“%(value)s” is not a valid IBAN.") % {"value": raw},
                                field="iban") from None


def normalize_bic(value: str | None) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        return stdnum_bic.validate(raw)
    except StdnumError:
        raise BusinessRuleError("invalid_bic", _("“%(value)s” is not a valid BIC.") % {"value": raw},
                                field="bic") from None


def check_logo(upload) -> str:
    """The file extension of an acceptable logo; refused when it is too large or not an image."""
    if upload.size > LOGO_MAX_BYTES:
        raise BusinessRuleError("logo_too_large", _("The logo may be at most 2 MB."), field="logo")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind not in LOGO_FORMATS:
        raise BusinessRuleError("invalid_logo", _("The logo must be a PNG, JPEG, GIF or WebP image."), field="logo")
    return LOGO_FORMATS[kind]


def _clean(values: dict, *, country: str) -> dict:
    values = dict(values)
    unknown = sorted(set(values) - set(ENTITY_FIELDS))
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise BusinessRuleError("required", _("Give the legal entity a name."), field="name")
        if len(values["name"]) > 200:
            raise BusinessRuleError("too_long", _("The name may have at most 200 characters."), field="name")
    if "country" in values:
        values["country"] = normalize_country(values["country"])
        country = values["country"]
    if "base_currency" in values:
        values["base_currency"] = normalize_currency(values["base_currency"])
    if "tax_id" in values:
        values["tax_id"] = normalize_tax_id(values["tax_id"], country)
    for name, limit in (("registration_number", 64),):
        if name in values:
            values[name] = (values[name] or "").strip()
            if len(values[name]) > limit:
                raise BusinessRuleError("too_long", _("At most %(limit)s characters.") % {"limit": limit}, field=name)
    for name in ("registered_address", "postal_address"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "valuation_method" in values:
        if values["valuation_method"] in (None, ""):
            del values["valuation_method"]
        else:
            values["valuation_method"] = normalize_valuation_method(values["valuation_method"])
    return values


def _save_logo(entity: LegalEntity, logo) -> None:
    extension = check_logo(logo)
    entity.logo.save(f"entity-{entity.pk}.{extension}", logo, save=False)


def _follow_base_currency(entity: LegalEntity, *, by: User) -> None:
    """Company.base_currency is the default entity's base currency."""
    if not entity.is_default:
        return
    company = Company.objects.select_for_update().get(pk=get_company().pk)
    if company.base_currency != entity.base_currency:
        old = company.base_currency
        company.base_currency = entity.base_currency
        company.save(update_fields=["base_currency", "updated_at"])
        audit.record(company, "core.company.updated", by=by, changes={"base_currency": [old, company.base_currency]})


# --- Legal entities ------------------------------------------------------------------------------------

def create_legal_entity(*, by: User, name: str, logo=None, is_default: bool = False, **values) -> LegalEntity:
    """A new legal entity; the first one (or one created with is_default) becomes the default."""
    require_permission(by, "core.add_legalentity")
    values = _clean({"name": name, "base_currency": values.pop("base_currency", None) or get_company().base_currency,
                     **values}, country="")
    if logo is not None:
        check_logo(logo)
    with transaction.atomic():
        current = LegalEntity.objects.select_for_update().filter(is_default=True).first()
        make_default = is_default or current is None
        if make_default and current is not None:
            current.is_default = False
            current.save(update_fields=["is_default", "updated_at"])
            audit.record(current, "core.legalentity.updated", by=by, changes={"is_default": [True, False]})
        entity = LegalEntity.objects.create(created_by=by, is_default=make_default, **values)
        if logo is not None:
            _save_logo(entity, logo)
            entity.save(update_fields=["logo"])
        _follow_base_currency(entity, by=by)
        audit.record(entity, "core.legalentity.created", by=by, changes=audit.snapshot(entity, AUDITED_FIELDS))
    return entity


def update_legal_entity(entity: LegalEntity, *, by: User, logo=None, remove_logo: bool = False,
                        **values) -> LegalEntity:
    """Change an entity's details (and logo); a new base currency of the default entity is the company's."""
    require_permission(by, "core.change_legalentity")
    country = normalize_country(values["country"]) if "country" in values else entity.country
    values = _clean(values, country=country)
    if "country" in values and "tax_id" not in values and entity.tax_id:
        values["tax_id"] = normalize_tax_id(entity.tax_id, country)
    if logo is not None:
        check_logo(logo)
    with transaction.atomic():
        locked = LegalEntity.objects.select_for_update().get(pk=entity.pk)
        before = audit.snapshot(locked, AUDITED_FIELDS)
        method = values.get("valuation_method", locked.valuation_method)
        if method != locked.valuation_method and any(check(locked) for check in _VALUATION_METHOD_LOCKS):
            raise BusinessRuleError("valuation_method_fixed",
                                    _("The stock valuation method cannot change once the legal entity has stock "
                                      "moves."), field="valuation_method")
        for field, value in values.items():
            setattr(locked, field, value)
        if remove_logo and locked.logo:
            locked.logo.delete(save=False)
            locked.logo = ""
        if logo is not None:
            _save_logo(locked, logo)
        changes = audit.diff(before, audit.snapshot(locked, AUDITED_FIELDS))
        if changes:
            locked.save()
            audit.record(locked, "core.legalentity.updated", by=by, changes=changes)
            _follow_base_currency(locked, by=by)
    return locked


def set_default_legal_entity(entity: LegalEntity, *, by: User) -> LegalEntity:
    """Make `entity` the default; the previous default stops being one. Company.base_currency follows."""
    require_permission(by, "core.change_legalentity")
    with transaction.atomic():
        rows = list(LegalEntity.objects.select_for_update().filter(is_default=True).exclude(pk=entity.pk)
                    .order_by("pk"))
        locked = LegalEntity.objects.select_for_update().get(pk=entity.pk)
        if locked.is_default:
            return locked
        for row in rows:
            row.is_default = False
            row.save(update_fields=["is_default", "updated_at"])
            audit.record(row, "core.legalentity.updated", by=by, changes={"is_default": [True, False]})
        locked.is_default = True
        locked.save(update_fields=["is_default", "updated_at"])
        audit.record(locked, "core.legalentity.updated", by=by, changes={"is_default": [False, True]})
        _follow_base_currency(locked, by=by)
    return locked


# --- Bank accounts ---------------------------------------------------------------------------------------

def add_bank_account(entity: LegalEntity, *, by: User, iban: str, bank_name: str = "", bic: str = "",
                     currency: str = "") -> LegalEntityBankAccount:
    require_permission(by, "core.change_legalentity")
    bank_name = (bank_name or "").strip()
    if len(bank_name) > 200:
        raise BusinessRuleError("too_long", _("The bank name may have at most 200 characters."), field="bank_name")
    values = {"bank_name": bank_name, "iban": normalize_iban(iban), "bic": normalize_bic(bic),
              "currency": normalize_currency(currency, field="currency", required=False)}
    with transaction.atomic():
        locked = LegalEntity.objects.select_for_update().get(pk=entity.pk)
        if locked.bank_accounts.filter(iban=values["iban"]).exists():
            raise BusinessRuleError("duplicate_iban", _("This IBAN is already listed for %(entity)s.")
                                    % {"entity": locked.name}, field="iban")
        account = LegalEntityBankAccount.objects.create(legal_entity=locked, created_by=by, **values)
        audit.record(account, "core.legalentity.bank_account_added", by=by, root=locked,
                     changes=audit.snapshot(account, BANK_ACCOUNT_FIELDS))
    return account


def remove_bank_account(account: LegalEntityBankAccount, *, by: User) -> None:
    """Remove a bank account (nothing refers to one yet; documents that print it will keep a copy)."""
    require_permission(by, "core.change_legalentity")
    with transaction.atomic():
        locked = LegalEntityBankAccount.objects.select_for_update().select_related("legal_entity").get(pk=account.pk)
        audit.record(locked, "core.legalentity.bank_account_removed", by=by, root=locked.legal_entity,
                     changes=audit.snapshot(locked, BANK_ACCOUNT_FIELDS))
        locked.delete()
