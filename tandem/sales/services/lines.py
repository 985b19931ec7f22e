"""What quote and order services share: who may write a client's documents, the parties of a document, the
price of a line (price list, or an override by someone allowed to), and totals written back rounded."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from tandem.catalog.models import Product
from tandem.catalog.units import conversion_factor
from tandem.core import limits
from tandem.core.concurrency import bump_version
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import LegalEntity
from tandem.core.prepared import prepared
from tandem.parties.models import Counterparty
from tandem.parties.queries import can_see_all_clients, visible_clients
from tandem.sales import pricing
from tandem.sales.calculations import LineInput, document_totals, round_to_step

OVERRIDE_PERMISSION = "sales.override_price"
LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount_percent", "tax_rate")


def tax_rounding_setting() -> str:
    """Where tax is rounded: "line" (default) or "document" (settings.SALES_TAX_ROUNDING)."""
    return getattr(settings, "SALES_TAX_ROUNDING", "line")


def check_client(by, client) -> None:
    """A representative writes documents of own clients only (parties' record rule). Someone who sees every
    client (permissions from the cache) needs no query: the client is in hand."""
    if by.is_authenticated and by.has_perm("parties.view_client") and can_see_all_clients(by):
        return
    if not visible_clients(by).filter(pk=client.pk).exists():
        raise AccessDenied()


_DEFAULT_COMPANY = prepared(lambda: LegalEntity.objects.order_by("-is_default", "pk")[:1])
_PRODUCTS = prepared(lambda ids: Product.objects.select_related("unit", "tax_category").annotate(
    has_variants=Exists(Product.objects.filter(template=OuterRef("pk")))).filter(pk__in=ids))


def default_company() -> LegalEntity:
    company = _DEFAULT_COMPANY.first()
    if company is None:
        raise BusinessRuleError("no_legal_entity", _("Set up one of our legal entities first."), field="company")
    return company


def _valid_counterparties(client_id, on_date):
    return Counterparty.objects.filter(client_id=client_id, valid_from__lte=on_date, is_archived=False) \
        .exclude(valid_to__lt=on_date).order_by("pk")


_TWO_VALID_COUNTERPARTIES = prepared(lambda client_id, on_date: _valid_counterparties(client_id, on_date)[:2])
_VALID_COUNTERPARTY = prepared(lambda client_id, on_date, pk: _valid_counterparties(client_id, on_date)
                               .filter(pk=pk)[:1])


def valid_counterparty(client, counterparty, on_date: datetime.date, *, field: str = "counterparty"):
    """The counterparty given (which must be the client's and valid on the date), or the client's only one."""
    if counterparty is None:
        choices = _TWO_VALID_COUNTERPARTIES.all(client.pk, on_date)
        if len(choices) != 1:
            raise BusinessRuleError("counterparty_required",
                                    _("Choose which of the client's counterparties this is for."), field=field)
        return choices[0]
    if counterparty.client_id != client.pk:
        raise BusinessRuleError("foreign_counterparty", _("The counterparty belongs to another client."), field=field)
    if _VALID_COUNTERPARTY.first(client.pk, on_date, counterparty.pk) is None:
        raise BusinessRuleError("counterparty_not_valid",
                                _("%(name)s does not contract for the client on %(date)s.")
                                % {"name": counterparty.legal_name, "date": on_date.isoformat()}, field=field)
    return counterparty


def check_contact(client, contact) -> None:
    if contact is not None and contact.client_id != client.pk:
        raise BusinessRuleError("foreign_contact", _("The contact person belongs to another client."), field="contact")


def _decimal(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise BusinessRuleError("invalid", _("Enter a number."), field=field) from None
    if not value.is_finite():
        raise BusinessRuleError("invalid", _("Enter a number."), field=field)
    return value


def _percent(value, field: str) -> Decimal | None:
    value = _decimal(value, field)
    if value is not None and not (0 <= value <= 100):
        raise BusinessRuleError("out_of_range", _("Enter a percentage between 0 and 100."), field=field)
    return value


def load_products(lines) -> list[dict]:
    """The lines' values with each product read again in one query, with its unit, tax category and whether it
    has variants (what price_line needs), instead of three lazy reads per line."""
    lines = [dict(values) for values in lines]
    ids = {values["product"].pk for values in lines if getattr(values.get("product"), "pk", None)}
    if not ids:
        return lines
    products = {product.pk: product for product in _PRODUCTS.all(sorted(ids))}
    for values in lines:
        product = values.get("product")
        if getattr(product, "pk", None) in products:
            values["product"] = products[product.pk]
    return lines


def price_line(doc, line, *, by, product, quantity, unit=None, unit_price=None, discount_percent=None,
               description: str | None = None, on_date: datetime.date, price_groups=None,
               candidates=None) -> None:
    """Fill a (new or changed) line: quantity rounded to the unit's step, the list price for the client on the
    date, an overridden price or discount only with OVERRIDE_PERMISSION, the product's tax rate, amounts.
    `price_groups`: the client's (pricing.client_price_groups), when the caller prices several lines;
    `candidates`: pricing.document_candidates of those lines (one price query for the document)."""
    if product.is_archived:
        raise BusinessRuleError("archived", _("%(product)s is archived.") % {"product": product.sku}, field="product")
    has_variants = getattr(product, "has_variants", None)  # annotated by load_products
    if has_variants if has_variants is not None else product.variants.exists():
        raise BusinessRuleError("template_product", _("Choose one of the variants of %(product)s.")
                                % {"product": product.sku}, field="product")
    unit = unit or product.unit
    stock_quantity_factor(product, unit)
    quantity = _decimal(quantity, "quantity")
    if quantity is None or quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    limits.check_amount(quantity, field="quantity")
    quantity = round_to_step(quantity, unit.step)
    if quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter at least %(step)s %(unit)s.")
                                % {"step": unit.step.normalize(), "unit": unit.code}, field="quantity")
    unit_price = _decimal(unit_price, "unit_price")
    if unit_price is not None:
        limits.check_amount(unit_price, field="unit_price", high=limits.MAX_RATE)
    discount_percent = _percent(discount_percent, "discount_percent")
    found = pricing.list_price(product, client=doc.client, quantity=quantity, on_date=on_date,
                               currency=doc.currency, unit=unit, price_groups=price_groups, candidates=candidates)
    may_override = by.has_perm(OVERRIDE_PERMISSION)
    if found is None:
        line.list_price = None
        line.price_explanation = ""
        if unit_price is None:
            if line.pk and line.unit_price is not None and line.product_id == product.pk:
                unit_price = line.unit_price  # an edited line keeps its agreed price
            else:
                raise BusinessRuleError("no_list_price",
                                        _("No price list has a price for %(product)s in %(currency)s; enter one.")
                                        % {"product": product.sku, "currency": doc.currency}, field="unit_price")
        overridden = True
        list_discount = Decimal(0)
    else:
        line.list_price = found.unit_price
        line.price_explanation = found.explanation[:300]
        list_discount = found.discount_percent or Decimal(0)
        overridden = unit_price is not None and unit_price != found.unit_price
        if unit_price is None:
            unit_price = found.unit_price
    if discount_percent is None:
        discount_percent = list_discount
    unchanged = (line.pk and line.product_id == product.pk and unit_price == line.unit_price
                 and discount_percent == line.discount_percent)
    if (overridden or discount_percent != list_discount) and not may_override and not unchanged:
        field = "discount_percent" if not overridden else "unit_price"
        raise BusinessRuleError("price_override_not_allowed",
                                _("Only a sales manager may change the price or discount of the price list."),
                                field=field)
    line.product = product
    line.unit = unit
    line.quantity = quantity
    line.unit_price = unit_price
    line.discount_percent = discount_percent
    line.price_overridden = bool(overridden or discount_percent != list_discount)
    line.tax_rate = pricing.tax_rate_of(product)
    if description is not None:
        line.description = description.strip()[:300]
    elif not line.description:
        line.description = product.name[:300]
    amounts = document_totals([LineInput(quantity, unit_price, discount_percent, line.tax_rate)], doc.currency)
    line.net_amount, line.tax_amount = amounts.lines[0].net, amounts.lines[0].tax
    line.gross_amount = amounts.lines[0].gross
    limits.check_amount(line.net_amount, field="quantity")


def stock_quantity_factor(product, unit) -> Decimal:
    """How many stock units one `unit` is for this product; refuses (400 no_unit_conversion, field "unit") a
    unit the product cannot be converted from."""
    if unit.pk == product.unit_id:  # the stock unit itself: no need to read it
        return Decimal(1)
    return conversion_factor(unit, product.unit, product)


def recompute_totals(doc, lines=None) -> list[str]:
    """Write the document's rounded totals from its lines; returns the update_fields."""
    lines = list(doc.lines.all()) if lines is None else lines
    totals = document_totals([LineInput(x.quantity, x.unit_price, x.discount_percent, x.tax_rate) for x in lines],
                             doc.currency, doc.tax_rounding)
    doc.net_total, doc.tax_total, doc.total = totals.net, totals.tax, totals.total
    limits.check_amount(doc.total, field="lines")
    return ["net_total", "tax_total", "total"]


# --- Editing the lines of a locked draft document (a quote or an order) ----------------------------------
# The document services check the permission and the client, lock the document (refusing a stale version)
# and call these inside their transaction, then audit the returned changes; the document's kind ("quote",
# "order") names its date field and the lines' link to it.

EDITABLE_LINE_FIELDS = {"product", "quantity", "unit", "unit_price", "discount_percent", "description"}


def refuse_unknown_line_fields(values: dict) -> None:
    unknown = set(values) - EDITABLE_LINE_FIELDS
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])


def add_line(locked, *, by, **values):
    kind = locked._meta.model_name
    line = locked.lines.model(**{kind: locked}, position=next_position(locked))
    price_line(locked, line, by=by, on_date=getattr(locked, f"{kind}_date"), **values)
    line.save()
    _save_totals(locked)
    return line, line_changes(line)


def change_line(locked, line_pk: int, *, by, **values):
    kind = locked._meta.model_name
    line = locked.lines.model.objects.select_related("product", "unit").get(pk=line_pk, **{kind: locked})
    before = line_snapshot(line)
    merged = {"product": line.product, "quantity": line.quantity, "unit": line.unit}
    if line.price_overridden:  # an agreed price stays; a list price follows the new quantity
        merged |= {"unit_price": line.unit_price, "discount_percent": line.discount_percent}
    merged |= values
    if "product" in values and values["product"].pk != line.product_id and "unit" not in values:
        merged["unit"] = None
    price_line(locked, line, by=by, on_date=getattr(locked, f"{kind}_date"), **merged)
    line.save()
    _save_totals(locked)
    return line, line_changes(line, before=before)


def remove_line(locked, line_pk: int, *, by):
    kind = locked._meta.model_name
    line = locked.lines.model.objects.select_related("product", "unit").get(pk=line_pk, **{kind: locked})
    before = line_snapshot(line)
    line.delete()
    _save_totals(locked)
    return line_changes(None, before=before)


def _save_totals(locked) -> None:
    """Totals written back rounded and one more version (the caller audits, with its own code)."""
    locked.save(update_fields=[*recompute_totals(locked), "updated_at", *bump_version(locked)])


def next_position(doc) -> int:
    last = doc.lines.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def line_snapshot(line) -> dict:
    return {"product": line.product.sku, "quantity": str(line.quantity.normalize()), "unit": line.unit.code,
            "unit_price": str(line.unit_price), "discount_percent": str(line.discount_percent.normalize()),
            "tax_rate": str(line.tax_rate.normalize())}


def line_changes(line, *, before: dict | None = None) -> dict:
    """What an audit entry about an added, changed (`before`) or removed (`line` None) line records."""
    after = line_snapshot(line) if line is not None else None
    if before and after:
        changes = {f"_{k}": [before[k], after[k]] for k in after if before.get(k) != after[k]}
        changes["line"] = _line_text(after)
    else:
        changes = {"line": _line_text(after or before)}
    return changes


def _line_text(snapshot: dict) -> str:
    return f"{snapshot['product']} {snapshot['quantity']} {snapshot['unit']} × {snapshot['unit_price']}"
