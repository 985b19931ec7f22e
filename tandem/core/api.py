"""REST endpoints of core: the current user, personal API tokens, the company, module switches, exchange rates
and our legal entities."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from tandem.core import exchange_rates, legal_entities, limits, modules, money, queries, services
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ApiToken, LegalEntity, LegalEntityBankAccount, User
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.schemas import (
    CompanyOut,
    CompanyPatch,
    ConversionOut,
    ExchangeRateFilters,
    ExchangeRateImportOut,
    ExchangeRateIn,
    ExchangeRateOut,
    Id,
    LegalEntityBankAccountIn,
    LegalEntityBankAccountOut,
    LegalEntityIn,
    LegalEntityOut,
    LegalEntityPatch,
    MeOut,
    MePatch,
    ModuleOut,
    ModulePatch,
    PasswordResetIn,
    PasswordResetOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserCreatedOut,
    UserIn,
    UserOut,
    UserPatch,
)

router = Router(tags=["account"])


def _me(user) -> dict:
    return {
        "id": user.pk, "username": user.username, "name": user.display_name, "email": user.email,
        "language": user.language, "roles": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(user.get_all_permissions()),
    }


def _module(key: str, config, enabled: set[str]) -> dict:
    return {"key": key, "name": str(config.verbose_name), "enabled": key in enabled,
            "requires": list(getattr(config, "module_requires", ()))}


# --- Current user -----------------------------------------------------------------------------------

@router.get("/me", response=MeOut, summary="The current user, roles and permissions")
def get_me(request):
    return _me(request.user)


@router.patch("/me", response=MeOut, summary="Change own preferences")
def update_me(request, payload: MePatch):
    return _me(services.set_user_language(request.user, payload.language))


# --- Personal API tokens ----------------------------------------------------------------------------

@router.get("/tokens", response=list[TokenOut], summary="Own API tokens")
def list_tokens(request):
    return list(ApiToken.objects.filter(user=request.user))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token (secret shown once)")
def create_token(request, payload: TokenIn):
    token, secret = services.create_api_token(request.user, payload.name, by=request.user)
    token.secret = secret  # only in this response
    return token


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an own API token")
def revoke_token(request, token_id: Id):
    token = ApiToken.objects.filter(user=request.user, pk=token_id).select_related("user").first()
    if token is None:
        raise Http404("No such token.")
    services.revoke_api_token(token, by=request.user)


# --- Company ----------------------------------------------------------------------------------------

@router.get("/company", response=CompanyOut, tags=["settings"])
def get_company(request):
    return services.get_company()


@router.patch("/company", response=CompanyOut, tags=["settings"])
def update_company(request, payload: CompanyPatch):
    require_permission(request, "core.change_company")
    return services.update_company(by=request.user, **payload.dict(exclude_unset=True))


# --- Module switches --------------------------------------------------------------------------------

@router.get("/modules", response=list[ModuleOut], tags=["settings"])
def list_modules(request):
    enabled = modules.enabled_module_keys()
    return [_module(key, config, enabled) for key, config in sorted(modules.registered_modules().items())]


@router.patch("/modules/{key}", response=ModuleOut, tags=["settings"])
def update_module(request, key: str, payload: ModulePatch):
    registered = modules.registered_modules()
    if key not in registered:
        raise Http404("No such module.")
    require_permission(request, "core.change_modulesetting")
    modules.set_module_enabled(key, payload.enabled, by=request.user)
    return _module(key, registered[key], modules.enabled_module_keys())


# --- Users: managed by administrators; deactivated rather than deleted ------------------------------

def _user(request, user_id: int) -> User:
    require_permission(request, "core.view_user")
    return get_object_or_404(User, pk=user_id)


def _user_out(user_id: int) -> User:
    return queries.user_for_administration(user_id)


class UserFilters(Schema):
    q: str = ""
    active: Literal["true", "false", ""] = ""


@router.get("/users", response=Page[UserOut], tags=["users"], summary="List users with roles and last sign-in")
def list_users(request, filters: Query[UserFilters], pagination: Query[PageParams]):
    require_permission(request, "core.view_user")
    return paginate(queries.users_for_administration(q=filters.q, active=filters.active), pagination)


@router.post("/users", response={201: UserCreatedOut}, tags=["users"],
             summary="Create a user (a generated password is returned once)")
def create_user(request, payload: UserIn):
    user, generated = services.create_user(by=request.user, **payload.dict())
    out = _user_out(user.pk)
    out.generated_password = generated
    return out


@router.get("/users/{user_id}", response=UserOut, tags=["users"], summary="One user")
def get_user(request, user_id: Id):
    return _user_out(_user(request, user_id).pk)


@router.patch("/users/{user_id}", response=UserOut, tags=["users"],
              summary="Change a user's name, email, language, roles or active flag")
def update_user(request, user_id: Id, payload: UserPatch):
    user = _user(request, user_id)
    services.update_user(user, by=request.user, **payload.dict(exclude_unset=True))
    return _user_out(user.pk)


@router.post("/users/{user_id}/reset-password", response=PasswordResetOut, tags=["users"],
             summary="Set or generate a user's password (generated one returned once); revokes their API tokens")
def reset_password(request, user_id: Id, payload: PasswordResetIn):
    generated, revoked = services.reset_password(_user(request, user_id), by=request.user, password=payload.password)
    return {"generated_password": generated, "revoked_tokens": revoked}


@router.post("/users/{user_id}/deactivate", response=UserOut, tags=["users"],
             summary="Deactivate a user (no login, out of choice lists; what they did and own stays)")
def deactivate_user(request, user_id: Id):
    return _user_out(services.deactivate_user(_user(request, user_id), by=request.user).pk)


@router.post("/users/{user_id}/reactivate", response=UserOut, tags=["users"], summary="Reactivate a user")
def reactivate_user(request, user_id: Id):
    return _user_out(services.reactivate_user(_user(request, user_id), by=request.user).pk)


@router.delete("/users/{user_id}", response={204: None}, tags=["users"],
               summary="Delete a user who never acted (409 naming the references otherwise)")
def delete_user(request, user_id: Id):
    services.delete_user(_user(request, user_id), by=request.user)


# --- Exchange rates ---------------------------------------------------------------------------------

@router.get("/exchange-rates", response=Page[ExchangeRateOut], tags=["settings"],
            summary="Exchange rates, newest first")
def list_exchange_rates(request, filters: Query[ExchangeRateFilters], pagination: Query[PageParams]):
    require_permission(request, "core.view_exchangerate")
    return paginate(exchange_rates.filter_exchange_rates(**filters.dict()), pagination)


@router.post("/exchange-rates", response={201: ExchangeRateOut}, tags=["settings"],
             summary="Record a rate: on date, 1 base_currency = rate quote_currency")
def create_exchange_rate(request, payload: ExchangeRateIn):
    return exchange_rates.create_exchange_rate(by=request.user, **payload.dict())


@router.post("/exchange-rates/import", response={201: ExchangeRateImportOut}, tags=["settings"],
             summary="Import rates from a CSV file (columns date, currency, rate[, base]); all or nothing")
def import_exchange_rates(request, file: File[UploadedFile] = None):
    require_permission(request, "core.add_exchangerate")
    if file is None:
        raise BusinessRuleError("required", _("Attach a CSV file."), field="file")
    result = exchange_rates.import_exchange_rates(file.read(exchange_rates.MAX_IMPORT_BYTES + 1), by=request.user)
    return {"created": len(result.created), "unchanged": result.unchanged}


@router.get("/exchange-rates/convert", response=ConversionOut, tags=["settings"],
            summary="Convert an amount at the rate valid on a date (latest on or before it)")
def convert_amount(request, amount: str, from_currency: str, to_currency: str, date: limits.Date | None = None):
    require_permission(request, "core.view_exchangerate")
    on = date or timezone.localdate()
    source = exchange_rates.parse_currency(from_currency, field="from_currency")
    target = exchange_rates.parse_currency(to_currency, field="to_currency")
    try:
        value = money.parse_decimal(amount)
    except ValueError:
        value = None
    if value is None:
        raise BusinessRuleError("invalid", _("The amount is not a number."), field="amount")
    return {"amount": str(value), "from_currency": source, "to_currency": target, "date": on,
            "converted": str(money.convert(value, source, target, on=on))}


# --- Legal entities ---------------------------------------------------------------------------------

def _entities():
    return LegalEntity.objects.prefetch_related("bank_accounts")


def _entity(entity_id: int) -> LegalEntity:
    return get_object_or_404(_entities(), pk=entity_id)


@router.get("/legal-entities", response=list[LegalEntityOut], tags=["settings"], summary="Our legal entities")
def list_legal_entities(request):
    require_permission(request, "core.view_legalentity")
    return list(_entities())


@router.post("/legal-entities", response={201: LegalEntityOut}, tags=["settings"],
             summary="Add a legal entity (the first one becomes the default)")
def create_legal_entity(request, payload: LegalEntityIn):
    entity = legal_entities.create_legal_entity(by=request.user, **payload.dict())
    return _entity(entity.pk)


@router.get("/legal-entities/{entity_id}", response=LegalEntityOut, tags=["settings"])
def get_legal_entity(request, entity_id: int):
    require_permission(request, "core.view_legalentity")
    return _entity(entity_id)


@router.patch("/legal-entities/{entity_id}", response=LegalEntityOut, tags=["settings"])
def update_legal_entity(request, entity_id: int, payload: LegalEntityPatch):
    legal_entities.update_legal_entity(_entity(entity_id), by=request.user, **payload.dict(exclude_unset=True))
    return _entity(entity_id)


@router.post("/legal-entities/{entity_id}/default", response=LegalEntityOut, tags=["settings"],
             summary="Make this the default legal entity (its base currency becomes the company's)")
def set_default_legal_entity(request, entity_id: int):
    legal_entities.set_default_legal_entity(_entity(entity_id), by=request.user)
    return _entity(entity_id)


@router.post("/legal-entities/{entity_id}/logo", response=LegalEntityOut, tags=["settings"],
             summary="Upload the logo printed on documents (PNG, JPEG, GIF or WebP, at most 2 MB)")
def upload_legal_entity_logo(request, entity_id: int, file: File[UploadedFile] = None):
    require_permission(request, "core.change_legalentity")
    if file is None:
        raise BusinessRuleError("required", _("Attach the logo file."), field="file")
    legal_entities.update_legal_entity(_entity(entity_id), by=request.user, logo=file)
    return _entity(entity_id)


@router.delete("/legal-entities/{entity_id}/logo", response=LegalEntityOut, tags=["settings"])
def remove_legal_entity_logo(request, entity_id: int):
    legal_entities.update_legal_entity(_entity(entity_id), by=request.user, remove_logo=True)
    return _entity(entity_id)


@router.post("/legal-entities/{entity_id}/bank-accounts", response={201: LegalEntityBankAccountOut}, tags=["settings"])
def add_bank_account(request, entity_id: int, payload: LegalEntityBankAccountIn):
    return legal_entities.add_bank_account(_entity(entity_id), by=request.user, **payload.dict())


@router.delete("/legal-entities/{entity_id}/bank-accounts/{account_id}", response={204: None}, tags=["settings"])
def remove_bank_account(request, entity_id: int, account_id: int):
    account = get_object_or_404(LegalEntityBankAccount, pk=account_id, legal_entity_id=entity_id)
    legal_entities.remove_bank_account(account, by=request.user)
    return None
