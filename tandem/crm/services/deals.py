"""Deals: open, lead through stages (rules checked), win, lose, reopen.

Each public function is one business action: it checks, locks, writes, records the stage visit and the
audit entry in one transaction. The kanban board and the API call the same functions."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.core import audit
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import User
from tandem.core.services import get_company
from tandem.crm.models import Deal, DealStageVisit, Pipeline, Stage
from tandem.parties.models import Client

DEAL_FIELDS = ("title", "client", "counterparty", "contact", "owner", "pipeline", "stage", "status", "amount",
               "currency", "expected_close_date", "source", "campaign", "event", "lost_reason", "lost_note")


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise AccessDenied()


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_active=True).order_by("-is_default", "name").first()
    if pipeline is None:
        raise BusinessRuleError("no_pipeline", "Set up a sales pipeline first.", field="pipeline")
    return pipeline


def create_deal(
    *,
    by: User,
    client: Client,
    title: str,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    owner: User | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    counterparty=None,
    contact=None,
    expected_close_date=None,
    source=None,
    campaign=None,
    event=None,
) -> Deal:
    """Open a deal early: only client and title are needed; it starts in the pipeline's first stage
    (or the given one) and inherits the client's first source when none is given."""
    _require(by, "crm.add_deal")
    title = (title or "").strip()
    if not title:
        raise BusinessRuleError("required", "A deal needs a title.", field="title")
    pipeline = pipeline or (stage.pipeline if stage else default_pipeline())
    if stage is None:
        stage = pipeline.stages.order_by("position").first()
        if stage is None:
            raise BusinessRuleError("no_stage", f"Pipeline '{pipeline}' has no stages.", field="pipeline")
    elif stage.pipeline_id != pipeline.pk:
        raise BusinessRuleError("stage_not_in_pipeline", f"Stage '{stage}' is not in pipeline '{pipeline}'.",
                                field="stage")
    if counterparty is not None and counterparty.client_id != client.pk:
        raise BusinessRuleError("foreign_counterparty", "The counterparty belongs to another client.",
                                field="counterparty")
    if contact is not None and contact.client_id != client.pk:
        raise BusinessRuleError("foreign_contact", "The contact person belongs to another client.", field="contact")
    owner = owner or by
    if owner != by and not by.has_perm("crm.view_all_deals"):
        raise BusinessRuleError("owner_not_allowed", "You can only open deals you own.", field="owner")
    if amount is not None and Decimal(amount) < 0:
        raise BusinessRuleError("negative_amount", "The amount cannot be negative.", field="amount")
    now = timezone.now()
    deal = Deal(
        title=title, client=client, pipeline=pipeline, stage=stage, owner=owner, amount=amount,
        currency=(currency or get_company().base_currency).upper(), counterparty=counterparty, contact=contact,
        expected_close_date=expected_close_date, source=source or client.first_source, campaign=campaign,
        event=event, stage_entered_at=now, created_by=by,
    )
    try:
        deal.full_clean(exclude=["client", "pipeline", "stage", "owner", "counterparty", "contact", "source",
                                 "campaign", "event", "lost_reason"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=field) from None
    with transaction.atomic():
        deal.save()
        DealStageVisit.objects.create(deal=deal, stage=stage, entered_at=now, entered_by=by)
        audit.record(deal, "crm.deal.created", by=by, root=client, changes=audit.snapshot(deal, DEAL_FIELDS))
    return deal
