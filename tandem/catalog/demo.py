"""The catalogue part of the demo data set: units (pc, box, kg, g, h), tax categories, a category tree,
~30 products and services (a T-shirt template with size × colour variants, pumps tracked by serial number,
lubricants tracked by lot, seals sold by the box of 12), price groups Retail and Wholesale, and price lists
in EUR and PLN for this year, the wholesale ones with quantity breaks (≥ 10, ≥ 100 with −5 %).

Created through catalog.services (audited like real work). Deterministic: one random.Random seeded from
`seed`; validity dates follow the year of loading. Idempotent: nothing happens when the T-shirt exists."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from stdnum import ean

from tandem.catalog import services
from tandem.catalog.models import Product, Unit
from tandem.core.models import User

TEMPLATE_SKU = "TSHIRT"
PLN_PER_EUR = Decimal("4.30")

# (sku, name, category, unit, kind, tracking, EUR retail price, tax, sale unit)
PRODUCTS = [
    ("PUMP-G100", "Garden pump G100", "Garden pumps", "pc", "goods", "none", "89.00", "Standard", None),
    ("PUMP-G200", "Garden pump G200", "Garden pumps", "pc", "goods", "none", "129.00", "Standard", None),
    ("PUMP-G300", "Garden pump G300 with pressure tank", "Garden pumps", "pc", "goods", "none", "219.00",
     "Standard", None),
    ("PUMP-S50", "Submersible pump S50", "Garden pumps", "pc", "goods", "none", "149.00", "Standard", None),
    ("PUMP-I400", "Industrial pump I400", "Industrial pumps", "pc", "goods", "serial", "1890.00", "Standard", None),
    ("PUMP-I600", "Industrial pump I600", "Industrial pumps", "pc", "goods", "serial", "2740.00", "Standard", None),
    ("PUMP-I900", "Industrial pump I900 (ATEX)", "Industrial pumps", "pc", "goods", "serial", "4980.00",
     "Standard", None),
    ("MOTOR-2K", "Electric motor 2.2 kW", "Spare parts", "pc", "goods", "serial", "410.00", "Standard", None),
    ("IMPELLER-100", "Impeller for G100/G200", "Spare parts", "pc", "goods", "none", "24.50", "Standard", None),
    ("HOSE-25", "Pressure hose 25 mm", "Spare parts", "pc", "goods", "none", "18.90", "Standard", None),
    ("SEAL-10", "Shaft seal 10 mm", "Seals", "pc", "goods", "none", "2.40", "Standard", "box"),
    ("SEAL-20", "Shaft seal 20 mm", "Seals", "pc", "goods", "none", "3.10", "Standard", "box"),
    ("ORING-SET", "O-ring set", "Seals", "pc", "goods", "lot", "12.00", "Standard", None),
    ("OIL-HYD", "Hydraulic oil HLP 46", "Lubricants", "kg", "goods", "lot", "6.80", "Standard", None),
    ("GREASE-LI", "Lithium grease", "Lubricants", "kg", "goods", "lot", "14.20", "Standard", None),
    ("CLEANER-BIO", "Biodegradable pump cleaner", "Lubricants", "kg", "goods", "lot", "9.90", "Standard", None),
    ("FILTER-C", "Cartridge filter", "Filters", "pc", "goods", "lot", "7.50", "Standard", None),
    ("FILTER-SAND", "Sand filter medium", "Filters", "kg", "goods", "lot", "1.20", "Reduced", None),
    ("MANUAL-PRINT", "Printed service manual", "Spare parts", "pc", "goods", "none", "15.00", "Reduced", None),
    ("SRV-INSTALL", "Installation on site", "Services", "h", "service", "none", "65.00", "Standard", None),
    ("SRV-VISIT", "Service visit", "Services", "pc", "service", "none", "120.00", "Standard", None),
    ("SRV-TRAINING", "Operator training", "Services", "h", "service", "none", "80.00", "Standard", None),
    ("SRV-SHIPPING", "Freight", "Services", "pc", "service", "none", "35.00", "Standard", None),
]
TREE = {"Pumps": ["Garden pumps", "Industrial pumps"], "Parts and consumables": ["Spare parts", "Seals",
        "Lubricants", "Filters"], "Apparel": [], "Services": []}


def _barcode(rng: random.Random) -> str:
    stem = "590" + "".join(str(rng.randrange(10)) for _ in range(9))  # 590: a Polish GS1 prefix
    return stem + ean.calc_check_digit(stem)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def build_catalog_demo(*, seed: int, scale: float = 1.0) -> list[str]:
    if Product.objects.filter(sku=TEMPLATE_SKU).exists():
        return []
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return []
    rng = random.Random(seed * 7 + 13)
    year = timezone.localdate().year
    with transaction.atomic():
        units = {}
        for code, name, step in [("pc", "piece", "1"), ("box", "box", "1"), ("kg", "kilogram", "0.001"),
                                 ("g", "gram", "1"), ("h", "hour", "0.25")]:
            units[code] = Unit.objects.filter(code=code).first() or services.create_unit(
                by=admin, code=code, name=name, step=Decimal(step))
        services.create_unit_conversion(by=admin, from_unit=units["kg"], to_unit=units["g"], factor=Decimal(1000))
        taxes = {name: services.create_tax_category(by=admin, name=name, rate=Decimal(rate))
                 for name, rate in [("Standard", 23), ("Reduced", 8), ("Zero", 0)]}
        categories = {}
        for parent_name, children in TREE.items():
            parent = categories[parent_name] = services.create_category(by=admin, name=parent_name)
            for child in children:
                categories[child] = services.create_category(by=admin, name=child, parent=parent)

        prices: dict[Product, Decimal] = {}
        for sku, name, category, unit, kind, tracking, price, tax, sale_unit in PRODUCTS:
            product = services.create_product(
                by=admin, sku=sku, name=name, unit=units[unit], kind=kind, tracking=tracking,
                category=categories[category], tax_category=taxes[tax],
                sale_unit=units[sale_unit] if sale_unit else None,
                barcodes=[_barcode(rng)] if kind == "goods" and unit == "pc" else [])
            if sale_unit == "box":
                services.create_unit_conversion(by=admin, product=product, from_unit=units["box"],
                                                to_unit=units["pc"], factor=Decimal(12))
            prices[product] = Decimal(price)

        template = services.create_product(by=admin, sku=TEMPLATE_SKU, name="T-shirt with logo", unit=units["pc"],
                                           category=categories["Apparel"], tax_category=taxes["Standard"])
        size = services.create_attribute(by=admin, name="Size", values=["S", "M", "L", "XL"])
        colour = services.create_attribute(by=admin, name="Colour", values=["White", "Navy"])
        variants = services.generate_variants(template, by=admin,
                                              attribute_values=[*size.values.all(), *colour.values.all()])
        for variant in variants:
            services.add_barcode(variant, by=admin, code=_barcode(rng))
        prices[template] = Decimal("14.90")  # variants inherit the template's price

        services.create_price_group(by=admin, name="Retail")  # for clients' records; Retail lists are for all
        wholesale = services.create_price_group(by=admin, name="Wholesale")
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        lists = []
        for currency, rate in [("EUR", Decimal(1)), ("PLN", PLN_PER_EUR)]:
            general = services.create_price_list(by=admin, name=f"Retail {currency} {year}", currency=currency,
                                                 valid_from=start, valid_to=end)
            trade = services.create_price_list(by=admin, name=f"Wholesale {currency} {year}", currency=currency,
                                               price_group=wholesale, valid_from=start, valid_to=end)
            lists += [general, trade]
            for product, price in prices.items():
                local = _money(price * rate)
                services.set_price_list_item(general, by=admin, product=product, unit_price=local)
                if product.kind == "service":
                    continue
                services.set_price_list_item(trade, by=admin, product=product,
                                             unit_price=_money(local * Decimal("0.85")))
                services.set_price_list_item(trade, by=admin, product=product, min_quantity=Decimal(10),
                                             unit_price=_money(local * Decimal("0.80")))
                services.set_price_list_item(trade, by=admin, product=product, min_quantity=Decimal(100),
                                             unit_price=_money(local * Decimal("0.80")), discount_percent=Decimal(5))
    products = Product.objects.count()
    return [f"Catalogue: {products} products and services ({len(variants)} T-shirt variants), "
            f"{len(lists)} price lists valid in {year} (EUR, PLN; Retail for everyone, Wholesale with breaks)."]
