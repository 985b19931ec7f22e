"""REST endpoints: deals, pipelines, lost reasons, the lost-at-stage report (thin: look up with the record
rules of crm.queries.visibility, check the permission, call one service, return the schema)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.openapi import declares
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter, Id, money_list
from tandem.crm.models import Campaign, Deal, LostReason, Pipeline, Stage, StageRule
from tandem.crm.queries.deals import (
    DEAL_RELATED,
    FeedItem,
    board_columns,
    board_total,
    board_weighted,
    checklist_of,
    deal_feed,
    filter_deals,
    mark_card,
    pipelines_with_stages,
    with_next_activity,
)
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.reports import deals as reports
from tandem.crm.schemas.deals import (
    BoardFilters,
    BoardOut,
    ChecklistIn,
    ChecklistItemOut,
    DealActivityOut,
    DealActivityParams,
    DealDetailOut,
    DealFilters,
    DealIn,
    DealOut,
    DealPatch,
    LoseIn,
    LostAtStageFilters,
    LostAtStageOut,
    LostReasonIn,
    LostReasonOut,
    MoveIn,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageOut,
    StagePatch,
    StageRuleOut,
    StageRulePatch,
    StageVisitOut,
)
from tandem.crm.services import deals as services
from tandem.parties.models import Contact, Counterparty, Source
from tandem.parties.queries import visible_clients

router = Router(tags=["crm"])


def _deal(request, deal_id: int) -> Deal:
    return resolve_visible(visible_deals(request.user).select_related(*DEAL_RELATED), deal_id)


def _deal_values(request, data: dict) -> dict:
    """Schema fields -> service keyword arguments (ids resolved to rows; clients by the record rule)."""
    refs = {
        "client_id": ("client", None, visible_clients(request.user)),
        "counterparty_id": ("counterparty", Counterparty, None),
        "contact_id": ("contact", Contact, None),
        "owner_id": ("owner", User, None),
        "source_id": ("source", Source, None),
        "campaign_id": ("campaign", Campaign, None),
        "pipeline_id": ("pipeline", Pipeline, None),
        "stage_id": ("stage", Stage, None),
    }
    for key, (name, model, qs) in refs.items():
        if key in data:
            data[name] = resolve_visible(model or qs, data.pop(key), key)
    return data


def _deal_out(deal: Deal) -> Deal:
    return Deal.objects.select_related(*DEAL_RELATED).get(pk=deal.pk)


# --- Deals --------------------------------------------------------------------------------------------

@router.get("/deals", response=Page[DealOut], summary="List deals")
def list_deals(request, filters: Query[DealFilters], pagination: Query[PageParams]):
    require_permission(request, "crm.view_deal")
    qs = filter_deals(visible_deals(request.user), **filters.dict())
    # Keys first: joined to its 8 related tables SQLite would sort every deal instead of reading the index.
    return paginate(qs.select_related(*DEAL_RELATED).order_by("-created_at", "-id"), pagination, keys_first=True)


@router.post("/deals", response={201: DealOut}, summary="Open a deal")
def create_deal(request, payload: DealIn):
    require_permission(request, "crm.add_deal")
    values = _deal_values(request, payload.dict(exclude_unset=True))
    deal = services.create_deal(by=request.user, **values)
    return _deal_out(deal)


# Declared before /deals/{deal_id}, which would otherwise take "board" for an id.
@router.get("/deals/board", response=BoardOut, summary="The deal board: open deals per stage",
            description="One column per stage of the pipeline (by default the default pipeline), as on the board "
                        "page: the stage's open deals counted and added up per currency and in the base currency "
                        "at today's rates (`base_total.missing` names currencies without a rate, left out of the "
                        "sum), the weighted forecast (base total × the stage's probability) and the 25 newest "
                        "cards. Each card says its next activity (the earliest open task or planned interaction) "
                        "and flags `no_next_activity`, `overdue` and `stale` (longer in the stage than its "
                        "`max_days`). Filters as on the page: `owner_id` or `mine`, `source_id`, `tag`. The next "
                        "cards of a column: `stage_id` with `offset` (the column's `offset` plus its cards), "
                        "while its `more` is not 0. A representative sees only their own deals.")
def deal_board(request, filters: Query[BoardFilters]):
    require_permission(request, "crm.view_deal")
    user = request.user
    stage = None
    if filters.pipeline:
        pipeline = resolve_visible(Pipeline, filters.pipeline, "pipeline")
    elif filters.stage_id:
        pipeline = resolve_visible(Stage.objects.select_related("pipeline"), filters.stage_id, "stage_id").pipeline
    else:
        pipeline = Pipeline.objects.active().order_by("-is_default", "name").first()
    if pipeline is not None and filters.stage_id:
        stage = resolve_visible(pipeline.stages.all(), filters.stage_id, "stage_id")
    deals = visible_deals(user)
    owner_id = filters.owner_id
    if filters.mine:
        if owner_id and owner_id != user.pk:
            deals = deals.none()
        owner_id = user.pk
    deals = filter_deals(deals, owner_id=owner_id, source_id=filters.source_id, tag=filters.tag)
    columns = board_columns(deals, pipeline, stage=stage, offset=filters.offset) if pipeline else []
    total = board_total(columns)
    return {
        "pipeline": {"id": pipeline.pk, "name": pipeline.name} if pipeline else None,
        "columns": [{**column, "totals": money_list(dict(column["totals"])), "weighted": str(column["weighted"])}
                    for column in columns],
        "total": total,
        "weighted": str(board_weighted(columns)),
    }


@router.get("/deals/{deal_id}", response=DealDetailOut, summary="Get a deal",
            description="The `ETag` header carries the deal's `version`; send it back in `If-Match` when changing "
                        "it. Also what its board card shows: the next activity, `overdue`, `stale`, "
                        "`days_in_stage`, `weighted_amount`.")
def get_deal(request, deal_id: Id, response: HttpResponse):
    now = timezone.now()
    deal = resolve_visible(with_next_activity(visible_deals(request.user).select_related(*DEAL_RELATED), now),
                           deal_id)
    mark_card(deal, deal.stage, now)
    response["ETag"] = etag_for(deal.version)
    return deal


@router.patch("/deals/{deal_id}", response=DealOut, summary="Change a deal's details",
              description="Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` (the "
                          "ETag of GET) or as `version` in the body. When someone changed the deal since, "
                          "nothing is written and the answer is 409 with code `stale` (409 rather than 412, "
                          "so every refusal has the same shape). Without either, the change applies to the "
                          "current version (last write wins).")
def update_deal(request, deal_id: Id, payload: DealPatch, response: HttpResponse):
    deal = _deal(request, deal_id)
    require_permission(request, "crm.change_deal")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    deal = services.update_deal(deal, by=request.user, expected_version=seen, **_deal_values(request, values))
    response["ETag"] = etag_for(deal.version)
    return _deal_out(deal)


@router.post("/deals/{deal_id}/move", response=DealOut, summary="Move a deal to another stage",
             description="Refused with 409 and code `stage_rule_unmet` (plus a `missing` list) while a rule of "
                         "the stage the deal leaves is unmet. Moving backward is always allowed. With "
                         "`from_stage_id` (the stage you saw the deal in), a deal that has moved since is not "
                         "moved: 409 with code `stale`.")
def move_deal(request, deal_id: Id, payload: MoveIn):
    deal = _deal(request, deal_id)
    require_permission(request, "crm.change_deal")
    stage = resolve_visible(Stage, payload.stage_id, "stage_id")
    from_stage = resolve_visible(Stage, payload.from_stage_id, "from_stage_id")
    return _deal_out(services.move_deal_to_stage(deal, stage, by=request.user, from_stage=from_stage))


@router.get("/deals/{deal_id}/checklist", response=list[ChecklistItemOut], summary="Checklist of the deal's stage",
            description="Each item says who ticked it and when, which role alone may tick it, and whether the "
                        "caller may (`can_tick`, else `reason`). With `to_win=true`: the items of every stage "
                        "winning the deal checks (its stage and the later ones, unless the pipeline relaxes it).")
def get_checklist(request, deal_id: Id, to_win: bool = False):
    deal = _deal(request, deal_id)
    return checklist_of(deal, request.user, services.stages_to_win(deal) if to_win else None)


@router.post("/deals/{deal_id}/checklist/{rule_id}", response=list[ChecklistItemOut],
             summary="Tick or untick a checklist item",
             description="403 `permission_denied` when the item requires a role the caller does not have.")
def set_checklist_item(request, deal_id: Id, rule_id: Id, payload: ChecklistIn):
    deal = _deal(request, deal_id)
    require_permission(request, "crm.change_deal")
    rule = resolve_visible(StageRule.objects.select_related("stage", "required_role"), rule_id, "rule_id")
    services.set_checklist_item(deal, rule, payload.done, by=request.user)
    return checklist_of(deal, request.user)


@router.post("/deals/{deal_id}/win", response=DealOut, summary="Mark a deal won",
             description="Refused with 409 and code `stage_rule_unmet` (plus a `missing` list) while a rule of "
                         "the deal's stage or of a later stage is unmet (only its stage's when the pipeline's "
                         "`win_rules` is `current`).")
def win_deal(request, deal_id: Id):
    deal = _deal(request, deal_id)
    require_permission(request, "crm.change_deal")
    return _deal_out(services.win_deal(deal, by=request.user))


@router.post("/deals/{deal_id}/lose", response=DealOut, summary="Mark a deal lost (a lost reason is required)")
def lose_deal(request, deal_id: Id, payload: LoseIn):
    deal = _deal(request, deal_id)
    require_permission(request, "crm.change_deal")
    reason = resolve_visible(LostReason, payload.lost_reason_id, "lost_reason_id")
    return _deal_out(services.lose_deal(deal, by=request.user, lost_reason=reason, note=payload.note))


@router.post("/deals/{deal_id}/reopen", response=DealOut, summary="Reopen a won or lost deal")
def reopen_deal(request, deal_id: Id):
    deal = _deal(request, deal_id)
    require_permission(request, "crm.change_deal")
    return _deal_out(services.reopen_deal(deal, by=request.user))


@router.get("/deals/{deal_id}/stage-history", response=list[StageVisitOut], summary="Stage entries and exits")
def stage_history(request, deal_id: Id):
    deal = _deal(request, deal_id)
    return list(deal.stage_visits.select_related("stage", "entered_by").order_by("entered_at", "id"))


def _feed_item_out(item: FeedItem, now) -> dict:
    obj = item.obj
    out = {"kind": item.type, "kind_label": item.type_label, "at": item.at, "object_id": obj.pk, "status": None,
           "overdue": False, "stage": None, "left_at": None}
    if item.type == "task":
        actor = obj.assignee
        out.update(title=obj.title, text=obj.description, status=obj.status,
                   overdue=obj.status == obj.Status.OPEN and obj.due_at < now)
    elif item.type == "stage":
        actor = obj.entered_by
        out.update(title=_("Entered “%(stage)s”") % {"stage": obj.stage.name}, text="",
                   stage={"id": obj.stage_id, "name": obj.stage.name}, left_at=obj.left_at)
    else:
        actor = obj.created_by
        out.update(title=obj.subject or item.type_label, text=obj.text)
    out["actor"] = {"id": actor.pk, "name": actor.display_name} if actor else None
    return out


@router.get("/deals/{deal_id}/activity", response=list[DealActivityOut], summary="The deal's activity feed",
            description="The deal's tasks (at their due time), interactions and stage entries in one list, newest "
                        "first, as on the deal page (a planned task comes on top); tasks and interactions by the "
                        "caller's record rules.")
def deal_activity(request, deal_id: Id, params: Query[DealActivityParams]):
    deal = _deal(request, deal_id)
    now = timezone.now()
    return [_feed_item_out(item, now) for item in deal_feed(request.user, deal, limit=params.limit)]


# --- Pipelines and lost reasons -----------------------------------------------------------------------

@router.get("/pipelines", response=list[PipelineOut], summary="Pipelines with their stages and rules")
def list_pipelines(request, archived: ArchivedFilter = "false"):
    require_permission(request, "crm.view_pipeline")
    return list(pipelines_with_stages().in_archive_state(archived))


def _pipeline(request, pipeline_id: int) -> Pipeline:
    require_permission(request, "crm.view_pipeline")
    return get_object_or_404(Pipeline, pk=pipeline_id)


@router.post("/pipelines/{pipeline_id}/archive", response=PipelineOut, summary="Archive a pipeline")
def archive_pipeline(request, pipeline_id: Id):
    pipeline = services.archive_pipeline(_pipeline(request, pipeline_id), by=request.user)
    return pipelines_with_stages().get(pk=pipeline.pk)


@router.post("/pipelines/{pipeline_id}/restore", response=PipelineOut, summary="Restore an archived pipeline")
def restore_pipeline(request, pipeline_id: Id):
    pipeline = services.restore_pipeline(_pipeline(request, pipeline_id), by=request.user)
    return pipelines_with_stages().get(pk=pipeline.pk)


@router.delete("/pipelines/{pipeline_id}", response={204: None},
               summary="Delete a pipeline no deal went through (409 naming the deals otherwise)")
def delete_pipeline(request, pipeline_id: Id):
    services.delete_pipeline(_pipeline(request, pipeline_id), by=request.user)


@router.post("/stages/{stage_id}/archive", response=StageOut, summary="Archive a stage (no new moves into it)")
def archive_stage(request, stage_id: Id):
    require_permission(request, "crm.view_pipeline")
    return services.archive_stage(get_object_or_404(Stage, pk=stage_id), by=request.user)


@router.post("/stages/{stage_id}/restore", response=StageOut, summary="Restore an archived stage")
def restore_stage(request, stage_id: Id):
    require_permission(request, "crm.view_pipeline")
    return services.restore_stage(get_object_or_404(Stage, pk=stage_id), by=request.user)


@router.patch("/stages/{stage_id}", response=StageOut, summary="Rename, move or change a stage",
              description="Send only what changes: `name` (not empty, unique in the pipeline in any letter case: "
                          "409 `duplicate`), `position` (1 for first; the stages are numbered again), "
                          "`probability` (0–100) and/or `max_days` (1–3650 days a deal may stay in the stage "
                          "before the board marks it; null removes the limit). All or nothing.")
def update_stage(request, stage_id: Id, payload: StagePatch):
    require_permission(request, "crm.view_pipeline")
    require_permission(request, "crm.change_stage")
    stage = get_object_or_404(Stage, pk=stage_id)
    values = payload.dict(exclude_unset=True)
    for key in ("probability", "name", "position"):
        if key in values and values[key] is None:
            raise BusinessRuleError("required", _("This field cannot be empty."), field=key)
    with transaction.atomic():
        if "name" in values:
            stage = services.rename_stage(stage, by=request.user, name=values["name"])
        if "position" in values:
            stage = services.move_stage(stage, by=request.user, position=values["position"])
        if "probability" in values or "max_days" in values:
            stage = services.update_stage(stage, by=request.user,
                                          probability=values.get("probability", stage.probability),
                                          max_days=values.get("max_days", stage.max_days))
    return Stage.objects.prefetch_related("rules").get(pk=stage.pk)


@router.post("/pipelines", response={201: PipelineOut}, summary="Create a pipeline with stages and rules")
def create_pipeline(request, payload: PipelineIn):
    require_permission(request, "crm.add_pipeline")
    data = payload.dict()
    for stage in data["stages"]:
        for rule in stage["rules"]:
            rule["required_role"] = resolve_visible(Group, rule.pop("required_role_id", None), "required_role_id")
    pipeline = services.create_pipeline(by=request.user, name=data["name"], is_default=data["is_default"],
                                        stages=data["stages"], win_rules=data["win_rules"])
    return pipelines_with_stages().get(pk=pipeline.pk)


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut, summary="Rename a pipeline or change its settings",
              description="Send only what changes: `name` (not empty, unique in any letter case: 409 "
                          "`duplicate`); `win_rules`: which rules winning a deal checks, `remaining` (its stage "
                          "and every later stage) or `current` (its stage only). All or nothing.")
def update_pipeline(request, pipeline_id: Id, payload: PipelinePatch):
    pipeline = _pipeline(request, pipeline_id)
    require_permission(request, "crm.change_pipeline")
    values = payload.dict(exclude_unset=True)
    for key in ("name", "win_rules"):
        if key in values and values[key] is None:
            raise BusinessRuleError("required", _("This field cannot be empty."), field=key)
    with transaction.atomic():
        if "name" in values:
            pipeline = services.rename_pipeline(pipeline, by=request.user, name=values["name"])
        if "win_rules" in values:
            pipeline = services.set_win_rules(pipeline, by=request.user, win_rules=values["win_rules"])
    return pipelines_with_stages().get(pk=pipeline.pk)


def _rule(request, rule_id: int) -> StageRule:
    require_permission(request, "crm.view_pipeline")
    return get_object_or_404(StageRule.objects.select_related("stage__pipeline", "required_role"), pk=rule_id)


@router.patch("/stage-rules/{rule_id}", response=StageRuleOut,
              summary="Relabel a checklist item or set the role that ticks it",
              description="Send only what changes: `label` (a checklist item's; not empty, unique among the "
                          "stage's items in any letter case: 409 `duplicate`) and/or `required_role_id`. "
                          "All or nothing.")
def update_stage_rule(request, rule_id: Id, payload: StageRulePatch):
    rule = _rule(request, rule_id)
    require_permission(request, "crm.change_stagerule")
    values = payload.dict(exclude_unset=True)
    if "label" in values and values["label"] is None:
        raise BusinessRuleError("required", _("A checklist item needs a label."), field="label")
    with transaction.atomic():
        if "label" in values:
            rule = services.relabel_stage_rule(rule, by=request.user, label=values["label"])
        if "required_role_id" in values:
            role = resolve_visible(Group, values["required_role_id"], "required_role_id")
            rule = services.set_rule_role(rule, by=request.user, required_role=role)
    return StageRule.objects.get(pk=rule.pk)


@router.post("/stage-rules/{rule_id}/archive", response=StageRuleOut,
             summary="Archive a stage rule (it no longer holds deals back; ticks stay)")
def archive_stage_rule(request, rule_id: Id):
    return services.archive_stage_rule(_rule(request, rule_id), by=request.user)


@router.post("/stage-rules/{rule_id}/restore", response=StageRuleOut, summary="Restore an archived stage rule")
def restore_stage_rule(request, rule_id: Id):
    return services.restore_stage_rule(_rule(request, rule_id), by=request.user)


@router.delete("/stage-rules/{rule_id}", response={204: None},
               summary="Delete a stage rule no deal ticked (409 naming the ticks otherwise: archive it)")
def delete_stage_rule(request, rule_id: Id):
    services.delete_stage_rule(_rule(request, rule_id), by=request.user)


@router.get("/lost-reasons", response=list[LostReasonOut], summary="Lost reasons")
def list_lost_reasons(request):
    require_permission(request, "crm.view_lostreason")
    return list(LostReason.objects.all())


@router.post("/lost-reasons", response={201: LostReasonOut}, summary="Add a lost reason")
def create_lost_reason(request, payload: LostReasonIn):
    require_permission(request, "crm.add_lostreason")
    return services.create_lost_reason(by=request.user, name=payload.name)


# --- Report -------------------------------------------------------------------------------------------

@router.get("/reports/lost-at-stage", response=LostAtStageOut, summary="Deals lost per stage, time per stage",
            description="404 when `pipeline` names no pipeline.")
@declares(404)
def lost_at_stage(request, filters: Query[LostAtStageFilters]):
    require_permission(request, "crm.view_deal")
    if filters.pipeline:
        pipeline = get_object_or_404(Pipeline, pk=filters.pipeline)
    else:
        pipeline = Pipeline.objects.order_by("-is_default", "name").first()
        if pipeline is None:
            raise BusinessRuleError("no_pipeline", _("Set up a sales pipeline first."), field="pipeline")
    report = reports.lost_at_stage(visible_deals(request.user), pipeline, filters.date_from, filters.date_to)
    return {
        "pipeline": {"id": pipeline.pk, "name": pipeline.name},
        "date_from": report.date_from,
        "date_to": report.date_to,
        "total_lost": report.total_lost,
        "total_amounts": money_list(report.total_amounts),
        "total_base": report.total_base,
        "stages": [
            {"stage": {"id": row.stage_id, "name": row.name}, "lost_count": row.lost_count,
             "lost_share": str(row.lost_share), "lost_amounts": money_list(row.lost_amounts),
             "lost_base": row.lost_base,
             "completed_visits": row.completed_visits,
             "average_days": None if row.average_days is None else str(row.average_days)}
            for row in report.stages
        ],
    }
