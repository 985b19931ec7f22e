"""A generic chart of accounts (a small business, accrual accounting). Installed per legal entity by
finance.services.install_chart_template and editable afterwards. Rows: code, name, type, subtype, group code."""

from django.utils.translation import gettext_lazy as _

A, L, E, IN, X = "asset", "liability", "equity", "income", "expense"

ACCOUNTS = [
    ("1", _("Assets"), A, "", None),
    ("10", _("Cash and bank"), A, "", "1"),
    ("1000", _("Cash"), A, "cash", "10"),
    ("1010", _("Bank account"), A, "bank", "10"),
    ("11", _("Receivables"), A, "", "1"),
    ("1100", _("Trade receivables"), A, "receivable", "11"),
    ("1150", _("Input VAT"), A, "tax", "11"),
    ("12", _("Inventory"), A, "", "1"),
    ("1200", _("Goods for resale"), A, "inventory", "12"),
    ("1210", _("Raw materials"), A, "inventory", "12"),
    ("1220", _("Work in progress"), A, "work_in_progress", "12"),
    ("1230", _("Finished goods"), A, "inventory", "12"),
    ("15", _("Fixed assets"), A, "", "1"),
    ("1500", _("Equipment"), A, "fixed_asset", "15"),
    ("1590", _("Accumulated depreciation"), A, "fixed_asset", "15"),
    ("2", _("Liabilities"), L, "", None),
    ("2000", _("Trade payables"), L, "payable", "2"),
    ("2100", _("Output VAT"), L, "tax", "2"),
    ("2200", _("Wages payable"), L, "", "2"),
    ("2300", _("Goods received not invoiced"), L, "goods_received", "2"),
    ("2310", _("Landed costs to allocate"), L, "landed_cost_clearing", "2"),
    ("2500", _("Loans"), L, "loan", "2"),
    ("3", _("Equity"), E, "", None),
    ("3000", _("Share capital"), E, "", "3"),
    ("3100", _("Retained earnings"), E, "retained_earnings", "3"),
    ("4", _("Income"), IN, "", None),
    ("4000", _("Sales of goods"), IN, "sales", "4"),
    ("4100", _("Sales of services"), IN, "sales", "4"),
    ("4900", _("Other income"), IN, "", "4"),
    ("5", _("Cost of sales"), X, "", None),
    ("5000", _("Cost of goods sold"), X, "cogs", "5"),
    ("5100", _("Inventory adjustments"), X, "stock_adjustment", "5"),
    ("5200", _("Production variances"), X, "production_variance", "5"),
    ("5210", _("Labour and overhead absorbed"), X, "production_absorption", "5"),
    ("5300", _("Purchase price variances"), X, "price_variance", "5"),
    ("6", _("Operating expenses"), X, "", None),
    ("6000", _("Wages and salaries"), X, "operating_expense", "6"),
    ("6100", _("Rent"), X, "operating_expense", "6"),
    ("6200", _("Office supplies"), X, "operating_expense", "6"),
    ("6300", _("Travel"), X, "operating_expense", "6"),
    ("6400", _("Depreciation"), X, "operating_expense", "6"),
    ("7", _("Financial items"), X, "", None),
    ("7000", _("Bank charges"), X, "financial", "7"),
    ("7100", _("Exchange differences"), X, "financial", "7"),
    ("7200", _("Interest"), X, "financial", "7"),
]

JOURNALS = [
    ("SAL", _("Sales"), "sales"),
    ("PUR", _("Purchases"), "purchase"),
    ("BNK", _("Bank"), "bank"),
    ("CSH", _("Cash"), "cash"),
    ("GEN", _("General"), "general"),
    ("STK", _("Stock"), "stock"),
]
