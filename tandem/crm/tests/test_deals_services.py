"""Deals through the pipeline: stage rules, stage visits, win/lose/reopen, pipeline set-up, record rules."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.core.references import resolve_visible
from tandem.crm.models import Deal, DealStageVisit, LostReason, Pipeline, StageRule
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.services import deals as services
from tandem.crm.tests.factories import DealFactory, PipelineFactory


def rule(stages, stage, label):
    return stages[stage].rules.get(label=label)


def test_default_pipeline_is_created_once(db):
    first = services.ensure_default_pipeline()
    assert services.ensure_default_pipeline() == first
    assert Pipeline.objects.count() == 1 and first.is_default
    assert [s.name for s in first.stages.order_by("position")] == [
        "Qualification", "Needs analysis", "Proposal", "Negotiation", "Closing"]
    proposal = first.stages.get(name="Proposal")
    assert {(r.kind, r.field_name or r.label) for r in proposal.rules.all()} == {
        ("required_field", "amount"), ("checklist", "Offer sent")}
    assert LostReason.objects.exists()


def test_forward_move_without_rules_and_backward_move_are_allowed(deal, stages, sales_rep):
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)  # Qualification has no rules
    moved = services.move_deal_to_stage(deal, stages["Qualification"], by=sales_rep)  # backward: no rules
    assert moved.stage == stages["Qualification"]
    entry = AuditEntry.objects.filter(action="crm.deal.moved").order_by("id").last()
    assert entry.changes == {"stage": ["Needs analysis", "Qualification"], "forward": False}


def test_unmet_rules_refuse_the_move_naming_what_is_missing(deal, stages, sales_rep):
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    with pytest.raises(ConflictError) as exc:
        services.move_deal_to_stage(deal, stages["Proposal"], by=sales_rep)
    assert exc.value.code == "stage_rule_unmet"
    assert exc.value.extra["missing"] == ["Needs identified"]
    assert "Needs identified" in exc.value.message
    deal.refresh_from_db()
    assert deal.stage == stages["Needs analysis"]

    services.set_checklist_item(deal, rule(stages, "Needs analysis", "Needs identified"), True, by=sales_rep)
    services.move_deal_to_stage(deal, stages["Proposal"], by=sales_rep)
    with pytest.raises(ConflictError) as exc:
        services.move_deal_to_stage(deal, stages["Negotiation"], by=sales_rep)
    assert exc.value.extra["missing"] == ["Amount", "Offer sent"]

    services.update_deal(deal, by=sales_rep, amount=Decimal("1200.00"))
    services.set_checklist_item(deal, rule(stages, "Proposal", "Offer sent"), True, by=sales_rep)
    assert services.move_deal_to_stage(deal, stages["Negotiation"], by=sales_rep).stage == stages["Negotiation"]


def test_skipping_stages_needs_the_rules_of_every_stage_passed(deal, stages, sales_rep):
    with pytest.raises(ConflictError) as exc:
        services.move_deal_to_stage(deal, stages["Closing"], by=sales_rep)
    assert exc.value.extra["missing"] == ["Needs identified", "Amount", "Offer sent", "Expected close date"]


def test_unticking_a_checklist_item_blocks_again(deal, stages, sales_rep):
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    item_rule = rule(stages, "Needs analysis", "Needs identified")
    services.set_checklist_item(deal, item_rule, True, by=sales_rep)
    item = services.set_checklist_item(deal, item_rule, False, by=sales_rep)
    assert item.done_at is None
    with pytest.raises(ConflictError):
        services.move_deal_to_stage(deal, stages["Proposal"], by=sales_rep)


def test_stage_visits_record_entry_and_exit_times(deal, stages, sales_rep):
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    services.move_deal_to_stage(deal, stages["Qualification"], by=sales_rep)
    visits = list(DealStageVisit.objects.filter(deal=deal).order_by("entered_at", "id"))
    assert [v.stage.name for v in visits] == ["Qualification", "Needs analysis", "Qualification"]
    assert visits[0].left_at == visits[1].entered_at
    assert visits[1].left_at == visits[2].entered_at
    assert visits[2].left_at is None
    deal.refresh_from_db()
    assert deal.stage_entered_at == visits[2].entered_at


def test_lost_requires_a_reason_and_keeps_the_stage(deal, stages, sales_rep):
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.lose_deal(deal, by=sales_rep, lost_reason=None)
    assert exc.value.code == "lost_reason_required"
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN

    reason = LostReason.objects.get(name="No budget")
    lost = services.lose_deal(deal, by=sales_rep, lost_reason=reason, note="Next year maybe")
    assert (lost.status, lost.stage, lost.lost_reason, lost.lost_note) == (
        "lost", stages["Needs analysis"], reason, "Next year maybe")
    assert lost.closed_at is not None
    assert not DealStageVisit.objects.filter(deal=deal, left_at__isnull=True).exists()
    assert DealStageVisit.objects.get(deal=deal, stage=stages["Needs analysis"]).left_at == lost.closed_at
    with pytest.raises(ConflictError) as exc:
        services.move_deal_to_stage(lost, stages["Qualification"], by=sales_rep)
    assert exc.value.code == "deal_closed"


def test_won_closes_the_visit_and_reopen_starts_a_new_one(deal, stages, sales_rep):
    Pipeline.objects.update(win_rules=Pipeline.WinRules.CURRENT)  # winning checks the deal's stage only
    won = services.win_deal(deal, by=sales_rep)
    assert won.status == "won" and won.closed_at is not None
    assert DealStageVisit.objects.get(deal=deal).left_at == won.closed_at
    with pytest.raises(ConflictError):
        services.win_deal(won, by=sales_rep)
    reopened = services.reopen_deal(won, by=sales_rep)
    assert reopened.status == "open" and reopened.closed_at is None
    assert DealStageVisit.objects.filter(deal=deal, left_at__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action__in=["crm.deal.won", "crm.deal.open"]).count() == 2


def test_representative_cannot_see_or_move_others_deals(sales, stages, sales_rep, make_user):
    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    foreign = DealFactory(owner=other, pipeline=sales)
    with pytest.raises(Http404):
        resolve_visible(visible_deals(sales_rep), foreign.pk)
    with pytest.raises(AccessDenied):
        services.move_deal_to_stage(foreign, stages["Needs analysis"], by=sales_rep)
    with pytest.raises(AccessDenied):
        services.win_deal(foreign, by=sales_rep)
    assert Deal.objects.get(pk=foreign.pk).stage == stages["Qualification"]


def test_viewer_cannot_move(deal, stages, viewer):
    with pytest.raises(AccessDenied):
        services.move_deal_to_stage(deal, stages["Needs analysis"], by=viewer)


def test_create_pipeline_with_stages_and_rules(sales_manager):
    pipeline = services.create_pipeline(by=sales_manager, name="Projects", stages=[
        {"name": "Brief", "probability": 20, "rules": [{"kind": "checklist", "label": "Brief received"}]},
        {"name": "Quote", "probability": 60, "rules": [{"kind": "required_field", "field_name": "amount"}]},
    ])
    stage_list = list(pipeline.stages.order_by("position"))
    assert [(s.name, s.position, s.probability) for s in stage_list] == [("Brief", 1, 20), ("Quote", 2, 60)]
    assert str(stage_list[1].rules.get()) == "Amount"
    third = services.add_stage(pipeline, by=sales_manager, name="Signed", probability=100)
    assert third.position == 3
    with pytest.raises(BusinessRuleError) as exc:
        services.add_stage_rule(third, by=sales_manager, kind=StageRule.Kind.REQUIRED_FIELD, field_name="title")
    assert exc.value.code == "unknown_field"
    with pytest.raises(ConflictError):
        services.create_pipeline(by=sales_manager, name="projects")


def test_representative_cannot_set_up_pipelines(sales_rep):
    with pytest.raises(AccessDenied):
        services.create_pipeline(by=sales_rep, name="Mine")
    with pytest.raises(AccessDenied):
        services.create_lost_reason(by=sales_rep, name="Mine")


def test_update_deal_audits_changes_and_checks_counterparty(deal, sales_rep):
    updated = services.update_deal(deal, by=sales_rep, amount=Decimal("99.5"),
                                   expected_close_date=datetime.date(2030, 1, 31))
    assert updated.amount == Decimal("99.5")
    entry = AuditEntry.objects.get(action="crm.deal.changed")
    assert entry.changes["amount"] == [None, "99.50"]  # stored rounded to the cent
    from tandem.parties.tests.factories import CounterpartyFactory

    with pytest.raises(BusinessRuleError) as exc:
        services.update_deal(deal, by=sales_rep, counterparty=CounterpartyFactory())
    assert exc.value.code == "foreign_counterparty"


def test_pipeline_factory_builds_stages(db):
    pipeline = PipelineFactory(stages=["A", "B"])
    deal = DealFactory(pipeline=pipeline)
    assert deal.stage.name == "A"
    assert deal.stage_visits.count() == 1
