"""Every page of the HTML interface, walked with hostile query values: none may answer 5xx.

The walk takes every URL pattern (every app's; not the admin nor the API, fuzzed elsewhere), fills
its ids with real objects made by the factories, and asks it, as an administrator and as a sales
representative, with each query parameter the page's own forms use (plus common ones) set to huge
integers, NUL, dates far outside any calendar, "null" and very long text."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.core.models import ApiToken, Company, LegalEntity, LegalEntityBankAccount
from tandem.core.services import get_company
from tandem.crm.models import LostReason, Segment
from tandem.crm.services import deals as deal_services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import ComplaintFactory, InteractionFactory
from tandem.crm.tests.factories_marketing import (
    CampaignFactory,
    EventAttendeeFactory,
    LeadFactory,
    MarketingEventFactory,
)
from tandem.crm.tests.factories_planning import SegmentFactory, TaskFactory
from tandem.parties.models import BankAccount, Source, Tag
from tandem.parties.tests.factories import ContactFactory, CounterpartyFactory

HOSTILE = ["9223372036854775808", "-9223372036854775809", "-1", "0", "a\x00b", "0001-01-01", "9999-12-31",
           "9999-12-31T23:30", "null", "x" * 3000, "1e309", "NaN", "2024-02-30", "%ED%A0%80"]
RAW = "%ED%A0%80"  # a lone surrogate, UTF-8 encoded as a browser might send it: already quoted
COMMON_PARAMS = {"q", "page", "per_page", "owner", "client", "pipeline", "stage", "status", "kind", "from", "to",
                 "date_from", "date_to", "due_from", "due_to", "assignee", "priority", "source", "campaign",
                 "segment", "ids", "type", "before", "sort", "next", "severity", "category", "view", "tag"}
SKIPPED_PREFIXES = ("admin/", "api/", "i18n/", "account/logout/", "healthz")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, space)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}"


@pytest.fixture
def pipeline(db):
    return deal_services.ensure_default_pipeline()


@pytest.fixture
def world(pipeline, sales_rep, admin_user):
    deal = DealFactory(owner=sales_rep)
    client = deal.client
    counterparty = CounterpartyFactory(client=client)
    bank = BankAccount.objects.create(counterparty=counterparty, bank_name="Bank", account_number="DE00123")
    event = MarketingEventFactory()
    segment = SegmentFactory(criteria={"last_interaction_before": "2020-01-01"})
    SegmentFactory(kind=Segment.Kind.STATIC).members.add(client)
    task = TaskFactory(assignee=sales_rep, client=client, remind_at=None)
    token = ApiToken.objects.filter(user=sales_rep).first()
    entity = LegalEntity.objects.create(name="Walk GmbH", base_currency="EUR", country="DE", is_default=True)
    entity_account = LegalEntityBankAccount.objects.create(legal_entity=entity, iban="DE89370400440532013000")
    return {
        "deal": deal.pk, "client": client.pk, "counterparty": counterparty.pk, "bankaccount": bank.pk,
        "contact": ContactFactory(client=client).pk, "lead": LeadFactory(owner=sales_rep).pk,
        "campaign": CampaignFactory().pk, "event": event.pk,
        "attendee": EventAttendeeFactory(event=event, client=client).pk,
        "complaint": ComplaintFactory(client=client, assignee=sales_rep).pk,
        "interaction": InteractionFactory(client=client).pk, "segment": segment.pk, "task": task.pk,
        "reminder": task.pk, "token": token.pk if token else 1, "role": Group.objects.first().pk,
        "source": Source.objects.create(name="Walk source").pk, "tag": Tag.objects.create(name="walk").pk,
        "lost": LostReason.objects.create(name="Walk reason").pk, "user": sales_rep.pk, "user_id": sales_rep.pk,
        "month": "2026-12", "legal": entity.pk, "account": entity_account.pk,
        "entity_id": entity.pk,  # stock_accounting: the legal entity whose pending stock postings are posted
        "stage_id": deal.stage_id,  # the board column whose further cards "more" loads
        **_catalog_world(),
        **_sales_world(client, counterparty, deal, entity),
        **_bom_world(entity),
        "supplier": _supplier(counterparty).pk,  # the purchasing supplier card
        "mo": _production_order(entity),  # production:mo-… pages
    }


def _bom_world(entity) -> dict:
    """A work centre and a BOM version with a component and an operation (production's BOM pages)."""
    import datetime
    from decimal import Decimal

    from tandem.catalog.models import Product, Unit
    from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre

    unit = Unit.objects.get_or_create(code="walk-pc", defaults={"name": "piece"})[0]
    made = Product.objects.create(sku="WALK-MADE", name="Walk assembly", unit=unit)
    part = Product.objects.create(sku="WALK-PART", name="Walk part", unit=unit)
    centre = WorkCentre.objects.create(company=entity, code="WALK", name="Walk cell", hourly_cost=Decimal(30))
    bom = Bom.objects.create(product=made, code="v1", valid_from=datetime.date(2026, 1, 1))
    line = BomLine.objects.create(bom=bom, component=part, quantity=Decimal(2), scrap_percent=Decimal(5))
    operation = BomOperation.objects.create(bom=bom, name="Walk step", work_centre=centre,
                                            minutes_per_unit=Decimal(3))
    return {"bom": bom.pk, "workcentre": centre.pk, "bomline": line.pk, "bomoperation": operation.pk}


def _supplier(counterparty):
    from tandem.purchasing.models import SupplierProfile

    return SupplierProfile.objects.get_or_create(counterparty=counterparty, defaults={"currency": "EUR"})[0]


def _production_order(entity) -> int:
    from tandem.production.tests.factories import production_order

    return production_order(entity).pk


def _sales_world(client, counterparty, deal, entity) -> dict:
    """A quote, an order, a shipment and a return of the world's client (sales pages)."""
    import datetime

    from tandem.catalog.models import Product, Unit
    from tandem.sales.models import CustomerReturn, Order, OrderLine, Quote, QuoteLine, Shipment
    from tandem.stock.models import Location, StockCount, StockCountLine, Warehouse

    unit = Unit.objects.create(code="walk-pc", name="piece")
    product = Product.objects.create(sku="WALK-S1", name="Walk service", unit=unit, kind=Product.Kind.SERVICE)
    common = {"company": entity, "client": client, "counterparty": counterparty, "deal": deal,
              "owner": client.owner, "currency": "EUR", "number": "WALK-1"}
    day = datetime.date(2026, 6, 1)
    quote = Quote.objects.create(quote_date=day, **common)
    order = Order.objects.create(order_date=day, **common)
    line = {"product": product, "unit": unit, "quantity": 1, "unit_price": 10, "net_amount": 10, "gross_amount": 10}
    warehouse = Warehouse.objects.create(company=entity, code="WALK", name="Walk warehouse")
    location = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    shipment = Shipment.objects.create(company=entity, order=order, client=client, warehouse=warehouse,
                                       shipment_date=day)
    customer_return = CustomerReturn.objects.create(company=entity, order=order, client=client, location=location,
                                                    return_date=day)
    count = StockCount.objects.create(warehouse=warehouse, count_date=day)
    count_line = StockCountLine.objects.create(count=count, product=product, location=location, counted=1)
    return {"quote": quote.pk, "order": order.pk, "shipment": shipment.pk, "return": customer_return.pk,
            "warehouse": warehouse.pk, "location": location.pk, "count": count.pk,
            "line_id": count_line.pk, "line": count_line.pk, **_ledger_world(entity),
            "move": (receipt := _receipt(location)).pk,  # the cost correction page of a receipt
            "landed": _landed_cost(entity, receipt).pk,  # the landed-cost pages (purchasing:landed-cost-…)
            "invoice": _draft_invoice(entity, client).pk,  # invoice pages (and its documents: 409 for a draft)
            "bill": _draft_supplier_bill(entity, counterparty, warehouse).pk,  # purchasing's bill page
            "quote_line": QuoteLine.objects.create(quote=quote, **line).pk,
            "order_line": OrderLine.objects.create(order=order, **line).pk,
            "supplier_price_id": _supplier_price(counterparty, product).pk}  # purchasing's price edit page


def _supplier_price(counterparty, product):
    from decimal import Decimal

    from tandem.purchasing.models import SupplierPrice, SupplierProfile

    supplier = SupplierProfile.objects.get_or_create(counterparty=counterparty, defaults={"currency": "EUR"})[0]
    return SupplierPrice.objects.create(supplier=supplier, product=product, currency="EUR", unit_price=Decimal(3))


def _draft_invoice(entity, client):
    from decimal import Decimal

    from tandem.core.tests.factories import UserFactory
    from tandem.finance import services

    accountant = UserFactory(username="walk-invoicer", is_superuser=True)
    return services.create_invoice(by=accountant, client=client, company=entity, lines=[
        {"description": "Walk work", "quantity": Decimal(1), "unit_price": Decimal(10), "tax_percent": Decimal(19)}])


def _landed_cost(entity, receipt):
    import datetime
    from decimal import Decimal

    from tandem.purchasing.models import LandedCost, LandedCostLine

    landed_cost = LandedCost.objects.create(company=entity, date=datetime.date(2026, 6, 2), amount=Decimal(10),
                                            currency="EUR", number="LC-WALK")
    LandedCostLine.objects.create(landed_cost=landed_cost, move=receipt)
    return landed_cost


def _draft_supplier_bill(entity, counterparty, warehouse):
    """A draft supplier bill of a purchase order, with its (empty) match."""
    import datetime

    from tandem.core.tests.factories import UserFactory
    from tandem.finance.models import Invoice
    from tandem.purchasing.models import BillMatch, PurchaseOrder, SupplierProfile

    supplier = SupplierProfile.objects.get_or_create(counterparty=counterparty, defaults={"currency": "EUR"})[0]
    order = PurchaseOrder.objects.create(company=entity, supplier=supplier, warehouse=warehouse, currency="EUR",
                                         owner=UserFactory(username="walk-buyer"), number="PO-WALK",
                                         order_date=datetime.date(2026, 6, 1), status="received")
    bill = Invoice.objects.create(company=entity, kind=Invoice.Kind.SUPPLIER_BILL, client=counterparty.client,
                                  counterparty=counterparty, invoice_date=datetime.date(2026, 6, 5),
                                  due_date=datetime.date(2026, 7, 5), currency="EUR", supplier_reference="WALK-1")
    BillMatch.objects.create(invoice=bill, order=order)
    return bill


def _receipt(location):
    from decimal import Decimal

    from tandem.catalog.models import Product, Unit
    from tandem.stock import services as stock_services

    unit = Unit.objects.get_or_create(code="walk-pc", defaults={"name": "piece"})[0]
    product = Product.objects.create(sku="WALK-STOCK", name="Walk stock item", unit=unit)
    return stock_services.receive_stock(product=product, quantity=Decimal(3), location=location,
                                        unit_cost=Decimal(2), by=None)


def _ledger_world(entity) -> dict:
    """The generic chart, a fiscal year with its periods and one posted entry (finance pages)."""
    import datetime
    from decimal import Decimal

    from tandem.core.tests.factories import UserFactory
    from tandem.finance import services
    from tandem.finance.models import Account, Journal

    accountant = UserFactory(username="walk-accountant", is_superuser=True)
    services.install_chart_template(entity, by=accountant)
    year = services.create_fiscal_year(entity, start_date=datetime.date(2026, 1, 1), by=accountant)
    bank, supplies = (Account.objects.get(company=entity, code=code) for code in ("1010", "6200"))
    entry = services.post_entry(company=entity, journal=Journal.objects.get(company=entity, code="GEN"),
                                date=datetime.date(2026, 6, 1), by=accountant,
                                lines=[{"account": supplies, "debit": Decimal(5)},
                                       {"account": bank, "credit": Decimal(5)}])
    from tandem.finance.budgets import create_budget

    budget = create_budget(entity, by=accountant, fiscal_year=year, name="Walk plan")
    return {"account": bank.pk, "entry": entry.pk, "fiscal": year.pk, "period": year.periods.first().pk,
            "budget": budget.pk, **_banking_world(entity, accountant)}


def _banking_world(entity, accountant) -> dict:
    """A bank account, a payment and an imported statement (payment and statement pages)."""
    import datetime

    from tandem.finance.banking import services as banking
    from tandem.finance.banking import statements
    from tandem.parties.tests.factories import ClientFactory

    account = banking.create_payment_account(entity, by=accountant, name="Walk bank")
    payment = banking.register_payment(entity, direction="in", payment_account=account,
                                       date=datetime.date(2026, 6, 1), amount="10.00", client=ClientFactory(),
                                       by=accountant)
    outcome = statements.import_statement(account, b"date,amount,reference\n2026-06-02,5.00,Walk\n", by=accountant,
                                          format="csv", csv_options={"mapping": {"date": "date", "amount": "amount",
                                                                                  "reference": "reference"}})
    return {"payment": payment.pk, "statement": outcome.statement.pk}


def _catalog_world() -> dict:
    """The catalogue's records its pages name (product, price list and their parts)."""
    from decimal import Decimal

    from tandem.catalog.models import PriceGroup, PriceList, PriceListItem, ProductBarcode, TaxCategory, UnitConversion
    from tandem.catalog.tests.factories import CategoryFactory, ProductFactory, UnitFactory

    product = ProductFactory(unit=UnitFactory(code="pc"))
    price_list = PriceList.objects.create(name="Walk list", currency="EUR")
    item = PriceListItem.objects.create(price_list=price_list, product=product, unit_price=Decimal(1))
    conversion = UnitConversion.objects.create(product=product, from_unit=UnitFactory(code="box"),
                                               to_unit=product.unit, factor=Decimal(12))
    barcode = ProductBarcode.objects.create(product=product, code="4006381333931")
    return {"product": product.pk, "pricelist": price_list.pk, "item": item.pk, "conversion": conversion.pk,
            "barcode": barcode.pk, "unit": product.unit_id, "category": CategoryFactory().pk,
            "taxcategory": TaxCategory.objects.get_or_create(name="Walk tax")[0].pk,
            "pricegroup": PriceGroup.objects.get_or_create(name="Walk group")[0].pk}


def _url(route: str, name: str, ids: dict) -> str | None:
    """A concrete URL for a route, ids of real objects; None for routes that take no GET by design."""
    kind = name.rsplit(":", 1)[-1].split("-")[0]

    def fill(match):
        converter, param = match.group(1), match.group(2)
        if param == "pk":
            key = kind
        elif param.endswith("_pk"):
            key = param[:-3]
        elif param == "key":
            return "crm" if converter == "str" else "A" * 43
        else:
            key = param
        assert key in ids, f"the walk has no object for <{param}> in {name}: add one to the world fixture"
        return str(ids[key])

    route = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    if route.startswith("^"):  # a regex route (the calendar feed): its key
        route = re.sub(r"\(\?P<key>[^)]*\)", "A" * 43, route).strip("^$").replace("\\.", ".")
    return "/" + route


def _query(values: dict) -> str:
    return "&".join(f"{quote(k)}={v if v == RAW else quote(v)}" for k, v in values.items())


def _page_params(html: str) -> set[str]:
    return set(re.findall(r'name="([A-Za-z_][\w-]*)"', html)) - {"csrfmiddlewaretoken"}


# The company's time zone at both ends of the world: a date near a limit must survive either conversion.
@pytest.mark.parametrize("who,zone", [("admin_user", "Pacific/Kiritimati"), ("sales_rep", "Pacific/Pago_Pago")])
def test_every_page_survives_hostile_query_values(request, world, who, zone):
    Company.objects.update_or_create(pk=get_company().pk, defaults={"time_zone": zone})
    user = request.getfixturevalue(who)
    http = HttpClient()
    http.force_login(user)
    pages = [(route, name) for route, name in _patterns(get_resolver())
             if not route.startswith(SKIPPED_PREFIXES) and name != "core:login"]
    assert len(pages) > 60
    broken = []
    for route, name in pages:
        url = _url(route, name, world)
        first = http.get(url)
        if first.status_code >= 500:
            broken.append((url, first.status_code))
            continue
        if first.status_code != 200:
            continue  # a POST-only action (405) or a redirect: no page to query
        # A streamed download (an XLSX export) has no form of its own; it still meets the common parameters.
        own = set() if first.streaming else _page_params(first.content.decode(errors="replace"))
        for value in HOSTILE:
            response = http.get(f"{url}?{_query({p: value for p in COMMON_PARAMS | own})}")
            if response.status_code >= 500:
                broken.append((url, "all", value[:20], response.status_code))
        for param in own if who == "admin_user" else ():
            # One at a time too: a refused neighbour must not hide what this one breaks.
            for value in ("9223372036854775808", "0001-01-01", "9999-12-31"):
                response = http.get(f"{url}?{_query({param: value})}")
                if response.status_code >= 500:
                    broken.append((url, param, value, response.status_code))
    assert not broken, broken
