"""An administrator keeps the reference lists (issue #12): lost reasons, complaint categories, sources and tags.
She adds, renames, deactivates or archives entries on their settings pages, and the lists the sales team picks
from follow: the new lost reason is offered in a deal's "Lost…" dialog (the deactivated one is not), the new
complaint category in the complaint form (the archived one is not), the renamed source in the deal form, and the
client card shows the renamed tag. On a 390 px phone too, where no settings page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _row(page, name: str):
    """The settings table's row whose name field holds `name`."""
    return page.locator("tbody tr").filter(has=page.locator(f'input[name=name][value="{name}"]'))


def _add(page, name: str) -> None:
    form = page.locator("#add-form")
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Add").click()
    expect(_row(page, name)).to_be_visible()


def _rename(page, old: str, new: str) -> None:
    row = _row(page, old)
    row.locator("input[name=name]").fill(new)
    row.get_by_role("button", name="Rename").click()
    expect(_row(page, new)).to_be_visible()
    expect(_row(page, old)).to_have_count(0)


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], page.url


def _options(page, select) -> list[str]:
    return [text.strip() for text in select.locator("option").all_text_contents()]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.django_db(transaction=True)
def test_administrator_keeps_the_reference_lists_and_the_team_picks_from_them(page, log_in_as, make_user,
                                                                              viewport):
    from django.contrib.auth.models import Group

    from tandem.crm.services import deals as deal_services
    from tandem.parties.models import Tag
    from tandem.parties.tests.factories import ClientFactory

    page.set_viewport_size(viewport)
    admin = make_user(roles.ADMINISTRATOR, username="anja", first_name="Anja", last_name="Berg")
    admin.groups.add(Group.objects.get(name=roles.SALES_MANAGER))  # owns the client and deal: owners are sales users
    client = ClientFactory(owner=admin, name="Havel Bau")
    client.tags.add(Tag.objects.create(name="vip"))
    deal_services.ensure_default_pipeline()
    deal = deal_services.create_deal(by=admin, client=client, title="Cranes", amount="900")
    log_in_as(admin)

    # Lost reasons: two new ones, a typo put right, one no longer offered.
    page.goto("/crm/settings/lost-reasons/")
    expect(page.locator("h1")).to_have_text("Lost reasons")
    _add(page, "Budget frozen")
    _add(page, "Too expensve")
    _rename(page, "Too expensve", "Too expensive")
    _add(page, "Went quiet")
    _row(page, "Went quiet").get_by_role("button", name="Deactivate").click()
    expect(page.locator("main")).to_contain_text("Lost reason “Went quiet” is no longer offered.")
    expect(_row(page, "Went quiet")).to_contain_text("inactive")
    expect(_row(page, "Budget frozen")).to_contain_text("in use")
    _fits(page, viewport)

    # Complaint categories: one added, one archived (it leaves the list until archived ones are shown).
    page.goto("/crm/settings/complaint-categories/")
    _add(page, "Late delivery")
    _add(page, "Packaging")
    _row(page, "Packaging").get_by_role("button", name="Archive").click()
    expect(page.locator("main")).to_contain_text("Category “Packaging” archived.")
    expect(_row(page, "Packaging")).to_have_count(0)
    page.get_by_role("link", name="Show archived").click()
    expect(_row(page, "Packaging")).to_contain_text("archived")
    _fits(page, viewport)

    # Sources: a new one, renamed. Tags: the client's tag renamed.
    page.goto("/settings/sources/")
    _add(page, "Trade fair")
    _rename(page, "Trade fair", "Trade fair 2026")
    _fits(page, viewport)
    page.goto("/settings/tags/")
    _rename(page, "vip", "Key account")
    expect(_row(page, "Key account")).to_contain_text("1")
    _fits(page, viewport)

    # The client card shows the tag's new name.
    page.goto(f"/clients/{client.pk}/")
    expect(page.locator("main")).to_contain_text("Key account")

    # The deal form offers the renamed source.
    page.goto(f"/crm/deals/{deal.pk}/edit/")
    sources = _options(page, page.locator("select[name=source]"))
    assert "Trade fair 2026" in sources and "Trade fair" not in sources, sources

    # The deal's "Lost…" dialog offers the active reasons under their new names, not the deactivated one.
    page.goto(f"/crm/deals/{deal.pk}/")
    page.locator("[data-action=lose] summary").click()
    reasons = page.locator("[data-action=lose] select[name=lost_reason]")
    expect(reasons).to_be_visible()
    offered = _options(page, reasons)
    assert {"Budget frozen", "Too expensive"} <= set(offered), offered
    assert "Went quiet" not in offered and "Too expensve" not in offered, offered
    reasons.select_option(label="Too expensive")
    page.get_by_role("button", name="Mark lost").click()
    expect(page.locator("main dl.fields")).to_contain_text("Too expensive")
    _fits(page, viewport)

    # The complaint form offers the new category, not the archived one.
    page.goto(f"/crm/complaints/new/?client={client.pk}")
    categories = page.locator("select[name=category]")
    expect(categories).to_be_visible()
    offered = _options(page, categories)
    assert "Late delivery" in offered and "Packaging" not in offered, offered
    _fits(page, viewport)
