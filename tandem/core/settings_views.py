"""Settings pages of our legal entities (with bank accounts and logo) and of exchange rates. Thin: forms check
shape, core.legal_entities and core.exchange_rates write (the API calls the same functions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core import exchange_rates, legal_entities, services
from tandem.core.forms import call_service
from tandem.core.models import LegalEntity, LegalEntityBankAccount
from tandem.core.settings_forms import (
    BankAccountForm,
    ExchangeRateFilterForm,
    ExchangeRateForm,
    ExchangeRateImportForm,
    LegalEntityForm,
)

ENTITY_FORM_FIELDS = legal_entities.ENTITY_FIELDS
RATES_PER_PAGE = 50


# --- Legal entities ------------------------------------------------------------------------------------

@login_required
@permission_required("core.view_legalentity", raise_exception=True)
def legal_entity_list(request):
    entities = LegalEntity.objects.prefetch_related("bank_accounts")
    return render(request, "core/legal_entity_list.html", {"entities": entities})


@login_required
@permission_required("core.add_legalentity", raise_exception=True)
def legal_entity_create(request):
    initial = {"base_currency": services.base_currency(), "country": services.default_country()}
    form = LegalEntityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ENTITY_FORM_FIELDS}
        entity = call_service(form, legal_entities.create_legal_entity, by=request.user,
                              logo=form.cleaned_data.get("logo") or None, **values)
        if entity is not None:
            messages.success(request, _("Legal entity “%(name)s” has been added.") % {"name": entity.name})
            return redirect("core:legal-entity-detail", pk=entity.pk)
    return render(request, "core/legal_entity_form.html", {"form": form, "entity": None})


@login_required
@permission_required("core.view_legalentity", raise_exception=True)
def legal_entity_detail(request, pk: int):
    """The entity's details (editable with core.change_legalentity) and its bank accounts."""
    entity = get_object_or_404(LegalEntity.objects.prefetch_related("bank_accounts"), pk=pk)
    initial = {name: getattr(entity, name) for name in ENTITY_FORM_FIELDS} | {"logo": entity.logo or None}
    form = LegalEntityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if not request.user.has_perm("core.change_legalentity"):
            raise PermissionDenied
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in ENTITY_FORM_FIELDS}
            logo = form.cleaned_data.get("logo")
            updated = call_service(form, legal_entities.update_legal_entity, entity, by=request.user,
                                   logo=logo or None, remove_logo=logo is False, **values)
            if updated is not None:
                messages.success(request, _("Legal entity “%(name)s” has been saved.") % {"name": updated.name})
                return redirect("core:legal-entity-detail", pk=entity.pk)
    return render(request, "core/legal_entity_form.html", {
        "form": form, "entity": entity, "bank_form": BankAccountForm(), "accounts": entity.bank_accounts.all()})


@login_required
@permission_required("core.change_legalentity", raise_exception=True)
@require_POST
def legal_entity_set_default(request, pk: int):
    entity = get_object_or_404(LegalEntity, pk=pk)
    legal_entities.set_default_legal_entity(entity, by=request.user)
    messages.success(request, _("“%(name)s” is now the default legal entity; its base currency %(currency)s is "
                                "the company's.") % {"name": entity.name, "currency": entity.base_currency})
    return redirect("core:legal-entity-list")


@login_required
@permission_required("core.change_legalentity", raise_exception=True)
@require_POST
def bank_account_add(request, pk: int):
    entity = get_object_or_404(LegalEntity.objects.prefetch_related("bank_accounts"), pk=pk)
    bank_form = BankAccountForm(request.POST)
    if bank_form.is_valid():
        account = call_service(bank_form, legal_entities.add_bank_account, entity, by=request.user,
                               **bank_form.cleaned_data)
        if account is not None:
            messages.success(request, _("Bank account %(iban)s has been added.") % {"iban": account.iban})
            return redirect("core:legal-entity-detail", pk=entity.pk)
    initial = {name: getattr(entity, name) for name in ENTITY_FORM_FIELDS}
    return render(request, "core/legal_entity_form.html", {
        "form": LegalEntityForm(initial=initial), "entity": entity, "bank_form": bank_form,
        "accounts": entity.bank_accounts.all()}, status=400)


@login_required
@permission_required("core.change_legalentity", raise_exception=True)
@require_POST
def bank_account_remove(request, pk: int, account_pk: int):
    account = get_object_or_404(LegalEntityBankAccount, pk=account_pk, legal_entity_id=pk)
    legal_entities.remove_bank_account(account, by=request.user)
    messages.success(request, _("Bank account %(iban)s has been removed.") % {"iban": account.iban})
    return redirect("core:legal-entity-detail", pk=pk)


@login_required
@permission_required("core.view_legalentity", raise_exception=True)
def legal_entity_logo(request, pk: int):
    """The logo file, for signed-in users only (media files are not served publicly)."""
    entity = get_object_or_404(LegalEntity, pk=pk)
    if not entity.logo:
        raise Http404("No logo.")
    try:
        handle = entity.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo.") from None
    return FileResponse(handle)


# --- Exchange rates --------------------------------------------------------------------------------------

def _rate_page(request, form=None, import_form=None, status=200):
    filters = ExchangeRateFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    rates = exchange_rates.filter_exchange_rates(**{k: v for k, v in values.items() if v})
    page = Paginator(rates, RATES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    base = services.base_currency()
    context = {
        "filters": filters, "page": page, "rates": page.object_list, "query": query.urlencode(),
        "base_currency": base,
        "form": form or ExchangeRateForm(initial={"base_currency": base}),
        "import_form": import_form or ExchangeRateImportForm(),
        "can_add": request.user.has_perm("core.add_exchangerate"),
    }
    return render(request, "core/exchange_rate_list.html", context, status=status)


@login_required
@permission_required("core.view_exchangerate", raise_exception=True)
def exchange_rate_list(request):
    """Rates newest first, with filters; the forms to add one and to import a CSV file."""
    if request.method == "POST":
        if not request.user.has_perm("core.add_exchangerate"):
            raise PermissionDenied
        form = ExchangeRateForm(request.POST)
        if form.is_valid():
            rate = call_service(form, exchange_rates.create_exchange_rate, by=request.user, **form.cleaned_data)
            if rate is not None:
                messages.success(request, _("Exchange rate %(rate)s has been recorded.") % {"rate": rate})
                return redirect("core:exchange-rate-list")
        return _rate_page(request, form=form, status=400)
    return _rate_page(request)


@login_required
@permission_required("core.add_exchangerate", raise_exception=True)
@require_POST
def exchange_rate_import(request):
    form = ExchangeRateImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        result = call_service(form, exchange_rates.import_exchange_rates,
                              upload.read(exchange_rates.MAX_IMPORT_BYTES + 1), by=request.user)
        if result is not None:
            messages.success(request, _("%(created)s exchange rates imported, %(unchanged)s already known.")
                             % {"created": len(result.created), "unchanged": result.unchanged})
            return redirect("core:exchange-rate-list")
        form.row_errors = form.refusal.extra.get("errors", []) if form.refusal else []
    return _rate_page(request, import_form=form, status=400)
