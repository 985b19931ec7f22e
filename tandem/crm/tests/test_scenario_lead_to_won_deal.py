"""Story: a visitor at a trade fair becomes a lead, is qualified into a client and a deal, and the deal is won.
The attribution report follows the money: leads, deals, won deals, amount and cost per won deal."""

import datetime
from decimal import Decimal

from tandem.crm.models import Deal, Lead
from tandem.crm.reports.attribution import attribution_report
from tandem.crm.services import attribution, deals, leads
from tandem.crm.tests.factories import PipelineFactory
from tandem.parties.services import create_source


def test_lead_from_an_exhibition_to_a_won_deal(sales_manager, sales_rep):
    PipelineFactory(name="Sales", is_default=True)

    # Marketing plans the Hannover fair: 4,500.00 EUR, under the exhibitions channel.
    fairs = create_source(by=sales_manager, name="Exhibitions", channel="exhibition")
    campaign = attribution.create_campaign(by=sales_manager, name="Industrial spring 2025", source=fairs,
                                           starts_on=datetime.date(2025, 3, 1), cost="0")
    fair = attribution.create_event(by=sales_manager, name="Hannover Messe", starts_on=datetime.date(2025, 3, 31),
                                    ends_on=datetime.date(2025, 4, 4), cost="4500.00", campaign=campaign,
                                    responsible=sales_manager)
    assert fair.source == fairs

    # At the stand the representative takes a business card.
    lead = leads.create_lead(by=sales_rep, name="Lena Berg", company_name="Berg Pumpen GmbH",
                             email="lena.berg@berg-pumpen.example", phone="+49 511 1234567", event=fair)
    assert (lead.source, lead.campaign, lead.event) == (fairs, campaign, fair)

    # Back at the office the lead is qualified: no such client yet, so one is created.
    lead = leads.qualify_lead(lead, by=sales_rep, deal_title="Berg: 40 pumps", amount=Decimal("18750.50"),
                              currency="EUR")
    assert lead.status == Lead.Status.QUALIFIED
    client = lead.client
    assert (client.name, client.first_source, client.phone) == ("Berg Pumpen GmbH", fairs, "")
    # Lena is the company's contact person, with her card's phone and email, and the deal's contact.
    deal = lead.deal
    assert (deal.source, deal.campaign, deal.event, deal.status) == (fairs, campaign, fair, Deal.Status.OPEN)
    assert (deal.contact.full_name, deal.contact.phone, deal.contact.email) == (
        "Lena Berg", "+495111234567", "lena.berg@berg-pumpen.example")

    # The report shows the fair brought one lead and one open deal.
    (row,) = [r for r in attribution_report("event") if r.key == fair.pk]
    assert (row.leads, row.deals, row.won_deals) == (1, 1, 0)
    assert row.costs == {"EUR": Decimal("4500.00")}
    assert row.cost_per_won_deal == {"EUR": None}

    # A second visitor turns out to be a student: disqualified, still counted as a lead of the fair.
    student = leads.create_lead(by=sales_rep, name="Tim Student", email="tim@uni.example", event=fair)
    leads.disqualify_lead(student, by=sales_rep, reason="Student, no purchasing power")

    # The deal is won.
    deals.win_deal(deal, by=sales_rep)

    (row,) = [r for r in attribution_report("event") if r.key == fair.pk]
    assert (row.leads, row.deals, row.won_deals) == (2, 1, 1)
    assert row.won_amounts == {"EUR": Decimal("18750.50")}
    assert row.cost_per_lead == {"EUR": Decimal("2250.00")}
    assert row.cost_per_won_deal == {"EUR": Decimal("4500.00")}

    (source_row,) = [r for r in attribution_report("source") if r.key == fairs.pk]
    assert (source_row.leads, source_row.won_deals, source_row.won_amounts) == (2, 1, {"EUR": Decimal("18750.50")})
    (campaign_row,) = [r for r in attribution_report("campaign") if r.key == campaign.pk]
    assert campaign_row.costs == {"EUR": Decimal("4500.00")}  # the campaign's own 0 plus its fair
