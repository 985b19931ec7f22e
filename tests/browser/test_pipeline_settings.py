"""The sales manager keeps the pipeline in the app, not in the Django admin: renames a stage, moves it up
and relabels a checklist item on the pipeline settings page. On a 390 px phone the page does not scroll
sideways and the same forms work."""

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_renames_moves_and_relabels(page, log_in_as, make_user):
    from tandem.crm.models import Stage, StageRule
    from tandem.crm.services import deals as services

    manager = make_user(roles.SALES_MANAGER, username="mara", first_name="Mara", last_name="Boss")
    sales = services.ensure_default_pipeline()
    proposal = sales.stages.get(name="Proposal")
    item = StageRule.objects.get(stage__pipeline=sales, label="Needs identified")
    log_in_as(manager)

    page.goto("/crm/pipelines/")
    row = page.locator(f"#stage-{proposal.pk}")
    row.get_by_label("Name of stage “Proposal”").fill("Offer")
    row.locator("form.stage-name-form").get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Stage renamed to “Offer”.")).to_be_visible()
    row = page.locator(f"#stage-{proposal.pk}")
    expect(row.get_by_label("Name of stage “Offer”")).to_have_value("Offer")
    expect(row.locator("td").first).to_have_text("3")

    row.get_by_role("button", name="Move “Offer” up").click()
    expect(page.get_by_text("Stage “Offer” is number 2 now.")).to_be_visible()
    names = page.locator("tbody tr[data-stage]")
    expect(names).to_have_count(5)
    assert [names.nth(i).get_attribute("data-stage") for i in range(3)] == ["Qualification", "Offer",
                                                                          "Needs analysis"]
    expect(page.locator(f"#stage-{proposal.pk} td").first).to_have_text("2")
    assert list(Stage.objects.filter(pipeline=sales).order_by("position").values_list("position", flat=True)) \
        == [1, 2, 3, 4, 5]

    # A name another stage has is refused inside the row, with what was typed kept.
    row = page.locator(f"#stage-{proposal.pk}")
    row.get_by_label("Name of stage “Offer”").fill("closing")
    row.locator("form.stage-name-form").get_by_role("button", name="Rename").click()
    expect(page.locator(f"#stage-{proposal.pk} [role=alert]")).to_contain_text(
        "Pipeline “Sales” has a stage “closing” already.")
    expect(page.locator(f"#stage-{proposal.pk} input[name=name]")).to_have_value("closing")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/crm/pipelines/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rule = page.locator(f"#rule-{item.pk}")
    rule.get_by_label("Label of checklist item “Needs identified”").fill("Needs written down")
    rule.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Checklist item “Needs written down” saved.")).to_be_visible()
    expect(page.locator(f"#rule-{item.pk} input[name=label]")).to_have_value("Needs written down")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    item.refresh_from_db()
    assert item.label == "Needs written down"
