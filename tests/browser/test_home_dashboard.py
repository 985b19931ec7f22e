"""The sales manager sets rep1's monthly target on the targets page (saved in place with htmx); the home page
then shows rep1's won amount against it. On a 390 px wide phone the home page does not scroll sideways."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_sets_a_target_and_sees_it_on_home(page, log_in_as, make_user):
    from tandem.core.services import get_company
    from tandem.crm.models import Deal, Pipeline
    from tandem.crm.services import deals as services
    from tandem.parties.tests.factories import ClientFactory

    company = get_company()
    company.base_currency = "EUR"
    company.save()
    manager = make_user(roles.SALES_MANAGER, username="mara", first_name="Mara", last_name="Boss")
    rep = make_user(roles.SALES_REPRESENTATIVE, username="rep1", first_name="Rita", last_name="Kern")
    services.ensure_default_pipeline()
    Pipeline.objects.update(win_rules=Pipeline.WinRules.CURRENT)  # won from its first stage, whose rules hold
    deal = services.create_deal(by=rep, client=ClientFactory(owner=rep, name="Havel Bau"), title="Cranes",
                                amount=Decimal("1500.00"))
    services.win_deal(deal, by=rep)
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.WON
    log_in_as(manager)

    # Mara opens the targets page for this month and gives Rita 2,000.00.
    page.goto("/crm/targets/")
    row = page.locator(f"#target-row-{rep.pk}")
    row.get_by_label("Target of Rita Kern").fill("2000")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#target-row-{rep.pk}").get_by_role("status")).to_have_text("Saved")
    month = timezone.localdate().replace(day=1)
    assert rep.sales_targets.get(month=month).amount == Decimal("2000")

    # On the home page Rita's row shows 1,500.00 won against 2,000.00: 75 %.
    page.goto("/")
    won_row = page.locator(f"#team-won tr[data-user='{rep.pk}']")
    expect(won_row.locator(".won-this")).to_contain_text("1,500.00")
    expect(won_row.locator(".target")).to_contain_text("2,000.00")
    expect(won_row.locator(".percent")).to_have_text("75 %")
    # The won amount opens the deal list with exactly that deal.
    won_row.locator(".won-this a").click()
    expect(page.locator("#deal-table tbody tr")).to_have_count(1)
    expect(page.locator("#deal-table")).to_contain_text("Cranes")

    # On a phone nothing scrolls sideways, on the home page or on the targets page.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/", "/crm/targets/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    # An older month keeps its own (empty) target.
    previous = (month - datetime.timedelta(days=1)).strftime("%Y-%m")
    page.goto(f"/crm/targets/?month={previous}")
    expect(page.locator(f"#target-row-{rep.pk} input[name='amount']")).to_have_value("")
