"""Tax rates: the shipped rates of our markets (`install_tax_rates`), the rate in force for a country, a tax
category and a date (`tax_rate_for`), and the accountant's own rows (`create_tax_rate`, `update_tax_rate`)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.concurrency import refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.finance.models import TaxRate
from tandem.finance.taxes_data import TAX_RATES

TAX_RATE_FIELDS = ("country", "tax_category", "code", "name", "kind", "rate", "valid_from", "valid_to", "legal_note")


def install_tax_rates(*, by=None, countries=None) -> int:
    """Create the shipped rates that are missing (same country, code and start); returns how many. Called by
    the chart installation and the demo; safe to call again."""
    actor = by if getattr(by, "pk", None) else None
    wanted = [row for row in TAX_RATES if countries is None or row[0] in countries]
    with transaction.atomic():
        existing = set(TaxRate.objects.values_list("country", "code", "valid_from"))
        new = [TaxRate(country=country, code=code, name=str(name), kind=kind, rate=Decimal(rate),
                       valid_from=start, valid_to=end, legal_note=note, created_by=actor)
               for country, code, name, kind, rate, start, end, note in wanted
               if (country, code, start) not in existing]
        TaxRate.objects.bulk_create(new)
    return len(new)


def rates_in_force(country: str, on: datetime.date):
    return _in_force((country or "").upper(), on)


def _in_force(country_code: str, on: datetime.date):
    return (TaxRate.objects.active().filter(country=country_code, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))


# Read for every product line of every invoice: compiled once (core.prepared).
def _in_force_ordered(country_code, on):
    return _in_force(country_code, on).order_by("-valid_from", "code")


_LINKED_RATE = prepared(lambda country_code, on, tax_category_id: _in_force_ordered(country_code, on)
                        .filter(tax_category_id=tax_category_id)[:1])
_UNLINKED_TAXED_RATES = prepared(lambda country_code, on: _in_force_ordered(country_code, on)
                                 .filter(tax_category__isnull=True)
                                 .exclude(kind__in=(TaxRate.Kind.EXEMPT, TaxRate.Kind.REVERSE_CHARGE)))
_FIRST_OF_KIND = prepared(lambda country_code, on, kind: _in_force_ordered(country_code, on).filter(kind=kind)[:1])


_TAXED_RATES_BY_CODE = prepared(lambda country_code, on: _in_force(country_code, on)
                                .exclude(kind__in=(TaxRate.Kind.EXEMPT, TaxRate.Kind.REVERSE_CHARGE)).order_by("code"))


def taxed_rate_of(country: str, percent: Decimal, on: datetime.date) -> TaxRate | None:
    """The first (by code) taxed rate of this percentage in force in `country` on `on`, if there is one."""
    rows = _TAXED_RATES_BY_CODE.all((country or "").upper(), TaxRate._meta.get_field("valid_from").to_python(on))
    return next((row for row in rows if row.rate == percent), None)


def tax_rate_for(country: str, tax_category, on: datetime.date) -> TaxRate | None:
    """The rate in force in `country` on `on` for products of `tax_category`: a row linked to the category,
    else a taxed row of the category's percentage (catalog's TaxCategory.rate, what sales lines use), else,
    without a category, the country's standard rate. None when the country has no such rate."""
    country_code, on = (country or "").upper(), TaxRate._meta.get_field("valid_from").to_python(on)
    if tax_category is not None:
        linked = _LINKED_RATE.first(country_code, on, tax_category.pk)
        if linked is not None:
            return linked
        # A country has a handful of rates: the one of this percentage is picked here, in their order.
        return next((row for row in _UNLINKED_TAXED_RATES.all(country_code, on) if row.rate == tax_category.rate),
                    None)
    return _FIRST_OF_KIND.first(country_code, on, TaxRate.Kind.STANDARD)


def _check(values: dict, rate: TaxRate | None = None) -> dict:
    if "country" in values:
        values["country"] = (values["country"] or "").strip().upper()
        if len(values["country"]) != 2 or not values["country"].isalpha():
            raise BusinessRuleError("invalid_country", _("Enter a two-letter country code."), field="country")
    for key in ("code", "name"):
        if key in values:
            values[key] = (values[key] or "").strip()
            if not values[key]:
                raise BusinessRuleError("required", _("This field is required."), field=key)
    if "kind" in values and values["kind"] not in TaxRate.Kind.values:
        raise BusinessRuleError("invalid_kind", _("Choose a kind of tax."), field="kind")
    if "rate" in values:
        try:
            values["rate"] = Decimal(str(values["rate"]))
        except (InvalidOperation, TypeError, ValueError):
            raise BusinessRuleError("invalid_rate", _("Enter a number."), field="rate") from None
        if not values["rate"].is_finite() or not 0 <= values["rate"] <= 100:
            raise BusinessRuleError("invalid_rate", _("Enter a rate between 0 and 100."), field="rate")
    start = values.get("valid_from", rate.valid_from if rate else None)
    end = values.get("valid_to", rate.valid_to if rate else None)
    if start is None:
        raise BusinessRuleError("required", _("Enter the date the rate applies from."), field="valid_from")
    if end is not None and end < start:
        raise BusinessRuleError("invalid_range", _("'Valid to' must not be before 'valid from'."), field="valid_to")
    kind = values.get("kind", rate.kind if rate else TaxRate.Kind.STANDARD)
    if kind in (TaxRate.Kind.EXEMPT, TaxRate.Kind.REVERSE_CHARGE, TaxRate.Kind.ZERO) and \
            values.get("rate", rate.rate if rate else Decimal(0)) != 0:
        raise BusinessRuleError("rate_must_be_zero", _("An exempt, zero-rated or reverse-charge rate is 0%."),
                                field="rate")
    country = values.get("country", rate.country if rate else "")
    code = values.get("code", rate.code if rate else "")
    clash = TaxRate.objects.filter(country=country, code=code, valid_from=start)
    if rate is not None:
        clash = clash.exclude(pk=rate.pk)
    if clash.exists():
        raise ConflictError("duplicate_rate", _("This country already has the code %(code)s from that date.")
                            % {"code": code}, field="code")
    return values


def create_tax_rate(*, by, **values) -> TaxRate:
    require_permission(by, "finance.add_taxrate")
    values = _check({k: v for k, v in values.items() if k in TAX_RATE_FIELDS})
    with transaction.atomic():
        rate = TaxRate.objects.create(created_by=by if getattr(by, "pk", None) else None, **values)
        audit.record(rate, "finance.taxrate.created", by=by,
                     changes=audit.snapshot(rate, ["country", "code", "name", "kind", "rate", "valid_from"]))
    return rate


def update_tax_rate(tax_rate: TaxRate, /, *, by, expected_version: int | None = None, **values) -> TaxRate:
    """Change a rate's name, validity or note. A rate already used on an issued invoice keeps its percentage
    and kind: the invoice stored them, but a new rate row from a new date is the honest change."""
    require_permission(by, "finance.change_taxrate")
    with transaction.atomic():
        rate = TaxRate.objects.select_for_update().get(pk=tax_rate.pk)
        refuse_stale(rate, expected_version)
        values = _check({k: v for k, v in values.items() if k in TAX_RATE_FIELDS}, rate)
        from tandem.finance.models import InvoiceLine

        if ({"rate", "kind", "country"} & {k for k, v in values.items() if v != getattr(rate, k)}
                and InvoiceLine.objects.filter(tax_rate=rate).exclude(invoice__status="draft").exists()):
            raise ConflictError("rate_in_use", _("Issued invoices use this rate; add a new rate from a new date "
                                                 "instead."), field="rate")
        before = audit.snapshot(rate, list(values))
        for key, value in values.items():
            setattr(rate, key, value)
        rate.version += 1
        rate.save()
        changes = audit.diff(before, audit.snapshot(rate, list(values)))
        if changes:
            audit.record(rate, "finance.taxrate.changed", by=by, changes=changes)
    return rate
