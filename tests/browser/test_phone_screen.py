"""A phone-sized screen (390 × 844): every main page fits the width — nothing scrolls sideways, wide tables
scroll inside their own box, the deal board's columns inside the board — and the menu button, the search,
the reminder bell and the user menu are in reach. At 1280 px the menu is the usual bar.

The pages are derived from the URL configuration, so a new page is walked without touching this test: each
URL's parameters are filled from the records below by the resource its name starts with. URLs that are no
page to look at (POST-only actions, fragments, files) are listed explicitly in NOT_PAGES."""

import datetime
from decimal import Decimal
from pprint import pformat
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.models import ExchangeRate, LegalEntity, LegalEntityBankAccount
from tandem.core.services import create_api_token
from tandem.crm.models import Segment
from tandem.crm.services import deals as deal_services
from tandem.crm.tests.factories import DealFactory, LostReasonFactory
from tandem.crm.tests.factories_activity import ComplaintFactory, InteractionFactory
from tandem.crm.tests.factories_marketing import (
    CampaignFactory,
    EventAttendeeFactory,
    LeadFactory,
    MarketingEventFactory,
)
from tandem.crm.tests.factories_planning import SegmentFactory, TaskFactory
from tandem.parties.models import BankAccount, Tag
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory, SourceFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# URL namespaces that are not Tandem's own pages (Django admin, the API and its docs, language switch).
FOREIGN_NAMESPACES = {"admin", "api-1.0.0", "i18n"}

# URL names that are no page to look at, and why. Everything else in the URL conf is walked.
NOT_PAGES = {
    "healthz": "health check (JSON)",
    "set_language": "POST-only language switch",
    "core:login": "walked logged out separately",
    "core:logout": "POST-only",
    "core:token-revoke": "POST-only",
    "core:two-factor-verify": "only during the second login step",
    "core:two-factor-disable": "POST-only",
    "core:exchange-rate-import": "POST-only (CSV upload)",
    "core:role-two-factor": "POST-only",
    "core:module-switch": "POST-only",
    "core:legal-entity-set-default": "POST-only",
    "core:legal-entity-logo": "POST-only (upload)",
    "core:legal-entity-bank-account-add": "POST-only",
    "core:legal-entity-bank-account-remove": "POST-only",
    "parties:client-archive": "POST-only",
    "parties:client-restore": "POST-only",
    "parties:counterparty-archive": "POST-only",
    "parties:counterparty-restore": "POST-only",
    "parties:contact-archive": "POST-only",
    "parties:contact-restore": "POST-only",
    "crm:deal-move": "POST-only",
    "crm:deal-checklist": "POST-only",
    "crm:deal-win": "POST-only",
    "crm:deal-lose": "POST-only",
    "crm:deal-reopen": "POST-only",
    "crm:lead-reopen": "POST-only",
    "crm:campaign-archive": "POST-only",
    "crm:campaign-restore": "POST-only",
    "crm:event-attendee-add": "POST-only",
    "crm:event-attendee-remove": "POST-only",
    "crm:complaint-start": "POST-only",
    "crm:complaint-resolve": "POST-only",
    "crm:complaint-reject": "POST-only",
    "crm:complaint-reopen": "POST-only",
    "crm:segment-member-add": "POST-only",
    "crm:segment-member-remove": "POST-only",
    "crm:task-complete": "POST-only",
    "crm:task-cancel": "POST-only",
    "crm:task-reopen": "POST-only",
    "crm:reminders": "htmx fragment of the header's bell (walked inside every page)",
    "crm:reminder-dismiss": "POST-only",
    "crm:client-timeline": "htmx fragment of the client card (walked inside it)",
    "crm:calendar-feed-ics": "an iCalendar file, no page",
    "crm:target-edit": "POST-only row form of the sales targets page (issue #12 dashboards branch)",
    "stock:product-picker": "htmx fragment of the product picker",
    "stock:location-picker": "htmx fragment of the location picker",
    "stock:lot-picker": "htmx fragment of the lot picker",
    "stock:count-line-delete": "POST-only",
    "finance:payment-allocate": "POST-only",
    "finance:payment-reverse": "POST-only",
    "finance:payment-account-archive": "POST-only",
    "finance:statement-line-confirm": "POST-only",
    "finance:statement-line-ignore": "POST-only",
    "finance:invoice-issue": "POST-only",
    "finance:invoice-cancel": "POST-only",
    "finance:invoice-credit": "POST-only",
    "finance:invoice-apply-credit": "POST-only (form on the credit note's page)",
    "stock_accounting:pending-post": "POST-only",
    "purchasing:order-line-remove": "POST-only",
    **{f"production:{name}": "POST-only" for name in (
        "workcentre-archive", "workcentre-restore", "bom-edit", "bom-archive", "bom-restore", "bom-line-add",
        "bom-line-edit", "bom-line-remove", "bom-operation-add", "bom-operation-edit", "bom-operation-remove")},
    "purchasing:order-quote": "POST-only",
    "purchasing:order-convert": "POST-only",
    "purchasing:order-return-to-draft": "POST-only",
    **{f"production:mo-{step}": "POST-only" for step in ("confirm", "unconfirm", "start", "finish", "cancel",
                                                         "consume", "book-time", "produce")},
    "purchasing:order-pdf": "a PDF file, no page",
    "purchasing:bill-update": "POST-only",
    "purchasing:bill-accept": "POST-only",
    "purchasing:bill-issue": "POST-only",
    "purchasing:bill-cancel": "POST-only",
    "purchasing:product-picker": "htmx fragment of the product picker",
    "purchasing:supplier-picker": "htmx fragment of the supplier picker",
    "purchasing:price-prefer": "POST-only",
    "catalog:taxcategory-rename": "POST-only",
    "catalog:taxcategory-archive": "POST-only",
    "catalog:taxcategory-restore": "POST-only",
    "catalog:pricegroup-rename": "POST-only",
    "catalog:pricegroup-archive": "POST-only",
    "catalog:pricegroup-restore": "POST-only",
    "purchasing:price-remove": "POST-only",
    "planning:run": "POST-only",
    "planning:confirm": "POST-only",
    "purchasing:landed-cost-allocate": "POST-only",
    "purchasing:landed-cost-cancel": "POST-only",
    "purchasing:landed-cost-receipt-remove": "POST-only",
    "purchasing:landed-order-picker": "htmx fragment of the purchase order picker",
    "purchasing:landed-receipt-picker": "htmx fragment of the receipt picker",
    "crm:deal-board-more": "htmx fragment: a board column's next cards (tests/browser/test_deal_board_week.py)",
    "stock:warehouse-archive": "POST-only",
    "stock:warehouse-restore": "POST-only",
    "stock:warehouse-location-add": "POST-only",
    "stock:location-archive": "POST-only",
    "stock:location-restore": "POST-only",
    "stock:count-line-add": "POST-only",
    "stock:count-import": "POST-only (CSV upload)",
    "stock:count-post": "POST-only",
    "stock:count-cancel": "POST-only",
    "finance:account-install": "POST-only",
    "finance:account-archive": "POST-only",
    "finance:entry-reverse": "POST-only",
    "finance:entry-line-row": "htmx fragment of the manual entry form (walked inside it)",
    "finance:period-close": "POST-only",
    "finance:period-reopen": "POST-only",
    "finance:fiscal-year-create": "POST-only (form on the periods page)",
    "finance:fiscal-year-close": "POST-only",
    "finance:trial-balance-export": "an XLSX file, no page",
    **{f"finance:report-{name}-export": "an XLSX file, no page" for name in (
        "profit-and-loss", "balance-sheet", "cash-flow", "budget-vs-actual", "cash-forecast", "lines", "tax")},
    "finance:budget-create": "POST-only (form on the budgets page)",
    "finance:budget-edit": "POST-only (the grid's cells, htmx)",
    "finance:budget-delete": "POST-only",
    "finance:aging-export": "an XLSX file (receivables aging), no page",
    "sales:quote-pdf": "a PDF file, no page",
    "sales:shipment-pdf": "a PDF file (delivery note), no page",
    "finance:invoice-pdf": "a PDF file (invoice), no page",
    "finance:invoice-facturx": "a PDF file (Factur-X e-invoice), no page",
    "finance:invoice-cii": "an XML file (the e-invoice's CII), no page",
}

# The pages issue #12 names: all derived from the URL conf, all full pages.
NAMED_PAGES = [
    "/",
    "/clients/",
    "/clients/new/",
    "/crm/deals/",
    "/crm/deals/list/",
    "/crm/deals/new/",
    "/crm/leads/",
    "/crm/tasks/",
    "/crm/my-day/",
    "/crm/calendar/",
    "/crm/complaints/",
    "/crm/segments/",
    "/crm/reports/lost-at-stage/",
    "/crm/marketing/report/",
    "/settings/company/",
    "/settings/legal-entities/",
    "/settings/exchange-rates/",
    "/settings/roles/",
    "/settings/modules/",
    "/account/tokens/",
    "/account/profile/",
]

LONG = "Internationale Pumpen- und Armaturenhandelsgesellschaft Süd-West mbH & Co. KG"


@pytest.fixture
def demo(make_user):
    """A small but realistic data set: long names, several deals per stage, every kind of record a URL
    names. Factories, not the demo loader: fast."""
    boss = make_user(roles.ADMINISTRATOR, username="boss", first_name="Maximiliane", last_name="Oberhuber-Schmidt")
    rep = make_user(roles.SALES_REPRESENTATIVE, username="rep", first_name="Bartholomew", last_name="Featherstone")
    pipeline = deal_services.ensure_default_pipeline()
    client = ClientFactory(
        name=LONG, owner=rep, email="einkauf.abteilung@pumpen-armaturen-handel.example", phone="+49 89 123456789"
    )
    clients = [client] + [ClientFactory(name=f"{LONG[:40]} {n}", owner=rep) for n in range(4)]
    counterparty = CounterpartyFactory(client=client, legal_name=LONG + " Holding")
    bank_account = BankAccount.objects.create(
        counterparty=counterparty,
        bank_name="Bayerische Landesbank",
        account_number="DE89370400440532013000",
        bic="BYLADEMMXXX",
    )
    contact = ContactFactory(
        client=client,
        first_name="Friedrich-Wilhelm",
        last_name="Hohenzollern-Sigmaringen",
        email="friedrich-wilhelm.hohenzollern@pumpen-armaturen-handel.example",
    )
    deals = [
        DealFactory(
            owner=rep,
            client=clients[n % len(clients)],
            pipeline=pipeline,
            title=f"Annual framework agreement for centrifugal pumps {n}",
            amount=Decimal("123456.78"),
        )
        for n in range(3)
    ]
    stages = list(pipeline.stages.order_by("position"))
    for n, stage in enumerate(stages[1:], start=3):
        DealFactory(
            owner=rep,
            client=clients[n % len(clients)],
            stage=stage,
            pipeline=pipeline,
            title=f"Replacement seals and spare parts package {n}",
            amount=Decimal("9876543.21"),
        )
    interaction = InteractionFactory(client=client, created_by=rep, text="Long call about the framework " * 8)
    complaint = ComplaintFactory(client=client, assignee=rep, description="The seal leaks at high pressure " * 5)
    task = TaskFactory(
        assignee=rep,
        title="Call back about the framework agreement for centrifugal pumps",
        client=client,
        remind_at=timezone.now() - datetime.timedelta(hours=1),
    )
    TaskFactory(assignee=boss, title="Review the quarter", remind_at=timezone.now() - datetime.timedelta(hours=1))
    lead = LeadFactory(owner=rep, company_name=LONG, name="Konstantin Wassermann-Obergfell")
    campaign = CampaignFactory(name="Spring trade fair campaign for industrial pump distributors")
    event = MarketingEventFactory(name="Hannover Messe industrial automation and pumps pavilion", campaign=campaign)
    attendee = EventAttendeeFactory(event=event, client=client)
    segment = SegmentFactory(name="Key accounts in Bavaria", kind=Segment.Kind.STATIC)
    segment.members.add(*clients)
    entity = LegalEntity.objects.create(
        name=LONG, tax_id="DE123456789", is_default=True, registered_address="Industriestraße 1\n80331 München"
    )
    entity_account = LegalEntityBankAccount.objects.create(
        legal_entity=entity, bank_name="Deutsche Bank", iban="DE89370400440532013000", currency="EUR"
    )
    ExchangeRate.objects.create(
        base_currency="EUR", quote_currency="USD", date=datetime.date(2026, 11, 30), rate=Decimal("1.08320000")
    )
    SourceFactory(name="Trade fair Hannover")
    Tag.objects.create(name="key-account")
    LostReasonFactory(name="Price too high for the framework agreement")
    token, _secret = create_api_token(boss, "Integration with the warehouse system", by=boss)
    ledger_account, entry = _ledger(entity, boss)
    catalog = _catalog_records()

    quote, order = _sales_documents(client, counterparty, deals[0], entity, rep)
    shipment, customer_return = _shipping_documents(order, complaint)
    resources = {
        "shipment": shipment,
        "return": customer_return,
        "quote": quote,
        "order": order,
        "client": client,
        "counterparty": counterparty,
        "bankaccount": bank_account,
        "contact": contact,
        "deal": deals[0],
        "interaction": interaction,
        "complaint": complaint,
        "task": task,
        "reminder": task,
        "lead": lead,
        "campaign": campaign,
        "event": event,
        "attendee": attendee,
        "segment": segment,
        "legal-entity": entity,
        "account": entity_account,
        "token": token,
        "role": Group.objects.get(name=roles.SALES_REPRESENTATIVE),
        **_stock_resources(entity),
        "account-detail": ledger_account,
        "account-edit": ledger_account,
        "entry": entry,
        **_finance_records(entity, boss, client, counterparty),
        **catalog,
        **_production_resources(entity),
    }
    return {"boss": boss, "rep": rep, "resources": resources}


def _production_resources(entity) -> dict:
    """A work centre and a BOM version with long names: a component line and an operation (its page edits them
    in place, a row of inputs that must scroll inside its table on a phone)."""
    from decimal import Decimal

    from tandem.catalog.models import Product, Unit
    from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre

    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    made = Product.objects.create(sku="PHONE-ASSEMBLY-WITH-A-VERY-LONG-SKU", unit=unit,
                                  name="Oak dining table with extension leaves and a very long product name")
    part = Product.objects.create(sku="PHONE-BOARD-OAK-2000x200x30", unit=unit,
                                  name="Oak board, planed on four sides, kiln dried, 2000 × 200 × 30 mm")
    centre = WorkCentre.objects.create(company=entity, code="ASSEMBLY-LINE-1", hourly_cost=Decimal("36"),
                                       name="Assembly line one with clamps and a long name")
    bom = Bom.objects.create(product=made, code="v1-with-a-long-name", valid_from=datetime.date(2026, 1, 1))
    BomLine.objects.create(bom=bom, component=part, quantity=Decimal("5"), scrap_percent=Decimal("8"),
                           note="Choose boards with straight grain for the top")
    BomOperation.objects.create(bom=bom, name="Cut, glue and clamp the boards of the top", work_centre=centre,
                                minutes_per_unit=Decimal(35), setup_minutes=Decimal(20))
    return {"production:bom": bom, "production:workcentre": centre}


def _stock_resources(entity) -> dict:
    """Warehouses with bins and goods in them (long names), a stock count with a line."""
    from tandem.catalog.models import Product, Unit
    from tandem.stock import services as stock_services

    warehouse = stock_services.create_warehouse(company=entity, code="MUC-CENTRAL",
                                                name="Zentrallager München-Freimann Hochregal", by=None)
    location = stock_services.create_location(warehouse=warehouse, code="HR-01-A-17",
                                              name="Hochregal 01, Gang A, Fach 17", by=None)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    product = Product.objects.create(sku="PUMP-CENTRIFUGAL-9000", name=LONG[:60] + " centrifugal pump", unit=unit)
    receipt = stock_services.receive_stock(product=product, quantity=Decimal("1234567.5"), location=location,
                                           unit_cost=Decimal("1234.567891"), by=None,
                                           reason="Lieferschein 2026-000123 vom Hauptlieferanten")
    count = stock_services.create_count(warehouse=warehouse, note="Inventur Hochregal", by=None)
    stock_services.set_count_line(count, product=product, location=location, counted=Decimal("1234560"), by=None)
    return {"warehouse": warehouse, "location": location, "count": count, "move": receipt,
            "purchasing:landed-cost": _landed_cost(entity, receipt)}


def _landed_cost(entity, receipt):
    """A draft landed cost with a long note whose receipt line shows large shares and unit costs."""
    from tandem.purchasing.models import LandedCost, LandedCostLine

    landed_cost = LandedCost.objects.create(
        company=entity, date=timezone.localdate(), amount=Decimal("98765432.10"), currency="EUR",
        base_amount=Decimal("98765432.10"), method=LandedCost.Method.WEIGHT, reference="SPEDITION-2026-000123",
        note="Seefracht Shanghai–Hamburg, Zoll und Versicherung für die Kreiselpumpen " * 2, number="LC-2026-00001")
    LandedCostLine.objects.create(landed_cost=landed_cost, move=receipt, basis=Decimal("123456789.123456"),
                                  amount=Decimal("98765432.10"), base_amount=Decimal("98765432.10"),
                                  unit_cost_before=Decimal("1234.567891"), unit_cost_after=Decimal("1314.567891"))
    return landed_cost


def _ledger(entity, by):
    """The generic chart, this year's fiscal year and an entry with a long memo, today."""
    from tandem.finance import services
    from tandem.finance.models import Account, Journal

    today = timezone.localdate()
    services.install_chart_template(entity, by=by)
    services.create_fiscal_year(entity, start_date=datetime.date(today.year, 1, 1), by=by)
    bank, supplies = (Account.objects.get(company=entity, code=code) for code in ("1010", "6200"))
    entry = services.post_entry(company=entity, journal=Journal.objects.get(company=entity, code="PUR"), date=today,
                                memo="Replacement seals and spare parts for the centrifugal pumps " * 2, by=by,
                                lines=[{"account": supplies, "debit": Decimal("9876543.21")},
                                       {"account": bank, "credit": Decimal("9876543.21")}])
    return bank, entry


def _finance_records(entity, by, client, counterparty) -> dict:
    """A draft invoice with a long line, a bank account with a payment, an imported statement, a budget."""
    from tandem.finance import services
    from tandem.finance.banking import services as banking
    from tandem.finance.banking import statements
    from tandem.finance.budgets import create_budget
    from tandem.finance.models import FiscalYear

    today = timezone.localdate()
    invoice = services.create_invoice(by=by, client=client, counterparty=counterparty, company=entity, lines=[
        {"description": "Replacement seals and spare parts for the centrifugal pumps " * 2,
         "quantity": Decimal("1234.5"), "unit_price": Decimal("8000.5"), "tax_percent": Decimal(19)}])
    account = banking.create_payment_account(entity, by=by, name="Bayerische Landesbank Geschäftskonto EUR")
    payment = banking.register_payment(entity, direction="in", payment_account=account, date=today,
                                       amount=Decimal("9876543.21"), client=client, counterparty=counterparty,
                                       reference="Rechnung 2026-000123 und 2026-000124, Teilzahlung", by=by)
    outcome = statements.import_statement(
        account, f"date,amount,reference\n{today.isoformat()},1234.56,Rechnung 2026-000123 Teilzahlung\n".encode(),
        by=by, format="csv", csv_options={"mapping": {"date": "date", "amount": "amount", "reference": "reference"}})
    budget = create_budget(entity, by=by, fiscal_year=FiscalYear.objects.get(company=entity),
                           name="Plan 2026 for the whole company, all departments")
    return {"invoice": invoice, "payment": payment, "payment-account": account, "statement": outcome.statement,
            "budget": budget, **_purchasing_records(entity, by, counterparty),
            "production:mo": _production_order(entity)}


def _purchasing_records(entity, by, counterparty) -> dict:
    """The purchase order, and a draft supplier bill of it with a long line and its match."""
    from tandem.finance import services as finance
    from tandem.purchasing.models import BillMatch

    order = _purchase_order(entity, by, counterparty)
    line = order.lines.get()
    bill = finance.create_supplier_bill(by=by, client=counterparty.client, counterparty=counterparty, company=entity,
                                       supplier_reference="PUMPENWERK-RECHNUNG-2026-000123-A", origin=order, lines=[
                                           {"product": line.product, "description": line.description,
                                            "quantity": Decimal("1234.5"), "unit_price": Decimal("8123.75"),
                                            "tax_percent": Decimal(19), "origin_line": line}])
    BillMatch.objects.create(invoice=bill, order=order)
    # "line": the draft order's line, for its edit page (orders/<pk>/lines/<line_pk>/edit/).
    return {"purchasing:order": order, "purchasing:bill": bill, "purchasing:supplier": order.supplier, "line": line}


def _production_order(entity):
    """A draft production order of a table with a long name (production pages)."""
    from tandem.production.tests.factories import production_order

    return production_order(entity, sku="PHONE")


def _purchase_order(entity, by, counterparty):
    """A purchase order with a long line from the client's counterparty as a supplier (purchasing pages)."""
    from tandem.catalog.models import Product, Unit
    from tandem.purchasing import services as purchasing

    unit, _created = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
    product = Product.objects.create(sku="SEAL-KIT-HIGH-PRESSURE-2000", name=LONG + " seal kit", unit=unit)
    supplier = purchasing.create_supplier(counterparty=counterparty, currency="EUR", by=by)
    purchasing.add_supplier_price(supplier=supplier, product=product, unit_price=Decimal("8000.5"), by=by,
                                  pack_size=Decimal(12), valid_from=datetime.date(2026, 1, 1),
                                  valid_to=datetime.date(2026, 12, 31), supplier_sku="PW-SEAL-KIT-HP-2000-XL")
    return purchasing.create_purchase_order(supplier=supplier, by=by, company=entity, lines=[
        {"product": product, "quantity": Decimal("1234.5"), "unit_price": Decimal("8000.5"),
         "description": "Replacement seals and spare parts for the centrifugal pumps " * 2}])


def _catalog_records() -> dict:
    """A product with long names, barcodes, a box conversion and variants; a price list with breaks."""
    from tandem.catalog.models import PriceList, PriceListItem, ProductBarcode, UnitConversion
    from tandem.catalog.tests.factories import CategoryFactory, ProductFactory, UnitFactory

    pc, box = UnitFactory(code="pc"), UnitFactory(code="box")
    category = CategoryFactory(name="Centrifugal pumps for industrial applications",
                               parent=CategoryFactory(name="Pumps and pumping equipment"))
    product = ProductFactory(sku="PUMP-CENTRIFUGAL-INDUSTRIAL-4000", name=LONG + " centrifugal pump", unit=pc,
                             category=category)
    ProductFactory(sku="PUMP-CENTRIFUGAL-INDUSTRIAL-4000-XL-NAVY", name=LONG + " XL navy", unit=pc,
                   template=product)
    barcode = ProductBarcode.objects.create(product=product, code="4006381333931")
    conversion = UnitConversion.objects.create(product=product, from_unit=box, to_unit=pc, factor=Decimal(12))
    price_list = PriceList.objects.create(name="Wholesale PLN 2026 for distributors in the whole country",
                                          currency="PLN")
    item = PriceListItem.objects.create(price_list=price_list, product=product, min_quantity=Decimal(100),
                                        unit_price=Decimal("123456.789012"), discount_percent=Decimal("12.5"))
    return {"product": product, "barcode": barcode, "pricelist": price_list, "item": item, "unit": pc,
            "category": category, "conversion": conversion}
def _sales_documents(client, counterparty, deal, entity, rep):
    """A quote and an order with a long line each (sales pages)."""
    from tandem.catalog.models import Product, Unit
    from tandem.sales.models import Order, OrderLine, Quote, QuoteLine

    unit, _created = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
    product = Product.objects.create(sku="PUMP-CENTRIFUGAL-HIGH-PRESSURE-2000", name=LONG + " pump", unit=unit)
    common = {"company": entity, "client": client, "counterparty": counterparty, "deal": deal, "owner": rep,
              "currency": "EUR", "net_total": Decimal("9876543.21"), "total": Decimal("9876543.21")}
    quote = Quote.objects.create(number="Q-2026-00001", quote_date=datetime.date(2026, 11, 2), **common)
    order = Order.objects.create(number="SO-2026-00001", order_date=datetime.date(2026, 11, 3), **common)
    line = {"product": product, "unit": unit, "quantity": Decimal("1234.5"), "unit_price": Decimal("8000.5"),
            "discount_percent": Decimal("7.5"), "tax_rate": Decimal(19), "net_amount": Decimal("9876543.21"),
            "price_explanation": "list Wholesale EUR 2026, break ≥ 100 pc, −5 %"}
    QuoteLine.objects.create(quote=quote, **line)
    OrderLine.objects.create(order=order, **line)
    return quote, order


def _shipping_documents(order, complaint):
    """A shipment and a customer return of the order, with long names (shipment and return pages)."""
    from tandem.sales.models import CustomerReturn, ReturnLine, Shipment, ShipmentLine
    from tandem.stock.models import Location, Lot, Warehouse

    warehouse = Warehouse.objects.create(company=order.company, code="MUC-SHIPPING", name=LONG + " Lager")
    shelf = Location.objects.create(warehouse=warehouse, code="HALL-07-RACK-12-SHELF-04", is_default=True)
    quarantine = Location.objects.create(warehouse=warehouse, code="QUARANTINE-RETURNS", kind="quarantine")
    line = order.lines.get()
    lot = Lot.objects.create(product=line.product, code="LOT-2026-11-000123456789",
                             expiry_date=datetime.date(2028, 1, 31))
    common = {"company": order.company, "order": order, "client": order.client}
    shipment = Shipment.objects.create(number="SH-2026-00001", warehouse=warehouse, carrier="Deutsche Post DHL Group",
                                       tracking_number="JJD0001234567890123456789",
                                       shipment_date=datetime.date(2026, 11, 4), **common)
    ShipmentLine.objects.create(shipment=shipment, order_line=line, product=line.product, quantity=Decimal("1234.5"),
                                location=shelf, lot=lot)
    customer_return = CustomerReturn.objects.create(number="RT-2026-00001", location=quarantine, complaint=complaint,
                                                    return_date=datetime.date(2026, 11, 20),
                                                    reason="The seal leaks at high pressure", **common)
    ReturnLine.objects.create(customer_return=customer_return, order_line=line, product=line.product,
                              quantity=Decimal("2"), lot=lot)
    return shipment, customer_return


def _url_patterns(patterns=None, prefix="", namespace=""):
    """(name with namespace, route, pattern) of every Tandem URL."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in FOREIGN_NAMESPACES or str(entry.pattern).startswith(("admin/", "api/", "i18n/")):
                continue
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from _url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def _resource_for(url_name: str, resources: dict):
    """The record a URL's `pk` names: the longest resource its name (without namespace) starts with."""
    bare = url_name.split(":")[-1]
    # A namespaced key ("purchasing:order") names its app's records; it wins over the bare one ("order").
    own = [key for key in resources if ":" in key and (url_name == key or url_name.startswith(key + "-"))]
    if own:
        return resources[max(own, key=len)]
    matches = [key for key in resources if ":" not in key and (bare == key or bare.startswith(key + "-"))]
    return resources[max(matches, key=len)] if matches else None


def _any_record(resource: str):
    """For a resource the fixture does not name: the first row of the model of that name (user, lost-reason)."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.model_name == resource.replace("-", "").replace("_", ""):
            return model._default_manager.order_by("pk").first()
    return None


def _kwargs(url_name: str, pattern: URLPattern, resources: dict) -> dict | None:
    kwargs = {}
    for param in pattern.pattern.regex.groupindex:
        if param == "pk":
            record = _resource_for(url_name, resources)
            if record is None:
                words = url_name.split(":")[-1].split("-")  # user-reset-password: user-reset, then user
                record = next(
                    filter(None, (_any_record("-".join(words[:n])) for n in range(len(words) - 1, 0, -1))), None
                )
        elif param == "key":
            kwargs[param] = "crm"
            continue
        else:  # client_pk, counterparty_pk, attendee_pk, account_pk, user_id ...
            resource = param.removesuffix("_pk").removesuffix("_id")
            record = resources.get(resource) or _any_record(resource)
        if record is None:
            return None
        kwargs[param] = record.pk
    return kwargs


def main_pages(resources: dict) -> list[str]:
    from django.urls import reverse

    pages, unfilled = [], []
    for name, _route, pattern in _url_patterns():
        if name.lstrip(":") in NOT_PAGES or name in NOT_PAGES:
            continue
        kwargs = _kwargs(name, pattern, resources)
        if kwargs is None:
            unfilled.append(name)
            continue
        pages.append(reverse(name.lstrip(":"), kwargs=kwargs))
    assert not unfilled, f"add a record for these URLs to the demo fixture, or list them in NOT_PAGES: {unfilled}"
    return pages


# Everything wider than the screen: its tag, classes, text and right edge (so a failure says what to fix).
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    let inside = false;  // scrolled inside a box of its own: fine
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (["auto", "scroll", "hidden"].includes(style.overflowX) && up.getBoundingClientRect().right <= width + 0.5) {
        inside = true; break;
      }
    }
    if (!inside) found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} right=${Math.round(box.right)} `
                            + `"${(el.textContent || "").trim().slice(0, 40)}"`);
  }
  return found.slice(0, 5);
}"""


def _header_problems(page, *, has_bell: bool) -> list[str]:
    """What of the header is out of reach on this page."""
    problems = []
    header = page.locator("header.shell-header")
    wanted = {
        "menu button": header.locator("[data-menu-toggle]"),
        "search": header.get_by_role("searchbox"),
        "user menu": header.locator(".user-menu > summary"),
    }
    if has_bell:
        wanted["reminder bell"] = header.locator(".reminder-bell > summary")
    for what, locator in wanted.items():
        if not locator.is_visible():
            problems.append(f"{what} not visible")
            continue
        box = locator.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > page.viewport_size["width"] + 0.5:
            problems.append(f"{what} off screen at x={box['x']:.0f}..{box['x'] + box['width']:.0f}")
    if header.locator("#shell-menu a").first.is_visible():
        problems.append("module links shown before the menu button is pressed")
    return problems


def _open(page, path: str):
    """page.goto(path) and its response. An empty error answer (405 from a POST-only action) makes goto raise:
    its status comes from a plain request then. On a busy machine the browser may also report the navigation
    as interrupted (by a second one to the same page): the page is then let finish loading, and loaded again
    only if the browser is not on it, so what the walk checks is this page, never the previous one."""
    for _attempt in range(3):
        try:
            return page.goto(path)
        except PlaywrightError:
            response = page.request.get(path)
            if response.status == 405:
                return response
            try:
                page.wait_for_load_state("load")
            except PlaywrightError:
                continue
            if urlsplit(page.url).path == path:
                return response
    raise AssertionError(f"{path} could not be opened in three tries")


def _walk(page, paths, *, width: int, has_bell: bool, allowed=(200,)) -> tuple[dict, list]:
    """Load each page; return {path: what is wrong} for pages wider than the screen or with the header
    out of reach, and the paths that answered a fragment (htmx partials) or 405 (POST-only actions)."""
    problems, fragments = {}, []
    for path in paths:
        response = _open(page, path)
        if response.status == 405:  # an action, no page: skipped like those in NOT_PAGES
            fragments.append(path)
            continue
        assert response.status in allowed, f"{path} answered {response.status}"
        if page.locator("header.shell-header").count() == 0:
            fragments.append(path)
            continue
        if has_bell:  # the bell is loaded by htmx after the page: wait for it, it is part of the header
            page.locator(".reminder-bell > summary").wait_for()
        found = []
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"scrollWidth {scroll_width}: {page.evaluate(WIDER_THAN_SCREEN)}")
        if width < 1200:
            found += _header_problems(page, has_bell=has_bell)
        if found:
            problems[path] = found
    return problems, fragments


def test_every_page_fits_a_phone_for_an_administrator(page, log_in_as, demo):
    page.set_viewport_size(PHONE)
    log_in_as(demo["boss"])
    paths = main_pages(demo["resources"])
    assert set(NAMED_PAGES) <= set(paths), set(NAMED_PAGES) - set(paths)
    problems, fragments = _walk(page, paths, width=PHONE["width"], has_bell=True)
    assert problems == {}, pformat(problems)
    assert not set(NAMED_PAGES) & set(fragments), sorted(set(NAMED_PAGES) & set(fragments))

    # The menu button opens the module links; one of them leads to its page.
    page.goto("/clients/")
    toggle = page.get_by_role("button", name="Menu")
    deals_link = page.locator("#shell-menu").get_by_role("link", name="Deals")
    expect(deals_link).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(deals_link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.evaluate(WIDER_THAN_SCREEN)
    page.keyboard.press("Escape")
    expect(deals_link).to_be_hidden()
    toggle.click()
    deals_link.click()
    page.wait_for_url("**/crm/deals/")
    expect(page.locator("#board")).to_be_visible()
    # The board's columns scroll inside the board, not the page.
    assert page.evaluate("document.getElementById('board').scrollWidth") > PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The search is a field of its own row; typing and Enter searches.
    search = page.get_by_role("searchbox", name="Search")
    search.fill("Pumpen")
    search.press("Enter")
    page.wait_for_url("**/search/?q=Pumpen")
    expect(page.locator("main").get_by_text(LONG).first).to_be_visible()

    # The user menu opens within the screen and leads to the settings.
    page.locator(".user-menu > summary").click()
    company = page.locator(".user-menu").get_by_role("link", name="Company settings")
    expect(company).to_be_visible()
    box = company.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    company.click()
    page.wait_for_url("**/settings/company/")
    page.locator(".reminder-bell > summary").wait_for()

    # The bell's list opens on screen too.
    page.locator(".reminder-bell > summary").click()
    reminder = page.locator(".reminder-list li", has_text="Review the quarter")
    expect(reminder).to_be_visible()
    box = reminder.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_every_page_fits_a_phone_for_a_representative(page, log_in_as, demo):
    page.set_viewport_size(PHONE)
    log_in_as(demo["rep"])
    # A representative may not open the settings or change marketing: those answer 403, on a page that fits.
    problems, _fragments = _walk(
        page, main_pages(demo["resources"]), width=PHONE["width"], has_bell=True, allowed=(200, 403)
    )
    assert problems == {}, pformat(problems)
    page.goto("/clients/")  # the walk may end on a refused page
    page.get_by_role("button", name="Menu").click()
    page.locator("#shell-menu").get_by_role("link", name="My day").click()
    page.wait_for_url("**/crm/my-day/")
    page.locator(".reminder-bell > summary").wait_for()  # no request left running when the test ends


def test_login_page_fits_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto("/account/login/")
    expect(page.locator("input[name=username]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_desktop_the_menu_is_a_bar(page, log_in_as, demo):
    page.set_viewport_size(DESKTOP)
    log_in_as(demo["boss"])
    problems, _fragments = _walk(page, main_pages(demo["resources"]), width=DESKTOP["width"], has_bell=True)
    assert problems == {}, pformat(problems)
    page.goto("/clients/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    header = page.locator("header.shell-header")
    # A module with one page is a link, a module with several a dropdown named after it.
    entries = header.locator("#shell-menu > li > a, #shell-menu > li > details > summary")
    expect(entries.first).to_be_visible()
    assert "CRM" in entries.all_inner_texts(), entries.all_inner_texts()
    # One row: the brand, every module entry, the search, the bell and the user menu share the same line.
    parts = [
        header.locator(".brand"),
        *entries.all(),
        header.get_by_role("searchbox"),
        header.locator(".reminder-bell > summary"),
        header.locator(".user-menu > summary"),
    ]
    middles = [box["y"] + box["height"] / 2 for box in (part.bounding_box() for part in parts)]
    assert max(middles) - min(middles) < 12, middles
    deals = header.locator("#shell-menu").get_by_role("link", name="Deals")
    expect(deals).to_be_hidden()
    entries.filter(has_text="CRM").click()
    expect(deals).to_be_visible()
    page.keyboard.press("Escape")
    expect(deals).to_be_hidden()
    entries.filter(has_text="CRM").click()
    deals.click()
    page.wait_for_url("**/crm/deals/")
    page.locator(".reminder-bell > summary").wait_for()  # no request left running when the test ends
