"""A planner makes a bill of materials: a new version of a table chosen with the searchable product picker, two
components picked the same way (one with scrap), an operation on a work centre; the product page then shows the
version in force and the component's page where it is used. On a 390 px phone nothing scrolls sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def furniture(db):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.production.models import WorkCentre

    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    WorkCentre.objects.create(company=company, code="ASM", name="Assembly", hourly_cost=Decimal(36))
    return {sku: Product.objects.create(sku=sku, name=name, unit=unit) for sku, name in (
        ("TABLE-9", "Oak dining table"), ("TOP-9", "Oak table top"), ("LEG-9", "Beech table leg"))}


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _pick(page, scope, field, text, option_text):
    page.locator(f"{scope} [data-picker={field}] [data-picker-search]").fill(text)
    option = page.locator(f"{scope} [data-picker={field}] [role=option]", has_text=option_text)
    expect(option).to_be_visible()
    option.click()


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_planner_makes_a_bom_and_sees_it_on_the_product_page(page, log_in_as, make_user, furniture, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.PRODUCTION, username="pia", first_name="Pia", last_name="Planner"))
    page.goto("/production/boms/", timeout=60_000)
    _fits(page, width)
    page.get_by_role("button", name="New BOM").click()
    _pick(page, "form", "product", "dining", "TABLE-9 Oak dining table")
    page.locator("#id_code").fill("v1")
    page.locator("#id_valid_from").fill(datetime.date(2026, 1, 1).isoformat())
    _fits(page, width)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="BOM TABLE-9")).to_be_visible()

    _pick(page, "#add-line", "component", "top", "TOP-9 Oak table top")
    page.locator("#add-line").get_by_label("Quantity").fill("1")
    page.locator("#add-line").get_by_role("button", name="Add component").click()
    expect(page.locator("[data-testid=bom-lines]")).to_contain_text("TOP-9")
    _pick(page, "#add-line", "component", "beech", "LEG-9 Beech table leg")
    page.locator("#add-line").get_by_label("Quantity").fill("4")
    page.locator("#add-line").get_by_label("Scrap %").fill("5")
    page.locator("#add-line").get_by_role("button", name="Add component").click()
    expect(page.locator("[data-testid=bom-lines]")).to_contain_text("LEG-9")

    form = page.locator("#add-operation")
    form.get_by_label("Operation").fill("Assemble the table")
    form.get_by_label("Work centre").select_option(label="ASM Assembly")
    form.get_by_label("Minutes per unit").fill("30")
    form.get_by_label("Set-up minutes").fill("10")
    form.get_by_role("button", name="Add operation").click()
    expect(page.locator("[data-testid=bom-operations]")).to_contain_text("Assembly")
    _fits(page, width)

    page.locator("#doc-actions").get_by_role("button", name="Explosion and cost").click()
    expect(page.locator("[data-testid=explosion]")).to_contain_text("LEG-9")
    expect(page.locator("[data-testid=explosion]")).to_contain_text("4.2106")  # 4 / 0.95, rounded up
    expect(page.locator("[data-testid=total-cost]")).to_contain_text("24.00")  # 40 minutes at 36 an hour
    _fits(page, width)

    page.goto(f"/catalog/products/{furniture['TABLE-9'].pk}/")
    boms = page.locator("[data-testid=product-boms]")
    expect(boms).to_contain_text("v1")
    expect(boms).to_contain_text("In force")
    _fits(page, width)
    page.goto(f"/catalog/products/{furniture['LEG-9'].pk}/")
    expect(page.locator("[data-testid=product-where-used]")).to_contain_text("TABLE-9")
    _fits(page, width)
