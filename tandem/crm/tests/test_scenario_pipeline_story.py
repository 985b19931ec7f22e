"""Story: a qualified lead's deal is led through the default pipeline. The manager's rules stop it twice
until the work is done; it is won. A second deal is lost at "Proposal", and the lost-at-stage report says
where it was lost and how long the deals stayed in each stage."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, DealStageVisit, Lead, LostReason, StageRule
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.reports.deals import lost_at_stage
from tandem.crm.services import deals, leads


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def checklist_rule(st, label):
    return st.rules.get(kind=StageRule.Kind.CHECKLIST, label=label)


def test_deal_through_stage_rules_to_won_and_a_lost_deal_in_the_report(sales_manager, sales_rep):
    pipeline = deals.ensure_default_pipeline(by=sales_manager)
    assert [s.name for s in pipeline.stages.order_by("position")] == [
        "Qualification", "Needs analysis", "Proposal", "Negotiation", "Closing"]

    # A representative qualifies a phone enquiry: a client and a deal without amount are opened.
    lead = leads.create_lead(by=sales_rep, name="Olga Petrova", company_name="Volga Tools LLC",
                             phone="+7 495 123-45-67")
    lead = leads.qualify_lead(lead, by=sales_rep, deal_title="Volga: drilling kits")
    deal = lead.deal
    assert lead.status == Lead.Status.QUALIFIED
    assert (deal.stage.name, deal.amount, deal.owner) == ("Qualification", None, sales_rep)

    # Qualification has no rules: on to "Needs analysis".
    deal = deals.move_deal_to_stage(deal, stage(pipeline, "Needs analysis"), by=sales_rep)

    # Leaving "Needs analysis" needs the needs identified: the move is refused and nothing changes.
    with pytest.raises(ConflictError) as refused:
        deals.move_deal_to_stage(deal, stage(pipeline, "Proposal"), by=sales_rep)
    assert refused.value.code == "stage_rule_unmet"
    assert "Needs identified" in refused.value.message
    deal.refresh_from_db()
    assert deal.stage.name == "Needs analysis"

    # The representative records the needs and moves on.
    deals.set_checklist_item(deal, checklist_rule(stage(pipeline, "Needs analysis"), "Needs identified"), True,
                             by=sales_rep)
    deal = deals.move_deal_to_stage(deal, stage(pipeline, "Proposal"), by=sales_rep)

    # "Proposal" wants an amount and the offer sent: both are named.
    with pytest.raises(ConflictError) as refused:
        deals.move_deal_to_stage(deal, stage(pipeline, "Negotiation"), by=sales_rep)
    assert refused.value.extra["missing"] == ["Amount", "Offer sent"]

    deal = deals.update_deal(deal, by=sales_rep, amount=Decimal("12400.00"))
    deals.set_checklist_item(deal, checklist_rule(stage(pipeline, "Proposal"), "Offer sent"), True, by=sales_rep)
    deal = deals.move_deal_to_stage(deal, stage(pipeline, "Negotiation"), by=sales_rep)
    deal = deals.update_deal(deal, by=sales_rep, expected_close_date=datetime.date(2026, 12, 15))
    deal = deals.move_deal_to_stage(deal, stage(pipeline, "Closing"), by=sales_rep)
    deal = deals.win_deal(deal, by=sales_rep)

    # Won: closed, every stage visit has an end, each move is in the client's history.
    assert deal.status == Deal.Status.WON and deal.closed_at is not None
    visits = list(DealStageVisit.objects.filter(deal=deal).order_by("entered_at", "id"))
    assert [v.stage.name for v in visits] == [
        "Qualification", "Needs analysis", "Proposal", "Negotiation", "Closing"]
    assert all(v.left_at is not None and v.left_at >= v.entered_at for v in visits)
    assert AuditEntry.objects.filter(action="crm.deal.moved", object_id=str(deal.pk)).count() == 4

    # A second deal reaches "Proposal" and is lost there; a reason is required.
    other = deals.create_deal(by=sales_manager, client=deal.client, title="Volga: spare parts",
                              amount=Decimal("2000.50"))
    deals.set_checklist_item(other, checklist_rule(stage(pipeline, "Needs analysis"), "Needs identified"), True,
                             by=sales_manager)
    other = deals.move_deal_to_stage(other, stage(pipeline, "Proposal"), by=sales_manager)
    with pytest.raises(BusinessRuleError) as no_reason:
        deals.lose_deal(other, by=sales_manager, lost_reason=None)
    assert no_reason.value.field == "lost_reason"
    price = LostReason.objects.get(name="Price too high")
    other = deals.lose_deal(other, by=sales_manager, lost_reason=price, note="Chose a local supplier")
    assert (other.status, other.stage.name, other.lost_reason) == (Deal.Status.LOST, "Proposal", price)

    # The stays in "Proposal" are made 2 and 4 days long, as if the deals had waited there.
    now = timezone.now()
    for visit, days in ((DealStageVisit.objects.get(deal=deal, stage__name="Proposal"), 2),
                        (DealStageVisit.objects.get(deal=other, stage__name="Proposal"), 4)):
        DealStageVisit.objects.filter(pk=visit.pk).update(entered_at=now - datetime.timedelta(days=days),
                                                          left_at=now)

    report = lost_at_stage(visible_deals(sales_manager), pipeline)
    proposal = next(row for row in report.stages if row.name == "Proposal")
    assert (report.total_lost, proposal.lost_count, proposal.lost_share) == (1, 1, Decimal("100.0"))
    assert proposal.lost_amounts == {"EUR": Decimal("2000.50")}
    assert proposal.completed_visits == 2
    assert proposal.average_days == Decimal("3.0")
    assert all(row.lost_count == 0 for row in report.stages if row.name != "Proposal")

    # The representative's own report knows nothing of the manager's lost deal.
    assert lost_at_stage(visible_deals(sales_rep), pipeline).total_lost == 0
