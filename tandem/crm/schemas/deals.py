"""API shapes for deals, pipelines, lost reasons and the lost-at-stage report. Shape checks only: stage
rules, owners and transitions are enforced by crm.services.deals. Amounts travel as strings."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import ArchiveOut, BaseTotalOut, DecimalString, Id, InputSchema, MoneyOut, money_text
from tandem.crm.models import Deal, Pipeline, StageRule
from tandem.crm.queries.deals import FEED_LIMIT, MAX_BOARD_OFFSET


class Ref(Schema):
    id: int
    name: str


# --- Pipelines ----------------------------------------------------------------------------------------

def _role_ref(group) -> dict | None:
    return {"id": group.pk, "name": group.name} if group is not None else None


class StageRuleOut(ArchiveOut):
    id: int
    kind: str
    label: str
    field_name: str
    required_role: Ref | None = Field(None, description="The role (group) whose people alone may tick this "
                                                           "checklist item; null: anyone who may change the deal.")

    @staticmethod
    def resolve_required_role(obj):
        return _role_ref(obj.required_role)


class StageOut(ArchiveOut):
    id: int
    name: str
    position: int
    probability: int
    max_days: int | None = Field(None, description="Days a deal may stay in the stage before the board marks it.")
    rules: list[StageRuleOut]

    @staticmethod
    def resolve_rules(obj):
        return [rule for rule in obj.rules.all() if not rule.is_archived]  # archived rules hold nothing back


class PipelineOut(ArchiveOut):
    id: int
    name: str
    is_default: bool
    is_active: bool
    win_rules: Pipeline.WinRules = Field(..., description="Which rules winning a deal checks: `remaining` (its "
                                                            "stage and every later stage) or `current` (its stage).")
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.all())


class StageRuleIn(InputSchema):
    kind: StageRule.Kind = StageRule.Kind.CHECKLIST
    label: str = ""
    field_name: str = ""
    required_role_id: Id | None = Field(None, description="Only people of this role (group) may tick the item.")


class StageRulePatch(InputSchema):
    """Send only what changes."""

    required_role_id: Id | None = Field(None, description="Only people of this role (group) may tick the item; "
                                                          "null lets anyone who may change the deal tick it.")
    label: str | None = Field(None, max_length=200, description="A checklist item's label (not empty; unique "
                                                                  "among the stage's items in any letter case).")


class StagePatch(InputSchema):
    name: str | None = Field(None, max_length=100, description="Not empty; unique in the pipeline in any letter "
                                                               "case (409 `duplicate`).")
    position: int | None = Field(None, description="1 for first: the stage goes there and the pipeline's stages "
                                                   "are numbered 1, 2, 3… again.")
    probability: int | None = Field(None, ge=0, le=100, description="Chance of winning a deal in this stage, in %.")
    max_days: int | None = Field(None, ge=1, le=3650, description="Days a deal may stay in the stage before the "
                                                                  "board marks it; null: no limit.")


class PipelinePatch(InputSchema):
    """Send only what changes."""

    name: str | None = Field(None, max_length=100, description="Not empty; unique in any letter case (409 "
                                                               "`duplicate`).")
    win_rules: Pipeline.WinRules | None = None


class StageIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    probability: int = Field(10, ge=0, le=100)
    max_days: int | None = Field(None, ge=1, le=3650,
                                 description="Days a deal may stay in the stage before the board marks it.")
    rules: list[StageRuleIn] = []


class PipelineIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    is_default: bool = False
    win_rules: Pipeline.WinRules = Pipeline.WinRules.REMAINING
    stages: list[StageIn] = []


class LostReasonOut(Schema):
    id: int
    name: str
    is_active: bool


class LostReasonIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)


# --- Deals --------------------------------------------------------------------------------------------

class DealFilters(Schema):
    pipeline: Id | None = None
    stage: Id | None = None
    status: Deal.Status | None = None
    owner_id: Id | None = None
    client_id: Id | None = None
    q: str | None = Field(None, description="Part of the title or the client's name.")
    won_from: datetime.date | None = Field(None, description="Won deals closed on or after this day.")
    won_to: datetime.date | None = Field(None, description="Won deals closed on or before this day.")
    moved_by: Id | None = Field(None, description="Deals this user moved to another stage (see moved_from/to).")
    moved_from: datetime.date | None = None
    moved_to: datetime.date | None = None
    source_id: Id | None = None
    tag: str | None = Field(None, max_length=50, description="A client tag's name (any letter case).")


class DealOut(Schema):
    id: int
    title: str
    client: Ref
    counterparty: Ref | None
    contact: Ref | None
    owner: Ref
    pipeline: Ref
    stage: Ref
    probability: int
    status: str
    amount: str | None = Field(description="Decimal as a string; null while unknown.")
    currency: str
    expected_close_date: datetime.date | None
    source: Ref | None
    campaign: Ref | None
    lost_reason: Ref | None
    lost_note: str
    stage_entered_at: datetime.datetime
    closed_at: datetime.datetime | None
    created_at: datetime.datetime
    version: int = Field(description="Counts changes; send it back (or the ETag in If-Match) when changing the "
                                     "deal, and a change someone saved since is refused with 409 `stale`.")
    actions: list[str]

    @staticmethod
    def resolve_client(obj):
        return {"id": obj.client_id, "name": obj.client.name}

    @staticmethod
    def resolve_counterparty(obj):
        return {"id": obj.counterparty_id, "name": obj.counterparty.legal_name} if obj.counterparty_id else None

    @staticmethod
    def resolve_contact(obj):
        return {"id": obj.contact_id, "name": str(obj.contact)} if obj.contact_id else None

    @staticmethod
    def resolve_owner(obj):
        return {"id": obj.owner_id, "name": obj.owner.display_name}

    @staticmethod
    def resolve_pipeline(obj):
        return {"id": obj.pipeline_id, "name": obj.pipeline.name}

    @staticmethod
    def resolve_stage(obj):
        return {"id": obj.stage_id, "name": obj.stage.name}

    @staticmethod
    def resolve_probability(obj):
        return obj.stage.probability

    @staticmethod
    def resolve_amount(obj):
        return money_text(obj.amount, obj.currency)

    @staticmethod
    def resolve_source(obj):
        return {"id": obj.source_id, "name": obj.source.name} if obj.source_id else None

    @staticmethod
    def resolve_campaign(obj):
        return {"id": obj.campaign_id, "name": obj.campaign.name} if obj.campaign_id else None

    @staticmethod
    def resolve_lost_reason(obj):
        return {"id": obj.lost_reason_id, "name": obj.lost_reason.name} if obj.lost_reason_id else None

    @staticmethod
    def resolve_actions(obj):
        return [name for name in ("move", "win", "lose", "reopen") if getattr(obj, f"can_{name}")()]


class NextActivityOut(Schema):
    kind: str = Field(description="`task`, or the kind of the planned interaction (`meeting`, `call_out`, …).")
    title: str = Field(description="The task's title, or the interaction kind's name.")
    at: datetime.datetime = Field(description="When the task is due or the interaction is planned.")
    overdue: bool = Field(description="An open task whose due time has passed.")


def _next_activity(obj) -> dict | None:
    activity = obj.next_activity
    if activity is None:
        return None
    return {"kind": activity.kind, "title": activity.label, "at": activity.at, "overdue": activity.overdue}


class DealDetailOut(DealOut):
    """One deal, with what the board shows on its card."""

    weighted_amount: str | None = Field(description="`amount` × the stage's probability, rounded in `currency`.")
    next_activity: NextActivityOut | None = Field(description="The earliest open task or planned interaction.")
    no_next_activity: bool
    overdue: bool = Field(description="The next activity is a task past its due time.")
    stale: bool = Field(description="An open deal that has stayed in its stage longer than the stage's "
                                    "`max_days`.")
    days_in_stage: int

    @staticmethod
    def resolve_weighted_amount(obj):
        return money_text(obj.weighted_amount, obj.currency)

    @staticmethod
    def resolve_next_activity(obj):
        return _next_activity(obj)

    @staticmethod
    def resolve_no_next_activity(obj):
        return obj.next_activity is None

    @staticmethod
    def resolve_overdue(obj):
        return obj.next_activity is not None and obj.next_activity.overdue


class _DealFields(InputSchema):
    counterparty_id: Id | None = None
    contact_id: Id | None = None
    owner_id: Id | None = None
    amount: DecimalString = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    expected_close_date: limits.Date | None = None
    source_id: Id | None = None
    campaign_id: Id | None = None


class DealIn(_DealFields):
    title: str = Field(..., min_length=1, max_length=200)
    client_id: Id
    pipeline_id: Id | None = None
    stage_id: Id | None = None


class DealPatch(_DealFields):
    title: str | None = Field(None, min_length=1, max_length=200)
    client_id: Id | None = None
    version: int | None = Field(None, ge=1, description="The version you saw (as in GET); omitted: no check.")


class MoveIn(InputSchema):
    stage_id: Id
    from_stage_id: Id | None = Field(None, description="The stage you saw the deal in; when it has moved since, "
                                                        "the move is refused with 409 `stale`.")


class ChecklistIn(InputSchema):
    done: bool = True


class LoseIn(InputSchema):
    lost_reason_id: Id | None = None
    note: str = ""


class ChecklistItemOut(Schema):
    rule_id: int
    label: str
    stage: Ref
    done: bool
    done_at: datetime.datetime | None
    done_by: Ref | None = Field(..., description="Who ticked the item (null while it is not ticked).")
    required_role: Ref | None = Field(..., description="Only people of this role may tick the item.")
    can_tick: bool = Field(..., description="Whether the caller may tick or untick the item.")
    reason: str = Field(..., description="Why the caller may not tick it (empty when they may).")

    @staticmethod
    def resolve_stage(obj):
        return {"id": obj["stage"].pk, "name": obj["stage"].name}

    @staticmethod
    def resolve_done_by(obj):
        user = obj["done_by"]
        return {"id": user.pk, "name": user.display_name} if user is not None else None

    @staticmethod
    def resolve_required_role(obj):
        return _role_ref(obj["required_role"])


class StageVisitOut(Schema):
    stage: Ref
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    duration_seconds: int | None
    entered_by: Ref | None

    @staticmethod
    def resolve_stage(obj):
        return {"id": obj.stage_id, "name": obj.stage.name}

    @staticmethod
    def resolve_duration_seconds(obj):
        return int((obj.left_at - obj.entered_at).total_seconds()) if obj.left_at else None

    @staticmethod
    def resolve_entered_by(obj):
        return {"id": obj.entered_by_id, "name": obj.entered_by.display_name} if obj.entered_by_id else None


# --- Report -------------------------------------------------------------------------------------------

class LostAtStageFilters(Schema):
    pipeline: Id | None = None
    date_from: limits.Date | None = Field(None, alias="from")
    date_to: limits.Date | None = Field(None, alias="to")


class LostAtStageRowOut(Schema):
    stage: Ref
    lost_count: int
    lost_share: str = Field(description="Percent of the lost deals, one decimal.")
    lost_amounts: list[MoneyOut]
    lost_base: BaseTotalOut
    completed_visits: int
    average_days: str | None


class LostAtStageOut(Schema):
    pipeline: Ref
    date_from: datetime.date | None
    date_to: datetime.date | None
    total_lost: int
    total_amounts: list[MoneyOut]
    total_base: BaseTotalOut
    stages: list[LostAtStageRowOut]


# --- Board --------------------------------------------------------------------------------------------

class BoardFilters(Schema):
    pipeline: Id | None = Field(None, description="The pipeline; by default the default pipeline.")
    owner_id: Id | None = None
    mine: bool = Field(False, description="Only the caller's own deals (\"my deals\").")
    source_id: Id | None = None
    tag: str | None = Field(None, max_length=50, description="A client tag's name (any letter case).")
    stage_id: Id | None = Field(None, description="Only this stage's column (its next cards: see `offset`).")
    offset: int = Field(0, ge=0, le=MAX_BOARD_OFFSET, description="Each column's cards from this position on; "
                                                                   "a column's next ones: its `offset` + its "
                                                                   "cards, with `stage_id`.")


class BoardStageOut(Schema):
    id: int
    name: str
    probability: int
    max_days: int | None = Field(description="Days a deal may stay in the stage before its card is `stale`.")


class BoardCardOut(Schema):
    id: int
    title: str
    client: Ref
    owner: Ref
    amount: str | None = Field(description="Decimal as a string; null while unknown.")
    currency: str
    weighted_amount: str | None = Field(description="`amount` × the stage's probability, rounded in `currency`.")
    next_activity: NextActivityOut | None = Field(description="The earliest open task or planned interaction.")
    no_next_activity: bool
    overdue: bool = Field(description="The next activity is a task past its due time.")
    stale: bool = Field(description="Longer in the stage than the stage's `max_days`.")
    days_in_stage: int
    stage_entered_at: datetime.datetime
    created_at: datetime.datetime

    @staticmethod
    def resolve_client(obj):
        return {"id": obj.client_id, "name": obj.client.name}

    @staticmethod
    def resolve_owner(obj):
        return {"id": obj.owner_id, "name": obj.owner.display_name}

    @staticmethod
    def resolve_amount(obj):
        return money_text(obj.amount, obj.currency)

    @staticmethod
    def resolve_weighted_amount(obj):
        return money_text(obj.weighted_amount, obj.currency)

    @staticmethod
    def resolve_next_activity(obj):
        return _next_activity(obj)

    @staticmethod
    def resolve_no_next_activity(obj):
        return obj.next_activity is None

    @staticmethod
    def resolve_overdue(obj):
        return obj.next_activity is not None and obj.next_activity.overdue


class BoardColumnOut(Schema):
    stage: BoardStageOut
    count: int = Field(description="Open deals in the stage (all of them, not only the cards answered).")
    totals: list[MoneyOut] = Field(description="Their amounts added up per currency.")
    base_total: BaseTotalOut = Field(description="Their amounts in the base currency at today's rates.")
    weighted: str = Field(description="`base_total` × the stage's probability, in the base currency.")
    offset: int = Field(description="Position of the first card answered among the column's cards.")
    cards: list[BoardCardOut] = Field(description="Newest first, at most 25; the next ones with `stage_id` and "
                                                  "`offset`.")
    more: int = Field(description="Cards left after these.")


class BoardOut(Schema):
    pipeline: Ref | None = Field(description="Null when there is no pipeline yet.")
    columns: list[BoardColumnOut]
    total: BaseTotalOut | None = Field(description="All the columns' open deals in the base currency.")
    weighted: str = Field(description="The columns' weighted forecasts added up, in the base currency.")


# --- The deal's activity feed -------------------------------------------------------------------------

class DealActivityOut(Schema):
    kind: str = Field(description="`task`, `stage` (the deal entered a stage) or an interaction kind.")
    kind_label: str
    at: datetime.datetime = Field(description="A task's due time, an interaction's time, a stage's entry.")
    object_id: int = Field(description="The task's, interaction's or stage visit's id.")
    title: str
    text: str
    actor: Ref | None = Field(description="The task's assignee, who logged the interaction, who moved the deal.")
    status: str | None = Field(description="Tasks: `open`, `done` or `cancelled`.")
    overdue: bool = Field(description="An open task past its due time.")
    stage: Ref | None = Field(description="Stage entries: the stage.")
    left_at: datetime.datetime | None = Field(description="Stage entries: when the deal left it (null: still in).")


class DealActivityParams(Schema):
    limit: int = Field(FEED_LIMIT, ge=1, le=4 * FEED_LIMIT, description="The newest this many items.")
