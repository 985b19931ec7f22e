"""Who may do what, written by hand as the business states it, checked against EVERY API endpoint and
EVERY HTML page for each shipped role and for an anonymous visitor.

The table below is deliberately not derived from the permissions the apps grant (AppConfig.role_permissions):
a wrong grant there makes this test fail. Endpoints and pages are discovered from the OpenAPI document and
the URL configuration, so a new endpoint or page fails the test until it is classified here.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.core import roles

READ, ADD, CHANGE, DELETE = "read", "add", "change", "delete"
ALL = frozenset({READ, ADD, CHANGE, DELETE})
READ_ONLY = frozenset({READ})
NOTHING = frozenset()
ANONYMOUS = "Anonymous visitor"

# --- Business areas -----------------------------------------------------------------------------------
# own account: one's profile, password, two-factor, API tokens, calendar feed.
# company facts: base currency, language, which modules are on (everyone reads; read-only for all but admin).
# settings: the settings pages (company, roles, modules).
# legal entities: our own companies (tax ID, addresses, bank accounts, logo); exchange rates: dated rates.
AREAS = (
    "own account", "company facts", "settings", "users",
    "clients", "contacts", "counterparties", "sources", "tags",
    "deals", "sales set-up", "leads", "marketing", "event attendance", "interactions", "complaints", "segments",
    "tasks", "sales targets", "legal entities", "exchange rates", "stock valuation",
    "products", "price lists", "quotes", "sales orders",
    # shipments: made from orders (by sales or the warehouse); shipping steps: pick, pack, ship, deliver — the
    # warehouse confirms them; customer returns: recorded by sales or the warehouse, received by the warehouse.
    "shipments", "shipping steps", "customer returns",
    "warehouses", "stock",
    "ledger", "ledger set-up", "bookkeeping", "period closing",
    # invoices: drafts (by hand or from an order or shipment) — sales prepares them for own clients;
    # invoice issuing: numbering, posting and crediting — the accountant's; tax rates: read by all who invoice.
    "invoices", "invoice issuing", "tax rates",
    # payments: received and made, allocated to invoices; bank statements: imported and matched to invoices.
    "payments", "bank statements",
    # receivables: aging, overdue invoices, payment history, a client's exposure; credit limits: per client and
    # the legal entity's policy; dunning: reminder levels, runs and reminders.
    "receivables", "credit limits", "dunning",
    # invoice documents: an invoice's PDF, Factur-X e-invoice and CII XML, downloaded by the invoice's readers.
    "invoice documents",
    # suppliers: who sells us what at which price; purchase orders: made and sent by buyers; purchase approvals:
    # a manager approves an order above the threshold; receipts: the warehouse receives the goods.
    "suppliers", "purchase orders", "purchase approvals", "receipts",
    # bills of materials: BOM versions with components and operations, explosion, where-used; work centres:
    # machines and teams with their hourly cost. Kept by production, read by those who sell, buy, store, count.
    "bills of materials", "work centres",
    # planning: the run, its proposals and the planning parameters (buyers, production, managers run it);
    # planning confirmation: proposals become draft orders (buyers confirm purchases, production the making).
    "planning", "planning confirmation",
    # landed costs: freight, duties, insurance entered by buyers for the receipts they concern; landed cost
    # allocation: spreading one over its receipts changes stock values (managers, accountants, administrators).
    "landed costs", "landed cost allocation",
    # supplier bills: prepared from a purchase order's receipts by buyers (and accountants), matched three ways;
    # bill differences: accepting a bill that differs from its order and receipts — accountants and managers.
    # Issuing (posting) a bill is invoice issuing.
    "supplier bills", "bill differences",
    # purchasing settings: per legal entity, the approval threshold and the receipt and bill tolerances — read by
    # whoever works with purchase orders, changed by the managers who approve them (and administrators).
    "purchasing settings",
    # production orders: made, confirmed, worked (consumed, timed, produced) and finished by the Production role;
    # the work-centre load is read with them.
    "production orders",
)
_READS_ENGINEERING = {"bills of materials": READ_ONLY, "work centres": READ_ONLY}

# --- What each role may do (as a business person states it) ---------------------------------------------
_EVERYONE = {"own account": ALL, "company facts": READ_ONLY}
_READS_CLIENTS = {area: READ_ONLY for area in ("clients", "contacts", "counterparties", "sources", "tags")}
# The ledger: entries, the chart, periods and reports are read by those who follow the figures; only accountants
# (and administrators) post, reverse, keep the chart and close periods.
_LEDGER_AREAS = ("ledger", "ledger set-up", "bookkeeping", "period closing")
_READS_LEDGER = {area: READ_ONLY for area in _LEDGER_AREAS}
# The assortment and its prices: sales managers (and administrators) keep them, everyone else reads them.
_READS_CATALOG = {"products": READ_ONLY, "price lists": READ_ONLY}
_READS_PURCHASING = {area: READ_ONLY for area in ("suppliers", "purchase orders", "purchase approvals", "receipts",
                                                   "purchasing settings")}
_READS_PRODUCTION = {"production orders": READ_ONLY}

MAY: dict[str, dict[str, frozenset]] = {
    # Full access, including users, roles and module switches.
    roles.ADMINISTRATOR: {area: ALL for area in AREAS},
    # Runs the sales team: every client and every piece of CRM work, the pipelines and marketing; no settings.
    # Reads our legal entities and the exchange rates, does not maintain them.
    roles.SALES_MANAGER: {**{area: ALL for area in AREAS if area not in ("settings", "users")}, **_EVERYONE,
                          "legal entities": READ_ONLY, "exchange rates": READ_ONLY, "stock valuation": READ_ONLY,
                          # Asks for shipments and records returns; the warehouse confirms and receives them.
                          "shipments": frozenset({READ, ADD, CHANGE}), "shipping steps": READ_ONLY,
                          "customer returns": frozenset({READ, ADD}),
                          "warehouses": READ_ONLY, "stock": READ_ONLY,
                          **_READS_LEDGER,
                          "invoices": frozenset({READ, ADD, CHANGE}), "invoice issuing": NOTHING,
                          "tax rates": READ_ONLY, "invoice documents": READ_ONLY,
                          # Buys and approves purchase orders; the warehouse receives the goods.
                          "receipts": READ_ONLY,
                          "landed costs": frozenset({READ, ADD, CHANGE}),
                          "landed cost allocation": frozenset({READ, CHANGE}),
                          # Reads receivables; accountants set limits and run dunning.
                          "receivables": READ_ONLY, "credit limits": READ_ONLY, "dunning": READ_ONLY,
                          "payments": READ_ONLY, "bank statements": READ_ONLY, **_READS_ENGINEERING,
                          # Confirming planning proposals makes draft production orders; production runs them.
                          "production orders": frozenset({READ, ADD})},
    # Works with own clients: keeps them and their contacts and legal entities up to date (cannot delete a
    # client or a legal entity), tags them, works own leads, deals, complaints and tasks (deleting none of
    # those), logs calls and meetings (and may delete what they logged themselves), registers clients at
    # marketing events; reads marketing, segments and the pipelines.
    roles.SALES_REPRESENTATIVE: {
        **_EVERYONE,
        "clients": frozenset({READ, ADD, CHANGE}), "contacts": ALL,
        "counterparties": frozenset({READ, ADD, CHANGE}), "sources": READ_ONLY, "tags": frozenset({READ, ADD}),
        **{area: frozenset({READ, ADD, CHANGE}) for area in ("deals", "leads", "complaints", "tasks")},
        "interactions": ALL,
        "marketing": READ_ONLY, "event attendance": frozenset({READ, ADD}), "segments": READ_ONLY,
        "sales set-up": READ_ONLY, "sales targets": READ_ONLY,  # only their own target
        **_READS_CATALOG,
        # Quotes and orders for own clients (prices from the price lists; overriding them is a manager's).
        "quotes": frozenset({READ, ADD, CHANGE}), "sales orders": frozenset({READ, ADD, CHANGE}),
        # Asks for shipments of own clients' orders and records their returns; the warehouse confirms them.
        "shipments": frozenset({READ, ADD, CHANGE}), "shipping steps": READ_ONLY,
        "customer returns": frozenset({READ, ADD}),
        "warehouses": READ_ONLY, "stock": READ_ONLY,  # what is available to promise
        # Prepares draft invoices of own clients' orders; an accountant issues them.
        "invoices": frozenset({READ, ADD, CHANGE}), "tax rates": READ_ONLY, "invoice documents": READ_ONLY,
        "payments": READ_ONLY,  # whether their own clients paid
        # What their own clients owe and may still buy on credit.
        "receivables": READ_ONLY, "credit limits": READ_ONLY,
        "planning": READ_ONLY,  # when their orders' goods come
    },
    # Stock and shipments: reads clients and complaints, works the tasks given to them.
    roles.WAREHOUSE: {**_EVERYONE, **_READS_CLIENTS, **_READS_CATALOG, "complaints": READ_ONLY,
                      "tasks": frozenset({READ, CHANGE}), "quotes": READ_ONLY, "sales orders": READ_ONLY,
                      "shipments": frozenset({READ, ADD, CHANGE}), "shipping steps": frozenset({READ, CHANGE}),
                      "customer returns": frozenset({READ, ADD, CHANGE}),
                      # Receives, moves, adjusts and counts stock; reads the warehouses the administrator sets up.
                      "warehouses": READ_ONLY, "stock": frozenset({READ, ADD, CHANGE}),
                      # Reads what is ordered from suppliers and receives it.
                      **_READS_PURCHASING, "receipts": frozenset({READ, CHANGE}), "planning": READ_ONLY,
                      **_READS_ENGINEERING, **_READS_PRODUCTION},
    # Accounting: reads clients, deals and complaints; maintains clients' legal entities and our own, and
    # records exchange rates.
    roles.ACCOUNTANT: {**_EVERYONE, **_READS_CLIENTS, **_READS_CATALOG,
                       "supplier bills": frozenset({READ, ADD, CHANGE}), "bill differences": frozenset({READ, CHANGE}),
                       "counterparties": frozenset({READ, ADD, CHANGE}), "deals": READ_ONLY, "complaints": READ_ONLY,
                       "quotes": READ_ONLY, "sales orders": READ_ONLY,
                       "shipments": READ_ONLY, "shipping steps": READ_ONLY, "customer returns": READ_ONLY,
                       "legal entities": frozenset({READ, ADD, CHANGE}), "exchange rates": frozenset({READ, ADD}),
                       # Corrects the cost of goods received (the supplier's invoice): an addition to valuation.
                       "stock valuation": frozenset({READ, ADD}), "warehouses": READ_ONLY, "stock": READ_ONLY,
                       **{area: ALL for area in _LEDGER_AREAS},
                       "invoices": ALL, "invoice issuing": ALL, "tax rates": ALL, "invoice documents": READ_ONLY,
                       "receivables": READ_ONLY, "credit limits": ALL, "dunning": ALL, "payments": ALL,
                       "bank statements": ALL,
                       **_READS_PURCHASING, **_READS_ENGINEERING,
                       # Enters the freight and customs bills and allocates them (stock values change).
                       "landed costs": frozenset({READ, ADD, CHANGE}),
                       "landed cost allocation": frozenset({READ, CHANGE}), **_READS_PRODUCTION},
    # Production: reads clients and complaints, works the tasks given to them.
    roles.PRODUCTION: {**_EVERYONE, **_READS_CLIENTS, **_READS_CATALOG, "complaints": READ_ONLY,
                       "tasks": frozenset({READ, CHANGE}), "quotes": READ_ONLY, "sales orders": READ_ONLY,
                       "shipments": READ_ONLY, "shipping steps": READ_ONLY, "customer returns": READ_ONLY,
                       "warehouses": READ_ONLY, "stock": READ_ONLY, **_READS_PURCHASING,
                       "planning": frozenset({READ, CHANGE}), "planning confirmation": frozenset({READ, CHANGE}),
                       # Keeps the bills of materials and the work centres.
                       "bills of materials": ALL, "work centres": ALL,
                       "production orders": ALL},
    # Buyers: keep suppliers and their prices, make, submit and send purchase orders; managers approve those
    # above the threshold, the warehouse receives. Read clients (suppliers are counterparties), products, stock.
    roles.PURCHASING: {**_EVERYONE, **_READS_CLIENTS, **_READS_CATALOG, "warehouses": READ_ONLY, "stock": READ_ONLY,
                       "suppliers": ALL, "purchase orders": frozenset({READ, ADD, CHANGE}),
                       "purchase approvals": READ_ONLY, "receipts": READ_ONLY, **_READS_ENGINEERING,
                       "planning": frozenset({READ, CHANGE}), "planning confirmation": frozenset({READ, CHANGE}),
                       # Enters landed costs for the receipts of their orders; allocating them is not theirs.
                       "landed costs": frozenset({READ, ADD, CHANGE}),
                       # Prepares supplier bills of what was received (not customer invoices); an accountant issues
                       # them.
                       "supplier bills": frozenset({READ, ADD, CHANGE}), "bill differences": READ_ONLY,
                       "purchasing settings": READ_ONLY, **_READS_PRODUCTION},
    # Reads everything, changes nothing (settings pages and users are the administrator's).
    # Costs and stock values (stock valuation) are for accounting and management only.
    roles.VIEWER: {**{area: READ_ONLY for area in AREAS if area not in ("settings", "users", "stock valuation",
                                                                        "landed costs", "landed cost allocation")},
                   **_EVERYONE},
    ANONYMOUS: {},
}

# --- Which area each API endpoint belongs to: the longest matching path prefix -----------------------------
API_AREAS = {
    "/api/v1/me": "own account",
    "/api/v1/tokens": "own account",
    "/api/v1/crm/calendar-feed": "tasks",
    "/api/v1/users": "users",
    "/api/v1/company": "company facts",
    "/api/v1/modules": "company facts",
    "/api/v1/clients": "clients",
    "/api/v1/search": "clients",
    "/api/v1/clients/{client_id}/history": "clients",
    "/api/v1/clients/{client_id}/contacts": "contacts",
    "/api/v1/contacts": "contacts",
    "/api/v1/clients/{client_id}/counterparties": "counterparties",
    "/api/v1/counterparties": "counterparties",
    "/api/v1/sources": "sources",
    "/api/v1/tags": "tags",
    "/api/v1/crm/deals": "deals",
    "/api/v1/crm/reports/lost-at-stage": "deals",
    "/api/v1/crm/pipelines": "sales set-up",
    "/api/v1/crm/lost-reasons": "sales set-up",
    "/api/v1/crm/complaint-categories": "sales set-up",
    "/api/v1/crm/stages": "sales set-up",
    "/api/v1/crm/stage-rules": "sales set-up",
    "/api/v1/crm/leads": "leads",
    "/api/v1/crm/campaigns": "marketing",
    "/api/v1/crm/events": "marketing",
    "/api/v1/crm/events/{event_id}/attendees": "event attendance",
    "/api/v1/crm/reports/attribution": "marketing",
    "/api/v1/crm/interactions": "interactions",
    "/api/v1/crm/clients/{client_id}/timeline": "interactions",
    "/api/v1/crm/complaints": "complaints",
    "/api/v1/crm/segments": "segments",
    "/api/v1/crm/reports/segment-comparison": "segments",
    "/api/v1/crm/tasks": "tasks",
    "/api/v1/crm/targets": "sales targets",
    "/api/v1/crm/dashboard": "deals",
    "/api/v1/legal-entities": "legal entities",
    "/api/v1/exchange-rates": "exchange rates",
    "/api/v1/stock/warehouses": "warehouses",
    "/api/v1/stock/locations": "warehouses",
    "/api/v1/stock/": "stock",
    "/api/v1/finance/invoices": "invoices",
    "/api/v1/finance/invoices/{invoice_id}/issue": "invoice issuing",
    "/api/v1/finance/invoices/{invoice_id}/credit": "invoice issuing",
    "/api/v1/finance/invoices/{invoice_id}/apply-credit": "payments",  # a credit note settling an invoice
    "/api/v1/finance/tax-rates": "tax rates",
    "/api/v1/sales/orders/{order_id}/invoice": "invoices",
    "/api/v1/sales/shipments/{shipment_id}/invoice": "invoices",
    "/api/v1/sales/returns/{return_id}/credit": "invoice issuing",
    "/api/v1/finance/accounts": "ledger set-up",
    "/api/v1/finance/journals": "ledger set-up",
    "/api/v1/finance/entries": "bookkeeping",
    "/api/v1/finance/reports": "ledger",
    "/api/v1/finance/budgets": "ledger",  # budgets: read with the figures, kept by accountants
    "/api/v1/finance/fiscal-years": "period closing",
    "/api/v1/finance/periods": "period closing",
    "/api/v1/finance/payment-accounts": "ledger set-up",
    "/api/v1/finance/payments": "payments",
    "/api/v1/finance/revaluations": "bookkeeping",
    "/api/v1/finance/statements": "bank statements",
    "/api/v1/finance/receivables": "receivables",
    "/api/v1/finance/clients/{client_id}/exposure": "receivables",
    "/api/v1/finance/clients/{client_id}/credit": "credit limits",
    "/api/v1/finance/credit-policy": "credit limits",
    "/api/v1/finance/dunning": "dunning",
    **{f"/api/v1/finance/invoices/{{invoice_id}}/{document}": "invoice documents"
       for document in ("pdf", "facturx", "cii")},
    "/api/v1/catalog/": "products",
    "/api/v1/catalog/price-lists": "price lists",
    "/api/v1/catalog/price-groups": "price lists",
    "/api/v1/stock/valuation": "stock valuation",
    # Inventory accounts against stock values: read by those who see stock values, pending postings posted by
    # accountants (an addition to the ledger).
    "/api/v1/stock-accounting/": "stock valuation",
    "/api/v1/sales/quotes": "quotes",
    "/api/v1/sales/orders": "sales orders",
    "/api/v1/sales/orders/{order_id}/left-to-ship": "shipments",
    "/api/v1/sales/shipments": "shipments",
    **{f"/api/v1/sales/shipments/{{shipment_id}}/{step}": "shipping steps" for step in ("pick", "pack", "ship",
                                                                                        "deliver")},
    "/api/v1/sales/returns": "customer returns",
    # Which price group a client buys in: read like the price lists, set by those who keep them.
    "/api/v1/sales/clients": "price lists",
    "/api/v1/purchasing/suppliers": "suppliers",
    "/api/v1/purchasing/supplier-prices": "suppliers",
    "/api/v1/purchasing/orders": "purchase orders",
    "/api/v1/purchasing/orders/{purchase_order_id}/approve": "purchase approvals",
    "/api/v1/purchasing/orders/{purchase_order_id}/return-to-draft": "purchase approvals",
    "/api/v1/purchasing/settings": "purchasing settings",
    "/api/v1/purchasing/orders/{purchase_order_id}/receive": "receipts",
    "/api/v1/production/work-centres": "work centres",
    "/api/v1/production/boms": "bills of materials",
    "/api/v1/production/products/{product_id}/explosion": "bills of materials",
    "/api/v1/production/products/{product_id}/where-used": "bills of materials",
    "/api/v1/planning/": "planning",
    "/api/v1/planning/proposals/confirm": "planning confirmation",
    "/api/v1/purchasing/landed-costs": "landed costs",
    "/api/v1/purchasing/landed-costs/{landed_cost_id}/allocate": "landed cost allocation",
    "/api/v1/purchasing/orders/{purchase_order_id}/bill": "supplier bills",
    "/api/v1/purchasing/bills": "supplier bills",
    "/api/v1/purchasing/bills/{bill_id}/accept": "bill differences",
    "/api/v1/purchasing/bills/{bill_id}/issue": "invoice issuing",
    "/api/v1/production/orders": "production orders",
    "/api/v1/production/load": "production orders",
}

# --- Which area each HTML page belongs to: the longest matching URL-name prefix ----------------------------
PAGE_AREAS = {
    "core:home": "own account", "core:password-change": "own account",
    "core:profile": "own account", "core:two-factor": "own account", "core:token": "own account",
    "core:company-settings": "settings", "core:role": "settings", "core:module": "settings",
    "core:user": "users", "parties:source": "sources", "parties:tag": "tags",
    "crm:lost-reason": "sales set-up", "crm:complaint-category": "sales set-up",
    "parties:client": "clients", "parties:search": "clients", "parties:contact": "contacts",
    "parties:counterparty": "counterparties", "parties:bankaccount": "counterparties",
    "crm:deal": "deals", "crm:report-lost-at-stage": "deals", "crm:pipeline": "sales set-up",
    "crm:lead": "leads", "crm:campaign": "marketing", "crm:event": "marketing",
    "crm:event-attendee": "event attendance", "crm:report-attribution": "marketing",
    "crm:client-timeline": "interactions", "crm:interaction": "interactions", "crm:complaint": "complaints",
    "crm:segment": "segments", "crm:report-segment-comparison": "segments",
    "crm:target": "sales targets",
    "crm:task": "tasks", "crm:my-day": "tasks", "crm:calendar-feed": "tasks", "crm:reminder": "tasks",
    "core:legal-entity": "legal entities", "core:exchange-rate": "exchange rates",
    "stock:warehouse": "warehouses", "stock:location": "warehouses", "stock:": "stock",
    "finance:account": "ledger set-up", "finance:entry": "bookkeeping", "finance:trial-balance": "ledger",
    "finance:period": "period closing", "finance:fiscal-year": "period closing",
    "finance:payment-account": "ledger set-up", "finance:payment": "payments", "finance:statement": "bank statements",
    "finance:report": "ledger", "finance:budget": "ledger",
    "finance:invoice": "invoices", "finance:invoice-issue": "invoice issuing",
    "finance:invoice-credit": "invoice issuing", "finance:taxrate": "tax rates",
    "finance:invoice-apply-credit": "payments",
    "sales:order-invoice": "invoices", "sales:shipment-invoice": "invoices", "sales:return-credit": "invoice issuing",
    "finance:aging": "receivables", "finance:overdue": "receivables", "finance:payment-history": "receivables",
    "finance:client-credit": "credit limits", "finance:credit-policy": "credit limits", "finance:dunning": "dunning",
    "finance:invoice-pdf": "invoice documents", "finance:invoice-facturx": "invoice documents",
    "finance:invoice-cii": "invoice documents",
    "catalog:product": "products", "catalog:category": "products", "catalog:unit": "products",
    "catalog:pricelist": "price lists", "catalog:pricegroup": "price lists", "catalog:taxcategory": "products",
    "stock_valuation:valuation": "stock valuation", "stock_valuation:cost-correction": "stock valuation",
    "stock_accounting:": "stock valuation",
    "sales:quote": "quotes",
    # The product picker of document lines offers products to whoever reads them (catalog.view_product).
    "sales:product-picker": "products", "sales:order": "sales orders",
    "sales:shipment": "shipments", "sales:return": "customer returns",
    "sales:client-price-group": "price lists",
    **{f"sales:shipment-{step}": "shipping steps" for step in ("pick", "pack", "ship", "deliver")},
    # Who may own a record or be given a task: names of colleagues, a fact of the company.
    "core:owner-picker": "company facts", "core:user-picker": "company facts",
    "purchasing:order": "purchase orders", "purchasing:product-picker": "purchase orders",
    "purchasing:order-approve": "purchase approvals", "purchasing:order-receive": "receipts",
    "purchasing:order-return-to-draft": "purchase approvals",
    "purchasing:settings": "purchasing settings", "purchasing:legal-entity-settings": "purchasing settings",
    "purchasing:price": "suppliers", "purchasing:supplier": "suppliers",
    "production:bom": "bills of materials", "production:workcentre": "work centres",
    "planning:": "planning", "planning:confirm": "planning confirmation",
    "purchasing:landed-": "landed costs", "purchasing:landed-cost-allocate": "landed cost allocation",
    "purchasing:order-bill": "supplier bills", "purchasing:bill": "supplier bills",
    "purchasing:bill-accept": "bill differences", "purchasing:bill-issue": "invoice issuing",
    "production:mo": "production orders", "production:work-centre-load": "production orders",
}
# Pages open to everybody by design, each with its reason.
PUBLIC_PAGES = {
    "healthz": "load balancers probe it without signing in",
    "favicon": "browsers ask for the icon on their own, signed in or not",
    "core:login": "the sign-in page",
    "core:logout": "signing out ends whatever session there is",
    "crm:calendar-feed-ics": "a secret-URL feed for calendar programs (tested in crm/tests/test_calendar.py)",
}

# Verb of a page from the last word of its URL name; of an endpoint from its method and function name.
PAGE_VERBS = {
    "list": READ, "detail": READ, "board": READ, "search": READ, "timeline": READ, "stage": READ,
    "attribution": READ, "comparison": READ, "day": READ, "reminders": READ, "home": READ, "feed": READ,
    "dismiss": READ, "picker": READ,
    # A settings page manages its list (company settings, sources, tags, lost reasons, …): changing, not reading.
    "settings": CHANGE, "rename": CHANGE, "deactivate": CHANGE, "reactivate": CHANGE,
    "create": ADD, "add": ADD,
    "edit": CHANGE, "move": CHANGE, "checklist": CHANGE, "win": CHANGE, "lose": CHANGE, "reopen": CHANGE,
    "qualify": CHANGE, "disqualify": CHANGE, "start": CHANGE, "resolve": CHANGE, "reject": CHANGE,
    "complete": CHANGE, "cancel": CHANGE, "switch": CHANGE, "factor": CHANGE,
    "verify": CHANGE, "disable": CHANGE, "setup": CHANGE, "change": CHANGE, "profile": CHANGE,
    "password": CHANGE, "revoke": CHANGE, "restore": CHANGE, "archive": CHANGE, "default": CHANGE,
    "pick": CHANGE, "pack": CHANGE, "ship": CHANGE, "deliver": CHANGE, "receive": CHANGE,
    "import": ADD, "new": ADD, "logo": READ, "export": READ,
    "send": CHANGE, "accept": CHANGE, "expire": CHANGE, "confirm": CHANGE, "close": CHANGE, "pdf": READ,
    "delete": DELETE, "remove": DELETE,
}


def longest_prefix(table: dict, key: str) -> str | None:
    matches = [prefix for prefix in table if key == prefix or key.startswith(prefix)]
    return table[max(matches, key=len)] if matches else None


API_VERB_OVERRIDES = {
    # Removing a closed bank account is an edit of the legal entity it belongs to, not a deletion of one.
    ("delete", "/api/v1/counterparties/{counterparty_id}/bank-accounts/{account_id}"): CHANGE,
    # One's calendar feed and reminders only show one's tasks: whoever reads tasks may renew the feed's
    # secret address and dismiss a reminder.
    ("post", "/api/v1/crm/calendar-feed"): READ,
    ("post", "/api/v1/crm/tasks/{task_id}/dismiss-reminder"): READ,
    # Our legal entities: removing a bank account or the logo edits the entity; an import adds rates.
    ("delete", "/api/v1/legal-entities/{entity_id}/bank-accounts/{account_id}"): CHANGE,
    ("delete", "/api/v1/legal-entities/{entity_id}/logo"): CHANGE,
    ("post", "/api/v1/exchange-rates/import"): ADD,
    # Posting a manual entry and reversing one are both additions to the ledger; closing is a change.
    ("post", "/api/v1/finance/entries/{entry_id}/reverse"): ADD,
    # Importing a bank statement adds one.
    ("post", "/api/v1/finance/statements/import"): ADD,
    ("post", "/api/v1/stock-accounting/legal-entities/{entity_id}/post-pending"): ADD,
    # A dunning run adds reminders.
    ("post", "/api/v1/finance/dunning/run"): ADD,
    # A quote's or order's lines are edits of the document.
    ("delete", "/api/v1/sales/quotes/{quote_id}/lines/{quote_line_id}"): CHANGE,
    ("delete", "/api/v1/sales/orders/{order_id}/lines/{order_line_id}"): CHANGE,
    ("delete", "/api/v1/purchasing/orders/{purchase_order_id}/lines/{purchase_line_id}"): CHANGE,
    # Billing an order adds a draft supplier bill.
    ("post", "/api/v1/purchasing/orders/{purchase_order_id}/bill"): ADD,
    # Deleting a line of a draft stock count edits the count.
    ("delete", "/api/v1/stock/counts/{count_id}/lines/{line_id}"): CHANGE,
    # A BOM version's components and operations are edits of the version.
    ("post", "/api/v1/production/boms/{bom_id}/lines"): CHANGE,
    ("delete", "/api/v1/production/boms/{bom_id}/lines/{bom_line_id}"): CHANGE,
    ("post", "/api/v1/production/boms/{bom_id}/operations"): CHANGE,
    ("delete", "/api/v1/production/boms/{bom_id}/operations/{bom_operation_id}"): CHANGE,
}
# Likewise for pages, by URL name.
PAGE_VERB_OVERRIDES = {"core:legal-entity-bank-account-remove": CHANGE,
                       # Working a production order changes it.
                       **{f"production:mo-{step}": CHANGE
                          for step in ("unconfirm", "finish", "consume", "book-time", "produce")},
                       "production:work-centre-load": READ,
                       "stock:count-post": CHANGE,  # posting a stock count adjusts the stock
                       "stock:count-line-delete": CHANGE,  # a draft count's lines are edits of the count
                       "crm:deal-board-more": READ,  # the next cards of a board column
                       # A document's lines are edits of the quote or order.
                       "sales:quote-line-remove": CHANGE, "sales:order-line-remove": CHANGE,
                       # Installing the shipped chart adds accounts; one more empty line of a manual entry adds.
                       "finance:account-install": ADD, "finance:entry-line-row": ADD,
                       "finance:trial-balance": READ, "finance:trial-balance-export": READ,
                       "finance:entry-reverse": ADD, "finance:period-close": CHANGE,
                       "finance:fiscal-year-close": CHANGE,
                       # Allocating and reversing a payment change it; ignoring a statement line decides it.
                       "finance:payment-allocate": CHANGE, "finance:payment-reverse": CHANGE,
                       "finance:statement-line-ignore": CHANGE,
                       # Financial reports are read (their names end in the report's name).
                       **{f"finance:report-{name}": READ for name in ("profit-and-loss", "balance-sheet", "cash-flow",
                                                                      "budget-vs-actual", "cash-forecast", "tax")},
                       # Posting what waits for the ledger adds entries.
                       "stock_accounting:pending-post": ADD,
                       # Invoicing an order or a shipment, issuing, crediting: steps of documents.
                       "finance:invoice-issue": CHANGE, "finance:invoice-credit": CHANGE,
                       "finance:invoice-apply-credit": CHANGE,  # a credit note settles an invoice: an allocation
                       "sales:order-invoice": CHANGE, "sales:shipment-invoice": CHANGE, "sales:return-credit": CHANGE,
                       "finance:aging": READ, "finance:payment-history": READ, "finance:dunning-run": ADD,
                       # Downloads of an invoice's documents (Factur-X PDF, CII XML): reading the invoice.
                       "finance:invoice-facturx": READ, "finance:invoice-cii": READ,
                       # An empty channel row for the contact and client forms: nothing is read or written.
                       "parties:contact-channel-row": READ,
                       # A purchase order's lines and steps are edits of the order.
                       "purchasing:order-line-add": CHANGE, "purchasing:order-line-remove": CHANGE,
                       "purchasing:order-submit": CHANGE, "purchasing:order-approve": CHANGE,
                       "purchasing:order-return-to-draft": CHANGE,
                       # A BOM version's components and operations are edits of it; its explosion is read.
                       "production:bom-line-add": CHANGE, "production:bom-line-remove": CHANGE,
                       "production:bom-operation-add": CHANGE, "production:bom-operation-remove": CHANGE,
                       "production:bom-explosion": READ,
                       # Running planning replaces its proposals; confirming them changes them into orders.
                       "planning:run": CHANGE, "planning:confirm": CHANGE,
                       # Allocating a landed cost changes it; taking a receipt off a draft edits it.
                       "purchasing:landed-cost-allocate": CHANGE, "purchasing:landed-cost-receipt-remove": CHANGE,
                       # Billing an order adds a draft bill; saving, accepting and issuing change it.
                       "purchasing:order-bill": ADD, "purchasing:bill-update": CHANGE,
                       "purchasing:bill-accept": CHANGE, "purchasing:bill-issue": CHANGE,
                       "purchasing:bill-cancel": CHANGE,
                       # Recording a quotation's prices and converting it are edits of the order.
                       "purchasing:order-quote": CHANGE, "purchasing:order-convert": CHANGE,
                       # Making a supplier's price the product's preferred one changes the price.
                       "purchasing:price-prefer": CHANGE}


def api_verb(method: str, operation_id: str) -> str:
    name = operation_id.rsplit("_api_", 1)[-1]
    name = name.split("_", 1)[1] if name.split("_", 1)[0] in {"deals", "leads", "attribution", "interactions",
                                                                 "complaints", "segments", "tasks",
                                                                 "reference"} else name
    name = name.removeprefix("lists_")  # crm/api/reference_lists.py
    if method == "get":
        return READ
    if method == "delete" or name.startswith(("delete_", "remove_")):
        return DELETE
    if name.startswith(("create_", "add_")) and not name.startswith("add_members"):
        return ADD
    return CHANGE


def page_verb(url_name: str) -> str | None:
    if url_name in PAGE_VERB_OVERRIDES:
        return PAGE_VERB_OVERRIDES[url_name]
    last = re.split(r"[-:]", url_name)[-1]
    return PAGE_VERBS.get(last)


# --- The world: one of everything, owned by or assigned to the acting user ---------------------------------


def build_world(actor):
    from django.core.files.base import ContentFile

    from tandem.core.models import LegalEntityBankAccount
    from tandem.core.services import create_api_token, default_legal_entity
    from tandem.core.tests.factories import UserFactory
    from tandem.crm.models import EventAttendee
    from tandem.crm.services import deals as deal_services
    from tandem.crm.tests.factories import DealFactory, LostReasonFactory
    from tandem.crm.tests.factories_activity import ComplaintCategoryFactory, ComplaintFactory, InteractionFactory
    from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory, MarketingEventFactory
    from tandem.crm.tests.factories_planning import SegmentFactory, TaskFactory
    from tandem.parties.models import BankAccount, Contact, Counterparty, Tag
    from tandem.parties.tests.factories import ClientFactory, SourceFactory

    owner = actor if actor is not None else None
    client = ClientFactory(name="Matrix Client Ltd", owner=owner) if owner else ClientFactory(name="Matrix Client")
    counterparty = Counterparty.objects.create(client=client, legal_name="Matrix Legal GmbH",
                                               valid_from=datetime.date(2024, 1, 1))
    bank_account = BankAccount.objects.create(counterparty=counterparty, bank_name="Matrix Bank",
                                              account_number="DE89370400440532013000")
    contact = Contact.objects.create(client=client, first_name="Mira", last_name="Matrix")
    pipeline = deal_services.ensure_default_pipeline()
    stage = pipeline.stages.order_by("position").first()
    rule = stage.rules.first()
    deal = DealFactory(client=client, owner=client.owner, pipeline=pipeline, stage=stage)
    event = MarketingEventFactory()
    attendee = EventAttendee.objects.create(event=event, client=client)
    segment = SegmentFactory(kind="static")
    segment.members.add(client) if hasattr(segment, "members") else None
    task = TaskFactory(assignee=client.owner, client=client)
    token = None
    if actor is not None:
        token, _secret = create_api_token(actor, "matrix spare", by=actor)
    ids = {
        "client_id": client.pk, "counterparty_id": counterparty.pk, "account_id": bank_account.pk,
        "contact_id": contact.pk, "deal_id": deal.pk, "rule_id": rule.pk if rule else 1,
        "lead_id": LeadFactory(owner=client.owner).pk, "campaign_id": CampaignFactory().pk,
        "event_id": event.pk, "attendee_id": attendee.pk, "interaction_id": InteractionFactory(client=client).pk,
        "complaint_id": ComplaintFactory(client=client).pk, "segment_id": segment.pk, "task_id": task.pk,
        "token_id": token.pk if token else 1, "stage_id": stage.pk, "pipeline_id": pipeline.pk,
        "lost_reason_id": LostReasonFactory().pk, "source_id": SourceFactory().pk,
        "owner_id": client.owner_id, "assignee_id": client.owner_id,
        "tag_id": Tag.objects.create(name="matrix").pk, "key": "crm",
        "user_id": UserFactory(username="matrix-colleague").pk, "month": "2026-06",
        "category_id": ComplaintCategoryFactory().pk,
    }
    entity = default_legal_entity()
    entity.logo.save("matrix.png", ContentFile(_PNG), save=True)
    ids["entity_id"] = entity.pk
    ids["account_pk"] = LegalEntityBankAccount.objects.create(legal_entity=entity, iban="DE89370400440532013000").pk
    ids["attendee_pk"] = ids["attendee_id"]
    ids["counterparty_pk"] = ids["counterparty_id"]
    ids["client_pk"] = ids["client_id"]
    ids.update(_ledger_world())
    ids.update(_banking_world(client, counterparty))
    ids.update(_receivables_world(client))
    if "invoice_id" not in ids:
        ids["invoice_id"] = _invoice_documents_world(client, counterparty, entity)
    ids.update(_invoice_world(ids))
    ids.update(_sales_world(client, counterparty, deal, entity))
    ids.update(_catalog_world())  # its product_id (goods with a price) is the one request bodies name
    ids.update(_shipping_world(ids))
    ids.update({key: value for key, value in _stock_world(entity, actor).items() if key != "product_id"})
    ids.update(_purchasing_world(ids, entity))
    ids.update(_bom_world(ids, entity))
    ids.update(_production_world(actor))
    ids.update(_planning_world(ids))
    return ids


def _planning_world(ids: dict) -> dict:
    """The catalog's product's planning parameters in the stock world's warehouse."""
    from decimal import Decimal

    from tandem.planning.models import PlanningParameter

    parameter = PlanningParameter.objects.create(product_id=ids["product_id"], warehouse_id=ids["warehouse_id"],
                                                 minimum_stock=Decimal(5))
    return {"parameter_id": parameter.pk}


def _bom_world(ids: dict, entity) -> dict:
    """A work centre and a BOM of a made product using the catalog's product, with one operation."""
    from decimal import Decimal

    from tandem.catalog.models import Product
    from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre

    component = Product.objects.get(pk=ids["product_id"])
    made = Product.objects.create(sku="MATRIX-MADE", name="Matrix assembly", unit=component.unit)
    centre = WorkCentre.objects.create(company=entity, code="MTX", name="Matrix cell", hourly_cost=Decimal(30))
    bom = Bom.objects.create(product=made, code="v1", valid_from=datetime.date(2026, 1, 1))
    line = BomLine.objects.create(bom=bom, component=component, quantity=Decimal(2))
    operation = BomOperation.objects.create(bom=bom, name="Matrix step", work_centre=centre)
    return {"work_centre_id": centre.pk, "bom_id": bom.pk, "bom_line_id": line.pk, "bomline_pk": line.pk,
            "bom_operation_id": operation.pk, "bomoperation_pk": operation.pk}


def _production_world(actor) -> dict:
    """A draft production order (a table from four legs) for the production endpoints."""
    from tandem.production.tests.factories import production_order

    order = production_order(sku="MATRIX")
    return {"production_order_id": order.pk, "operation_id": order.operations.get().pk,
            "component_id": order.components.get().pk}


def _purchasing_world(ids: dict, entity) -> dict:
    """A supplier (its own counterparty) with a price of the catalog's product and a draft purchase order."""
    from decimal import Decimal

    from tandem.catalog.models import Product
    from tandem.finance.models import Invoice
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.purchasing.models import BillMatch, PurchaseOrder, PurchaseOrderLine, SupplierPrice, SupplierProfile
    from tandem.stock.models import Warehouse

    counterparty = CounterpartyFactory(client=ClientFactory(name="Matrix Supplier"), legal_name="Matrix Supplier",
                                       valid_from=datetime.date(2024, 1, 1))
    supplier = SupplierProfile.objects.create(counterparty=counterparty, currency="EUR")
    product = Product.objects.get(pk=ids["product_id"])
    price = SupplierPrice.objects.create(supplier=supplier, product=product, currency="EUR", unit_price=Decimal(4))
    order = PurchaseOrder.objects.create(company=entity, supplier=supplier, owner_id=ids["owner_id"],
                                         warehouse=Warehouse.objects.get(pk=ids["warehouse_id"]), currency="EUR",
                                         order_date=datetime.date(2026, 6, 1), number="PO-MATRIX")
    line = PurchaseOrderLine.objects.create(order=order, product=product, quantity=Decimal(1), unit_price=Decimal(4))
    from tandem.purchasing.models import LandedCost, LandedCostLine

    landed_cost = LandedCost.objects.create(company=entity, date=datetime.date(2026, 6, 2), amount=Decimal(10),
                                            currency="EUR", number="LC-MATRIX")
    LandedCostLine.objects.create(landed_cost=landed_cost, move_id=ids["move_pk"])
    bill = Invoice.objects.create(company=entity, kind=Invoice.Kind.SUPPLIER_BILL, client=counterparty.client,
                                  counterparty=counterparty, invoice_date=datetime.date(2026, 6, 5),
                                  due_date=datetime.date(2026, 7, 5), currency="EUR", supplier_reference="MTX-BILL")
    BillMatch.objects.create(invoice=bill, order=order)
    return {"supplier_id": supplier.pk, "supplier_price_id": price.pk, "purchase_order_id": order.pk,
            "purchase_line_id": line.pk, "line_pk": line.pk, "landed_cost_id": landed_cost.pk, "bill_id": bill.pk}


def _receivables_world(client) -> dict:
    """An overdue invoice of the world's client and one dunning level."""
    from tandem.core.services import default_legal_entity
    from tandem.finance.models import DunningLevel, Invoice

    company = default_legal_entity()
    invoice = Invoice.objects.create(company=company, client=client, status=Invoice.Status.ISSUED, number="MTX-INV-1",
                                     invoice_date=datetime.date(2026, 5, 1), due_date=datetime.date(2026, 5, 15),
                                     currency="EUR", total=10, amount_due=10)
    level = DunningLevel.objects.create(company=company, days_overdue=7, name="Matrix reminder", text="{number}")
    return {"level_id": level.pk, "overdue_invoice_id": invoice.pk}


def _ledger_world() -> dict:
    """Our default legal entity's chart, fiscal year 2026 and one posted entry (June)."""
    from tandem.core.services import default_legal_entity
    from tandem.core.tests.factories import UserFactory
    from tandem.finance import services as finance
    from tandem.finance.models import Account, Journal

    accountant = UserFactory(username="matrix-accountant", role=roles.ACCOUNTANT)
    company = default_legal_entity()
    finance.install_chart_template(company, by=accountant)
    year = finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    bank, capital = (Account.objects.get(company=company, code=code) for code in ("1010", "3000"))
    entry = finance.post_entry(company=company, journal=Journal.objects.get(company=company, code="GEN"),
                               date=datetime.date(2026, 6, 1), by=accountant, lines=[
                                   {"account": bank, "debit": "100.00"}, {"account": capital, "credit": "100.00"}])
    from tandem.finance.budgets import create_budget

    budget = create_budget(company, by=accountant, fiscal_year=year, name="Matrix plan")
    return {"entry_id": entry.pk, "year_id": year.pk, "period_id": entry.period_id, "ledger_account_id": bank.pk,
            "budget_id": budget.pk}


def _invoice_world(ids) -> dict:
    """A draft invoice of the actor's client (made by an accountant) and the shipped tax rates."""
    from decimal import Decimal

    from tandem.core.models import User
    from tandem.finance import services as finance
    from tandem.finance.models import TaxRate
    from tandem.parties.models import Client, Counterparty

    accountant = User.objects.get(username="matrix-accountant")
    invoice = finance.create_invoice(by=accountant, client=Client.objects.get(pk=ids["client_id"]),
                                     counterparty=Counterparty.objects.get(pk=ids["counterparty_id"]),
                                     invoice_date=datetime.date(2026, 6, 2), lines=[
                                         {"description": "Matrix work", "quantity": Decimal(1),
                                          "unit_price": Decimal(10), "tax_percent": Decimal(20)}])
    return {"draft_invoice_id": invoice.pk, "rate_id": TaxRate.objects.order_by("pk").first().pk}


def _banking_world(client, counterparty) -> dict:
    """A bank account, a payment of the world's client and a statement with one line (June)."""
    from tandem.core.models import User
    from tandem.core.services import default_legal_entity
    from tandem.finance.banking import services as banking
    from tandem.finance.banking import statements

    accountant = User.objects.get(username="matrix-accountant")
    company = default_legal_entity()
    account = banking.create_payment_account(company, by=accountant, name="Matrix bank")
    payment = banking.register_payment(company, direction="in", payment_account=account,
                                       date=datetime.date(2026, 6, 1), amount="10.00", client=client,
                                       counterparty=counterparty, by=accountant)
    outcome = statements.import_statement(account, b"date,amount,reference\n2026-06-02,5.00,Matrix\n", by=accountant,
                                          format="csv", csv_options={"mapping": {"date": "date", "amount": "amount",
                                                                                  "reference": "reference"}})
    return {"payment_account_id": account.pk, "payment_id": payment.pk, "statement_id": outcome.statement.pk,
            "line_id": outcome.statement.lines.get().pk, "statement_line_id": outcome.statement.lines.get().pk}


def _invoice_documents_world(client, counterparty, entity) -> int:
    """An issued invoice of the client (its documents are what is downloaded); our entity has no VAT ID here, so
    the e-invoice answers 409 naming it, the PDF renders."""
    from tandem.finance.tests.factories_documents import make_invoice

    return make_invoice(client=client, counterparty=counterparty, company=entity, number="MATRIX-INV-1").pk


def _catalog_world() -> dict:
    from decimal import Decimal

    from tandem.catalog.models import (
        AttributeValue,
        PriceList,
        PriceListItem,
        ProductBarcode,
        UnitConversion,
    )
    from tandem.catalog.tests.factories import CategoryFactory, ProductFactory, UnitFactory

    unit, box = UnitFactory(code="pc"), UnitFactory(code="box")
    product = ProductFactory(sku="MATRIX-1", unit=unit)
    price_list = PriceList.objects.create(name="Matrix list", currency="EUR")
    item = PriceListItem.objects.create(price_list=price_list, product=product, unit_price=Decimal(5))
    conversion = UnitConversion.objects.create(product=product, from_unit=box, to_unit=unit, factor=Decimal(12))
    barcode = ProductBarcode.objects.create(product=product, code="4006381333931")
    from tandem.catalog.models import Attribute

    attribute = Attribute.objects.create(name="Matrix size")
    value = AttributeValue.objects.create(attribute=attribute, value="M")
    return {"product_id": product.pk, "price_list_id": price_list.pk, "item_id": item.pk, "item_pk": item.pk,
            "conversion_id": conversion.pk, "conversion_pk": conversion.pk, "barcode_id": barcode.pk,
            "barcode_pk": barcode.pk, "unit_id": unit.pk, "unit_pk": unit.pk, "attribute_value_id": value.pk,
            "attribute_id": attribute.pk,
            "category_pk": CategoryFactory().pk, **_tax_and_price_group()}


def _tax_and_price_group() -> dict:
    from tandem.catalog.models import PriceGroup, TaxCategory

    tax = TaxCategory.objects.create(name="Matrix tax", rate=8)
    group = PriceGroup.objects.create(name="Matrix group")
    return {"tax_category_id": tax.pk, "taxcategory_pk": tax.pk, "price_group_id": group.pk,
            "pricegroup_pk": group.pk}


def _sales_world(client, counterparty, deal, entity) -> dict:
    """A draft quote and a draft order (one line each) of the world's client."""
    from tandem.catalog.models import Product, Unit
    from tandem.sales.models import Order, OrderLine, Quote, QuoteLine

    unit = Unit.objects.create(code="matrix-pc", name="piece")
    product = Product.objects.create(sku="MATRIX-S1", name="Matrix service", unit=unit, kind=Product.Kind.SERVICE)
    common = {"company": entity, "client": client, "counterparty": counterparty, "deal": deal,
              "owner": client.owner, "currency": "EUR", "number": "MATRIX-1"}
    quote = Quote.objects.create(quote_date=datetime.date(2026, 6, 1), **common)
    order = Order.objects.create(order_date=datetime.date(2026, 6, 1), **common)
    line = {"product": product, "unit": unit, "quantity": 1, "unit_price": 10, "net_amount": 10, "gross_amount": 10}
    return {"quote_id": quote.pk, "order_id": order.pk, "product_id": product.pk,
            "quote_line_id": QuoteLine.objects.create(quote=quote, **line).pk,
            "order_line_id": OrderLine.objects.create(order=order, **line).pk,
            "quote_line_pk": QuoteLine.objects.filter(quote=quote).get().pk,
            "order_line_pk": OrderLine.objects.filter(order=order).get().pk,
            "quantity": 1}  # a line's required decimal string (the body sample takes it from here)


def _shipping_world(ids: dict) -> dict:
    """A shipment (to pick) and a draft customer return of the world's order."""
    from tandem.sales.models import CustomerReturn, Order, ReturnLine, Shipment, ShipmentLine
    from tandem.stock.models import Location, Warehouse

    order = Order.objects.select_related("client").get(pk=ids["order_id"])
    warehouse = Warehouse.objects.create(company=order.company, code="MATRIX", name="Matrix warehouse")
    location = Location.objects.create(warehouse=warehouse, code="M1", is_default=True)
    line = order.lines.get()
    common = {"company": order.company, "order": order, "client": order.client}
    shipment = Shipment.objects.create(warehouse=warehouse, shipment_date=datetime.date(2026, 6, 2), number="SH-M",
                                       **common)
    ShipmentLine.objects.create(shipment=shipment, order_line=line, product=line.product, quantity=1,
                                location=location)
    customer_return = CustomerReturn.objects.create(location=location, return_date=datetime.date(2026, 6, 3),
                                                    number="RT-M", **common)
    ReturnLine.objects.create(customer_return=customer_return, order_line=line, product=line.product, quantity=1)
    return {"shipment_id": shipment.pk, "return_id": customer_return.pk, "location_id": location.pk}


def _stock_world(entity, actor) -> dict:
    """A warehouse with a bin, a lot-tracked product with stock in it, a draft count, an expected receipt."""
    from decimal import Decimal

    from tandem.catalog.models import Product, Unit
    from tandem.stock import queries as stock_queries
    from tandem.stock import services as stock_services

    warehouse = stock_services.create_warehouse(company=entity, code="MTX", name="Matrix store", by=None)
    location = stock_services.create_location(warehouse=warehouse, code="BIN", by=None)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    product = Product.objects.create(sku="MTX-1", name="Matrix item", unit=unit, tracking=Product.Tracking.LOT)
    lot = stock_services.get_or_create_lot(product=product, code="Matrix lot", by=None)
    receipt = stock_services.receive_stock(product=product, quantity=Decimal(5), location=location, lot=lot,
                                           unit_cost=Decimal(2), by=None)
    count = stock_services.create_count(warehouse=warehouse, by=None)
    count_line = stock_services.set_count_line(count, product=product, location=location, lot=lot,
                                               counted=Decimal(4), by=None)
    expected = stock_services.expect_receipt(product=product, warehouse=warehouse, quantity=Decimal(3),
                                             expected_date=datetime.date(2026, 6, 1), by=None)
    return {"warehouse_id": warehouse.pk, "location_id": location.pk, "product_id": product.pk, "lot_id": lot.pk,
            "count_id": count.pk, "line_id": count_line.pk, "expected_id": expected.pk, "move_id": receipt.pk,
            "move_pk": receipt.pk,
            "to_location_id": stock_queries.default_location(warehouse).pk, "from_location_id": location.pk,
            "quantity": "1", "counted": "1"}


# --- Minimal valid request bodies, from the OpenAPI document -----------------------------------------------


def sample(schema: dict, components: dict, ids: dict, name: str = ""):
    if "$ref" in schema:
        return sample(components[schema["$ref"].rsplit("/", 1)[-1]], components, ids, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return sample(options[0], components, ids, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {key: sample(sub, components, ids, key) for key, sub in schema.get("properties", {}).items()
                if key in required}
    if kind == "array":
        return [sample(schema.get("items", {}), components, ids, name.removesuffix("s") + "_id"
                       if name.endswith("_ids") else name)]
    if kind == "integer":
        return ids.get(name) or ids.get(f"{name}_id") or 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-06-01"
    if fmt == "date-time":
        return "2026-06-01T10:00:00Z"
    if fmt == "decimal":
        return "1"
    if fmt == "email" or "email" in name:
        return "matrix@example.com"
    if name == "currency":
        return "EUR"
    if name in ids:
        return str(ids[name])
    return f"Matrix {name}"


def api_operations():
    from tandem.api import api

    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation, components


def operation_request(path: str, method: str, operation: dict, components: dict, ids: dict):
    url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
    query = {p["name"]: sample(p["schema"], components, ids, p["name"]) for p in operation.get("parameters", [])
             if p["in"] == "query" and p.get("required")}
    if query:
        url += "?" + urlencode(query, doseq=True)
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = sample(content["application/json"]["schema"], components, ids)
    return url, body


def request_rolled_back(http: HttpClient, method: str, url: str, body=None):
    """One request whose writes are undone, so every endpoint meets the same world."""
    with transaction.atomic():
        kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
        response = getattr(http, method)(url, **kwargs)
        transaction.set_rollback(True)
    return response


ROLE_CASES = [*roles.ROLES, ANONYMOUS]
# A 1x1 PNG: the world's legal entity has a logo, so its logo page answers 200.
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _actor(make_user, role):
    if role == ANONYMOUS:
        return None
    return make_user(role, username="actor")


def test_every_api_endpoint_and_page_is_classified():
    unclassified = [f"{m.upper()} {p}" for p, m, op, _c in api_operations() if longest_prefix(API_AREAS, p) is None]
    unclassified += [name for name, _pattern in html_pages()
                     if name not in PUBLIC_PAGES and (longest_prefix(PAGE_AREAS, name) is None
                                                      or page_verb(name) is None)]
    assert not unclassified, f"classify these in tests/test_role_matrix.py: {unclassified}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_CASES)
def test_api_answers_each_role_as_the_business_table_says(role, make_user):
    actor = _actor(make_user, role)
    ids = build_world(actor)
    http = HttpClient(raise_request_exception=False)
    if actor:
        from tandem.core.services import create_api_token

        _token, secret = create_api_token(actor, "matrix", by=actor)
        http = HttpClient(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)
    may = MAY[role]
    wrong = []
    for path, method, operation, components in api_operations():
        area = longest_prefix(API_AREAS, path)
        verb = API_VERB_OVERRIDES.get((method, path)) or api_verb(method, operation["operationId"])
        url, body = operation_request(path, method, operation, components, ids)
        response = request_rolled_back(http, method, url, body)
        status = response.status_code
        allowed = verb in may.get(area, NOTHING)
        if actor is None:
            ok = status == 401
        elif allowed:
            ok = status not in (401, 403) and status < 500
        else:
            ok = status in (403, 404)
        if not ok:
            wrong.append(f"{method.upper()} {path} [{area}/{verb}] -> {status} (may: {allowed}) "
                         f"{response.content[:200]!r}")
    assert not wrong, "\n" + "\n".join(wrong)


def html_pages():
    pages = []

    def walk(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin", "api") or str(entry.pattern).startswith("i18n"):
                    continue
                walk(entry, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                pages.append((name, entry))

    walk(get_resolver())
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_CASES)
def test_pages_answer_each_role_as_the_business_table_says(role, make_user):
    from django.urls import reverse

    actor = _actor(make_user, role)
    ids = build_world(actor)
    http = HttpClient(raise_request_exception=False)
    if actor:
        http.force_login(actor)
    may = MAY[role]
    page_ids = {**ids, "pk": None}
    wrong = []
    for name, pattern in html_pages():
        if name in PUBLIC_PAGES:
            continue
        area, verb = longest_prefix(PAGE_AREAS, name), page_verb(name)
        kwargs = {}
        for key in pattern.pattern.regex.groupindex:
            if key == "pk":
                # The record a page's pk names follows from the page's area.
                kwargs[key] = {
                    "clients": ids["client_id"], "contacts": ids["contact_id"],
                    "counterparties": ids["counterparty_id"], "deals": ids["deal_id"], "leads": ids["lead_id"],
                    "marketing": ids["event_id"] if name.startswith("crm:event") else ids["campaign_id"],
                    "event attendance": ids["event_id"], "interactions": ids["interaction_id"],
                    "complaints": ids["complaint_id"], "segments": ids["segment_id"], "tasks": ids["task_id"],
                    "own account": ids["token_id"], "settings": actor_group_id(actor),
                    "users": ids["user_id"], "sources": ids["source_id"], "tags": ids["tag_id"],
                    "sales set-up": ids["lost_reason_id"] if name.startswith("crm:lost-reason")
                    else ids["category_id"],
                    "legal entities": ids["entity_id"],
                    "ledger set-up": ids["payment_account_id"] if name.startswith("finance:payment-account")
                    else ids["ledger_account_id"], "bookkeeping": ids["entry_id"],
                    "payments": ids["invoice_id"] if name == "finance:invoice-apply-credit" else ids["payment_id"],
                    "bank statements": ids["statement_line_id"] if name.startswith("finance:statement-line")
                    else ids["statement_id"],
                    "ledger": ids["budget_id"],
                    "period closing": ids["year_id"] if name.startswith("finance:fiscal-year") else ids["period_id"],
                    "products": ids["product_id"], "price lists": ids["price_list_id"],
                    "quotes": ids["quote_id"], "sales orders": ids["order_id"],
                    "shipments": ids["shipment_id"], "shipping steps": ids["shipment_id"],
                    "customer returns": ids["return_id"],
                    "invoices": ids["order_id"] if name == "sales:order-invoice"
                    else ids["shipment_id"] if name == "sales:shipment-invoice" else ids["draft_invoice_id"],
                    "invoice issuing": ids["return_id"] if name == "sales:return-credit"
                    else ids["bill_id"] if name == "purchasing:bill-issue" else ids["draft_invoice_id"],
                    "invoice documents": ids["invoice_id"],
                    "warehouses": ids["location_id"] if name.startswith("stock:location")
                    else ids["warehouse_id"],
                    "stock": ids["count_id"],
                    "purchase orders": ids["purchase_order_id"], "purchase approvals": ids["purchase_order_id"],
                    "receipts": ids["purchase_order_id"], "suppliers": ids["supplier_id"],
                    "bills of materials": ids["bom_id"], "work centres": ids["work_centre_id"],
                    "landed costs": ids["landed_cost_id"], "landed cost allocation": ids["landed_cost_id"],
                    "supplier bills": ids["purchase_order_id"] if name == "purchasing:order-bill" else ids["bill_id"],
                    "bill differences": ids["bill_id"], "purchasing settings": ids["entity_id"],
                    "production orders": ids["production_order_id"],
                    "planning": ids["product_id"],  # a product's planning parameters
                }[area]
            else:
                kwargs[key] = page_ids[key]
        url = reverse(name, kwargs=kwargs)
        response = request_rolled_back(http, "get", url)
        if response.status_code == 405:
            response = request_rolled_back(http, "post", url, None)
        status = response.status_code
        allowed = verb in may.get(area, NOTHING)
        if actor is None:
            ok = status == 302 and "/account/login/" in response["Location"]
        elif allowed:
            ok = status not in (401, 403, 404) and status < 500
            if status == 302:
                ok = "/account/login/" not in response["Location"]
        else:
            ok = status in (403, 404)
        if not ok:
            wrong.append(f"{name} {url} [{area}/{verb}] -> {status} (may: {allowed})")
    assert not wrong, "\n" + "\n".join(wrong)


def actor_group_id(actor) -> int:
    from django.contrib.auth.models import Group

    return Group.objects.order_by("pk").values_list("pk", flat=True).first() or 1


# --- Record rules: a representative's colleague's records do not exist for them, through any endpoint ---------

# Path parameters that name a record owned by (or filed under a client of) someone.
OWNED_RECORD_PARAMETERS = {"client_id", "counterparty_id", "account_id", "contact_id", "deal_id", "lead_id",
                           "interaction_id", "complaint_id", "task_id", "shipment_id", "return_id", "payment_id",
                           "invoice_id"}


@pytest.mark.django_db
def test_no_endpoint_reaches_a_colleagues_records(make_user):
    from tandem.core.services import create_api_token

    representative = make_user(roles.SALES_REPRESENTATIVE, username="rep-a")
    colleague = make_user(roles.SALES_REPRESENTATIVE, username="rep-b")
    ids = build_world(colleague)
    _token, secret = create_api_token(representative, "matrix", by=representative)
    http = HttpClient(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)
    reached = []
    checked = 0
    for path, method, operation, components in api_operations():
        if not OWNED_RECORD_PARAMETERS & set(re.findall(r"\{(\w+)\}", path)):
            continue
        checked += 1
        url, body = operation_request(path, method, operation, components, ids)
        status = request_rolled_back(http, method, url, body).status_code
        if status not in (403, 404):
            reached.append(f"{method.upper()} {path} -> {status}")
    assert checked > 30
    assert not reached, "\n" + "\n".join(reached)
