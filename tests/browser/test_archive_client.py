"""A client that has gone quiet is archived from its card: it leaves the client list, the Archived filter
finds it again, and it is restored. Deleting a client with deals is refused on the page, nothing deleted."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


def test_manager_archives_a_client_finds_it_under_archived_and_restores_it(page, log_in_as, make_user):
    from tandem.crm.services import deals as deal_services
    from tandem.parties.tests.factories import ClientFactory

    manager = make_user(roles.SALES_MANAGER, username="markus", first_name="Markus", last_name="Brandt")
    quiet = ClientFactory(name="Stille Wasser GmbH", owner=manager)
    ClientFactory(name="Laute Werke AG", owner=manager)
    deal_services.ensure_default_pipeline()
    deal_services.create_deal(by=manager, client=quiet, title="Old pumps")
    log_in_as(manager)

    # Deleting is refused: the client has a deal. The page says so and offers archiving.
    page.goto("/clients/")
    page.get_by_role("link", name="Stille Wasser GmbH").click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    card_url = page.url
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("is used by 1 deal")

    # Markus archives it instead, from the card.
    page.goto(card_url)
    page.get_by_role("button", name="Archive", exact=True).click()
    expect(page).to_have_url(card_url)
    expect(page.locator("#archived-badge")).to_have_text("Archived")

    # It is gone from the client list ...
    page.goto("/clients/")
    table = page.locator("#client-table")
    expect(table).to_contain_text("Laute Werke AG")
    expect(table).not_to_contain_text("Stille Wasser GmbH")

    # ... and the Archived filter shows it.
    page.locator("select[name=archived]").select_option("true")
    expect(table).to_contain_text("Stille Wasser GmbH")
    expect(table).not_to_contain_text("Laute Werke AG")

    # Restored, it is back in the list.
    table.get_by_role("link", name="Stille Wasser GmbH").click()
    page.get_by_role("button", name="Restore", exact=True).click()
    expect(page.locator("#archived-badge")).to_have_count(0)
    page.goto("/clients/")
    expect(page.locator("#client-table")).to_contain_text("Stille Wasser GmbH")
