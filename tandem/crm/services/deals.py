"""Deals: open, lead through stages (rules checked), win, lose, reopen; pipeline set-up.

Each public function is one business action: it checks, locks, writes, records the stage visit and the
audit entry in one transaction. The kanban board and the API call the same functions.

Stage rules: a deal may leave a stage forward only when that stage's rules are met (checklist items
ticked, required fields filled); moving forward over several stages needs the rules of every stage it
leaves or passes. Moving backward is always allowed (a deal that needs more work goes back without
conditions). Every entry into and exit from a stage is a DealStageVisit row with its times.

Concurrent edits: every change adds one to `deal.version`; `update_deal(expected_version=…)` refuses an edit
based on an older version (409 "stale"), and `move_deal_to_stage(from_stage=…)` refuses a move from a board
that no longer shows where the deal is. The database backs these with constraints (one open stage visit per
deal, amounts within core.limits' range, one default pipeline, pipeline names unique in any letter case)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tandem.core import archive, audit, deletion, limits, owners, reference_lists, workflow
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.currencies import is_active_currency
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import User
from tandem.core.money import quantize
from tandem.core.permissions import require_permission
from tandem.core.services import base_currency
from tandem.crm.models import Deal, DealChecklistItem, DealStageVisit, LostReason, Pipeline, Stage, StageRule
from tandem.parties.models import Client

DEAL_FIELDS = ("title", "client", "counterparty", "contact", "owner", "stage", "status", "amount",
               "currency", "expected_close_date", "source", "campaign", "event", "lost_reason", "lost_note")



def _rounded(amount, currency: str):
    """Amounts are stored rounded to the currency's minor unit (core.money.quantize); an unknown currency
    is left for the model's validation to refuse."""
    if amount is None or amount == "":
        return None
    if not is_active_currency(currency):
        return amount
    return quantize(amount, currency)


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.active().order_by("-is_default", "name").first()
    if pipeline is None:
        raise BusinessRuleError("no_pipeline", _("Set up a sales pipeline first."), field="pipeline")
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
    inherited_attribution: bool = False,
) -> Deal:
    """Open a deal early: only client and title are needed; it starts in the pipeline's first stage
    (or the given one) and inherits the client's first source when none is given.

    New links to archived rows are refused, except attribution carried over from a lead
    (`inherited_attribution`): a lead of a campaign that has since ended keeps its campaign."""
    require_permission(by, "crm.add_deal")
    title = (title or "").strip()
    if not title:
        raise BusinessRuleError("required", _("A deal needs a title."), field="title")
    pipeline = pipeline or (stage.pipeline if stage else default_pipeline())
    if stage is None:
        stage = pipeline.stages.order_by("position").first()
        if stage is None:
            raise BusinessRuleError("no_stage", _("Pipeline “%(pipeline)s” has no stages.") % {"pipeline": pipeline},
                                    field="pipeline")
    elif stage.pipeline_id != pipeline.pk:
        raise BusinessRuleError("stage_not_in_pipeline", _("Stage “%(stage)s” is not in pipeline “%(pipeline)s”.")
                                % {"stage": stage, "pipeline": pipeline}, field="stage")
    if counterparty is not None and counterparty.client_id != client.pk:
        raise BusinessRuleError("foreign_counterparty", _("The counterparty belongs to another client."),
                                field="counterparty")
    if contact is not None and contact.client_id != client.pk:
        raise BusinessRuleError("foreign_contact", _("The contact person belongs to another client."),
                                field="contact")
    owner = owner or by
    owners.check_owner(owner)
    if owner != by and not by.has_perm("crm.view_all_deals"):
        raise BusinessRuleError("owner_not_allowed", _("You can only open deals you own."), field="owner")
    if amount is not None and Decimal(amount) < 0:
        raise BusinessRuleError("negative_amount", _("The amount cannot be negative."), field="amount")
    limits.check_amount(amount, field="amount")
    currency = (currency or base_currency()).upper()
    amount = _rounded(amount, currency)
    limits.check_amount(amount, field="amount")  # rounding to the currency may carry it past the range
    now = timezone.now()
    deal = Deal(
        title=title, client=client, stage=stage, owner=owner, amount=amount,
        currency=currency, counterparty=counterparty, contact=contact,
        expected_close_date=expected_close_date, source=source, campaign=campaign,
        event=event, stage_entered_at=now, created_by=by,
    )
    if pipeline.is_archived:  # not a column of the deal (its stage's pipeline), so checked here
        raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                % {"name": pipeline}, field="pipeline")
    archive.refuse_archived_links(
        deal, ("client", "counterparty", "contact", "stage")
        + (() if inherited_attribution else ("source", "campaign", "event")))
    if deal.source is None and client.first_source is not None and not client.first_source.is_archived:
        deal.source = client.first_source
    try:
        deal.full_clean(exclude=["client", "stage", "owner", "counterparty", "contact", "source",
                                 "campaign", "event", "lost_reason"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=field) from None
    with transaction.atomic():
        deal.save()
        DealStageVisit.objects.create(deal=deal, stage=stage, entered_at=now, entered_by=by)
        audit.record(deal, "crm.deal.created", by=by, root=client, changes=audit.snapshot(deal, DEAL_FIELDS))
    return deal


# --- Changing a deal ----------------------------------------------------------------------------------

UPDATABLE_FIELDS = ("title", "client", "counterparty", "contact", "owner", "amount", "currency",
                    "expected_close_date", "source", "campaign", "event")


def _check_owner(deal: Deal, by: User) -> None:
    """Defence in depth behind the record rule of crm.queries.visibility: a representative touches own deals only."""
    if deal.owner_id != by.pk and not by.has_perm("crm.view_all_deals"):
        raise AccessDenied()


def _lock(deal: Deal) -> Deal:
    # Lock the row alone, then read it with its stage: on PostgreSQL a FOR UPDATE joined to the stage would,
    # after waiting for a concurrent move, recheck the join against the old stage and find no row at all.
    Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).get()
    return Deal.objects.select_related("stage__pipeline").get(pk=deal.pk)


def update_deal(deal: Deal, *, by: User, expected_version: int | None = None, **values) -> Deal:
    """Change a deal's details (not its stage or status: those have their own actions).

    `expected_version` is the version the user saw: when someone changed the deal since, nothing is written
    and 409 "stale" is raised. None changes the current version (no precondition)."""
    require_permission(by, "crm.change_deal")
    _check_owner(deal, by)
    unknown = set(values) - set(UPDATABLE_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    with transaction.atomic():
        locked = _lock(deal)
        refuse_stale(locked, expected_version)
        before = audit.snapshot(locked, UPDATABLE_FIELDS)
        if "owner" in values and getattr(values["owner"], "pk", None) != locked.owner_id:
            # Only a new owner is checked: a deal keeps an owner who has since left until it is handed on.
            if values["owner"] is None:
                raise BusinessRuleError("required", _("A deal needs an owner."), field="owner")
            owners.check_owner(values["owner"])
        links = archive.link_ids(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        archive.refuse_archived_links(locked, before=links)
        if "title" in values:
            locked.title = (locked.title or "").strip()
            if not locked.title:
                raise BusinessRuleError("required", _("A deal needs a title."), field="title")
        if locked.currency:
            locked.currency = locked.currency.upper()
        if locked.amount is not None and Decimal(locked.amount) < 0:
            raise BusinessRuleError("negative_amount", _("The amount cannot be negative."), field="amount")
        limits.check_amount(locked.amount, field="amount")
        locked.amount = _rounded(locked.amount, locked.currency)
        limits.check_amount(locked.amount, field="amount")  # rounding to the currency may carry it past the range
        if locked.counterparty_id and locked.counterparty.client_id != locked.client_id:
            raise BusinessRuleError("foreign_counterparty", _("The counterparty belongs to another client."),
                                    field="counterparty")
        if locked.contact_id and locked.contact.client_id != locked.client_id:
            raise BusinessRuleError("foreign_contact", _("The contact person belongs to another client."),
                                    field="contact")
        if "owner" in values and locked.owner_id != by.pk and not by.has_perm("crm.view_all_deals"):
            raise BusinessRuleError("owner_not_allowed", _("You can only hand a deal to yourself."), field="owner")
        try:
            locked.full_clean(exclude=["client", "stage", "owner", "counterparty", "contact", "source",
                                       "campaign", "event", "lost_reason", "stage_entered_at"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise BusinessRuleError("invalid", messages[0], field=field) from None
        changes = audit.diff(before, audit.snapshot(locked, UPDATABLE_FIELDS))
        if changes:
            bump_version(locked)
            locked.save()
            audit.record(locked, "crm.deal.changed", by=by, root=locked.client, changes=changes)
    return locked


# --- Stage rules and moves ----------------------------------------------------------------------------

def missing_for_stage(deal: Deal, stage: Stage, done_rule_ids: set[int] | None = None) -> list[str]:
    """Labels of the rules of `stage` this deal has not met yet, in the rules' order."""
    if done_rule_ids is None:
        done_rule_ids = set(DealChecklistItem.objects.filter(deal=deal, done_at__isnull=False)
                            .values_list("rule_id", flat=True))
    missing = []
    for rule in stage.rules.all():
        if rule.is_archived:  # read from a prefetch or not, an archived rule holds nothing back
            continue
        if rule.kind == StageRule.Kind.CHECKLIST:
            if rule.pk not in done_rule_ids:
                missing.append(rule.label)
        else:
            field = Deal._meta.get_field(rule.field_name)
            if getattr(deal, field.attname) in (None, ""):
                missing.append(str(StageRule.REQUIRABLE_FIELDS.get(rule.field_name, rule.field_name)))
    return missing


def move_deal_to_stage(deal: Deal, stage: Stage, *, by: User, from_stage: Stage | None = None) -> Deal:
    """Move an open deal to another stage of its pipeline.

    Forward: refused with code "stage_rule_unmet" (409) naming what is missing, and a `missing` list, when a
    rule of the stage it leaves (or of a stage it skips) is unmet. Backward: always allowed.
    `from_stage` is the stage the user saw the deal in (the board's column): when the deal has moved since,
    the move is refused with 409 "stale" (a stale board must not move a deal backward unnoticed).
    Closes the open stage visit, opens a new one, audits "crm.deal.moved"."""
    require_permission(by, "crm.change_deal")
    _check_owner(deal, by)
    with transaction.atomic():
        locked = _lock(deal)
        if from_stage is not None and from_stage.pk != locked.stage_id:
            raise ConflictError(
                "stale",
                _("This deal was changed by someone else since you opened it: it is in “%(stage)s” now, "
                  "not in “%(seen)s”. Nothing was moved.") % {"stage": locked.stage, "seen": from_stage},
                field="stage", extra={"current_stage_id": locked.stage_id},
            )
        if not locked.can_move():
            raise ConflictError("deal_closed", _("A closed deal cannot change its stage; reopen it first."),
                                field="stage")
        if stage.pipeline_id != locked.pipeline_id:
            raise BusinessRuleError("stage_not_in_pipeline", _("Stage “%(stage)s” is not in pipeline “%(pipeline)s”.")
                                    % {"stage": stage, "pipeline": locked.pipeline}, field="stage")
        if stage.is_archived and stage.pk != locked.stage_id:
            raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                    % {"name": stage}, field="stage")
        current = locked.stage
        if stage.pk == current.pk:
            return locked
        forward = stage.position > current.position
        if forward:
            left = Stage.objects.filter(pipeline_id=locked.pipeline_id, position__gte=current.position,
                                        position__lt=stage.position).prefetch_related("rules").order_by("position")
            done = set(DealChecklistItem.objects.filter(deal=locked, done_at__isnull=False)
                       .values_list("rule_id", flat=True))
            missing = [label for passed in left for label in missing_for_stage(locked, passed, done)]
            if missing:
                raise ConflictError(
                    "stage_rule_unmet",
                    _("The deal cannot leave “%(stage)s” yet. Missing: %(missing)s.")
                    % {"stage": current, "missing": ", ".join(missing)},
                    field="stage", extra={"missing": missing},
                )
        now = timezone.now()
        DealStageVisit.objects.filter(deal=locked, left_at__isnull=True).update(left_at=now)
        DealStageVisit.objects.create(deal=locked, stage=stage, entered_at=now, entered_by=by)
        locked.stage = stage
        locked.stage_entered_at = now
        locked.save(update_fields=["stage", "stage_entered_at", "updated_at", *bump_version(locked)])
        audit.record(locked, "crm.deal.moved", by=by, root=locked.client,
                     changes={"stage": [current.name, stage.name], "forward": forward})
    return locked


def set_checklist_item(deal: Deal, rule: StageRule, done: bool, *, by: User) -> DealChecklistItem:
    """Tick (or untick) a checklist item of a stage of the deal's pipeline. An item that names a role
    (`required_role`) is ticked and unticked only by people of that role: others get 403."""
    require_permission(by, "crm.change_deal")
    _check_owner(deal, by)
    if rule.kind != StageRule.Kind.CHECKLIST:
        raise BusinessRuleError("not_a_checklist_item", _("“%(rule)s” is not a checklist item.") % {"rule": rule},
                                field="rule")
    with transaction.atomic():
        locked = _lock(deal)
        if rule.stage.pipeline_id != locked.pipeline_id:
            raise BusinessRuleError("rule_not_in_pipeline", _("This checklist item belongs to another pipeline."),
                                    field="rule")
        if not locked.can_move():
            raise ConflictError("deal_closed", _("The checklist of a closed deal cannot change."), field="rule")
        if rule.is_archived:
            raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                    % {"name": rule}, field="rule")
        if not rule.may_tick(by):
            raise AccessDenied(rule.tick_refusal())
        item, _created = DealChecklistItem.objects.select_for_update().get_or_create(deal=locked, rule=rule)
        was_done = item.done_at is not None
        if was_done != bool(done):
            item.done_at = timezone.now() if done else None
            item.done_by = by if done else None
            item.save()
            audit.record(locked, "crm.deal.checklist", by=by, root=locked.client,
                         changes={rule.label: [was_done, bool(done)]})
    return item


# --- Win, lose, reopen --------------------------------------------------------------------------------

def _close_visit(deal: Deal, when) -> None:
    DealStageVisit.objects.filter(deal=deal, left_at__isnull=True).update(left_at=when)


def stages_to_win(deal: Deal) -> list[Stage]:
    """The stages whose rules must hold before the deal may be won: its stage and every later one, or
    only its stage when its pipeline relaxes it (Pipeline.win_rules)."""
    stages = Stage.objects.filter(pipeline_id=deal.stage.pipeline_id).prefetch_related("rules").order_by("position")
    if deal.stage.pipeline.win_rules == Pipeline.WinRules.CURRENT:
        return list(stages.filter(pk=deal.stage_id))
    return list(stages.filter(position__gte=deal.stage.position))


def missing_to_win(deal: Deal) -> list[str]:
    """Labels of the rules still unmet before the deal may be won (see stages_to_win), in stage order."""
    done = set(DealChecklistItem.objects.filter(deal=deal, done_at__isnull=False).values_list("rule_id", flat=True))
    return [label for stage in stages_to_win(deal) for label in missing_for_stage(deal, stage, done)]


def win_deal(deal: Deal, *, by: User) -> Deal:
    """Mark an open deal won: it keeps its stage, its stage visit ends now.

    Winning finishes the pipeline, so the rules of the deal's stage and of every later stage must be met
    (only its stage's when the pipeline says so): otherwise 409 "stage_rule_unmet" with a `missing` list,
    as for a move."""
    require_permission(by, "crm.change_deal")
    _check_owner(deal, by)
    with transaction.atomic():
        locked = _lock(deal)
        if locked.can_win():
            missing = missing_to_win(locked)
            if missing:
                raise ConflictError(
                    "stage_rule_unmet",
                    _("The deal cannot be won yet. Missing: %(missing)s.") % {"missing": ", ".join(missing)},
                    field="stage", extra={"missing": missing},
                )
        won = workflow.transition(locked, Deal.Status.WON, by=by)
        won.closed_at = won.status_changed_at
        won.save(update_fields=["closed_at", *bump_version(won)])
        _close_visit(won, won.closed_at)
    return won


def lose_deal(deal: Deal, *, by: User, lost_reason: LostReason | None, note: str = "") -> Deal:
    """Mark an open deal lost with a reason; it keeps the stage at which it was lost."""
    require_permission(by, "crm.change_deal")
    _check_owner(deal, by)
    if lost_reason is None:
        raise BusinessRuleError("lost_reason_required", _("Say why the deal was lost."), field="lost_reason")
    if not lost_reason.is_active:
        raise BusinessRuleError("lost_reason_inactive", _("This lost reason is no longer in use."),
                                field="lost_reason")
    with transaction.atomic():
        lost = workflow.transition(deal, Deal.Status.LOST, by=by,
                                   data={"lost_reason": lost_reason.name, "stage": deal.stage.name})
        lost.closed_at = lost.status_changed_at
        lost.lost_reason = lost_reason
        lost.lost_note = (note or "").strip()
        lost.save(update_fields=["closed_at", "lost_reason", "lost_note", *bump_version(lost)])
        _close_visit(lost, lost.closed_at)
    return lost


def reopen_deal(deal: Deal, *, by: User) -> Deal:
    """Reopen a won or lost deal in the stage it was closed at (a new stage visit starts)."""
    require_permission(by, "crm.change_deal")
    _check_owner(deal, by)
    with transaction.atomic():
        opened = workflow.transition(deal, Deal.Status.OPEN, by=by)
        now = opened.status_changed_at
        opened.closed_at = None
        opened.lost_reason = None
        opened.lost_note = ""
        opened.stage_entered_at = now
        opened.save(update_fields=["closed_at", "lost_reason", "lost_note", "stage_entered_at",
                                   *bump_version(opened)])
        DealStageVisit.objects.create(deal=opened, stage=opened.stage, entered_at=now, entered_by=by)
    return opened


# --- Pipeline set-up ----------------------------------------------------------------------------------

def add_stage_rule(stage: Stage, *, by: User, kind: str, label: str = "", field_name: str = "",
                   required_role: Group | None = None) -> StageRule:
    """A checklist item or a required field for leaving `stage`; a checklist item may name the role
    (`required_role`, a group) whose people alone may tick it."""
    require_permission(by, "crm.add_stagerule")
    label = (label or "").strip()
    if required_role is not None and kind != StageRule.Kind.CHECKLIST:
        raise BusinessRuleError("role_for_checklist_only", _("Only a checklist item can require a role."),
                                field="required_role")
    if kind == StageRule.Kind.CHECKLIST:
        if not label:
            raise BusinessRuleError("required", _("A checklist item needs a label."), field="label")
        field_name = ""
    elif kind == StageRule.Kind.REQUIRED_FIELD:
        if field_name not in StageRule.REQUIRABLE_FIELDS:
            raise BusinessRuleError("unknown_field", _("A rule can require one of: %(fields)s.")
                                    % {"fields": ", ".join(StageRule.REQUIRABLE_FIELDS)}, field="field_name")
        label = label or str(StageRule.REQUIRABLE_FIELDS[field_name])
    else:
        raise BusinessRuleError("unknown_kind", _("Unknown kind of rule."), field="kind")
    with transaction.atomic():
        position = stage.rules.count()
        rule = StageRule.objects.create(stage=stage, kind=kind, label=label, field_name=field_name,
                                        position=position, required_role=required_role)
        changes = {"stage": stage.name, "rule": str(rule), "kind": kind}
        if required_role is not None:
            changes["role"] = required_role.name
        audit.record(stage.pipeline, "crm.pipeline.rule_added", by=by, changes=changes)
    return rule


def set_rule_role(rule: StageRule, *, by: User, required_role: Group | None) -> StageRule:
    """Let only people of `required_role` tick a checklist item (None: anyone who may change the deal)."""
    require_permission(by, "crm.change_stagerule")
    if required_role is not None and rule.kind != StageRule.Kind.CHECKLIST:
        raise BusinessRuleError("role_for_checklist_only", _("Only a checklist item can require a role."),
                                field="required_role")
    with transaction.atomic():
        StageRule.objects.select_for_update().filter(pk=rule.pk).values_list("pk", flat=True).get()
        locked = StageRule.objects.select_related("stage__pipeline", "required_role").get(pk=rule.pk)
        before = locked.required_role.name if locked.required_role_id else None
        after = required_role.name if required_role is not None else None
        if before != after:
            locked.required_role = required_role
            locked.save(update_fields=["required_role"])
            audit.record(locked.stage.pipeline, "crm.pipeline.rule_changed", by=by,
                         changes={"stage": locked.stage.name, "rule": str(locked), "role": [before, after]})
    return locked


def set_win_rules(pipeline: Pipeline, *, by: User, win_rules: str) -> Pipeline:
    """Which rules winning a deal of the pipeline checks: its stage and every later one, or its stage only."""
    require_permission(by, "crm.change_pipeline")
    if win_rules not in Pipeline.WinRules.values:
        raise BusinessRuleError("invalid", _("Choose one of: %(choices)s.")
                                % {"choices": ", ".join(Pipeline.WinRules.values)}, field="win_rules")
    with transaction.atomic():
        locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        if locked.win_rules != win_rules:
            before = locked.win_rules
            locked.win_rules = win_rules
            locked.save(update_fields=["win_rules"])
            audit.record(locked, "crm.pipeline.changed", by=by, changes={"win_rules": [before, win_rules]})
    return locked


def _check_stage_values(probability, max_days) -> None:
    if not 0 <= int(probability) <= 100:
        raise BusinessRuleError("invalid_probability", _("The probability is a percentage from 0 to 100."),
                                field="probability")
    if max_days is not None and not 1 <= int(max_days) <= 3650:
        raise BusinessRuleError("invalid_max_days", _("The days allowed in a stage are from 1 to 3650, or empty."),
                                field="max_days")


def add_stage(pipeline: Pipeline, *, by: User, name: str, probability: int = 10, max_days: int | None = None,
              rules=()) -> Stage:
    """Append a stage at the end of a pipeline, with its rules ({kind, label, field_name} dicts). `max_days`:
    deals staying longer in the stage are marked on the board (None: no limit)."""
    require_permission(by, "crm.add_stage")
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", _("A stage needs a name."), field="name")
    _check_stage_values(probability, max_days)
    with transaction.atomic():
        Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        last = pipeline.stages.order_by("-position").values_list("position", flat=True).first() or 0
        stage = Stage.objects.create(pipeline=pipeline, name=name, position=last + 1, probability=int(probability),
                                     max_days=max_days)
        audit.record(pipeline, "crm.pipeline.stage_added", by=by,
                     changes={"stage": name, "probability": int(probability), "max_days": max_days})
        for rule in rules:
            add_stage_rule(stage, by=by, kind=rule.get("kind", StageRule.Kind.CHECKLIST),
                           label=rule.get("label", ""), field_name=rule.get("field_name", ""),
                           required_role=rule.get("required_role"))
    return stage


def create_pipeline(*, by: User, name: str, stages=(), is_default: bool = False,
                    win_rules: str = Pipeline.WinRules.REMAINING) -> Pipeline:
    """A pipeline with ordered stages: stages=[{name, probability, rules: [{kind, label, field_name,
    required_role}]}]; `win_rules` says which stages' rules winning a deal checks."""
    require_permission(by, "crm.add_pipeline")
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", _("A pipeline needs a name."), field="name")
    if win_rules not in Pipeline.WinRules.values:
        raise BusinessRuleError("invalid", _("Choose one of: %(choices)s.")
                                % {"choices": ", ".join(Pipeline.WinRules.values)}, field="win_rules")
    duplicate = ConflictError("duplicate", _("A pipeline “%(name)s” exists already.") % {"name": name}, field="name")
    if Pipeline.objects.filter(name__iexact=name).exists():
        raise duplicate
    with transaction.atomic():
        first = not Pipeline.objects.exists()
        if is_default:
            list(Pipeline.objects.select_for_update().filter(is_default=True))
            Pipeline.objects.filter(is_default=True).update(is_default=False)
        try:
            with transaction.atomic():
                pipeline = Pipeline.objects.create(name=name, is_default=is_default or first, win_rules=win_rules)
        except IntegrityError as exc:
            # Created at the same time: the same name (any letter case), or a second default.
            if Pipeline.objects.filter(name__iexact=name).exists():
                raise duplicate from None
            raise exc
        audit.record(pipeline, "crm.pipeline.created", by=by, changes={"name": name})
        for stage in stages:
            add_stage(pipeline, by=by, name=stage["name"], probability=stage.get("probability", 10),
                      max_days=stage.get("max_days"), rules=stage.get("rules", ()))
    return pipeline


def archive_pipeline(pipeline: Pipeline, *, by: User) -> Pipeline:
    """No longer offered for new deals; its deals stay in it and on its board."""
    require_permission(by, "crm.change_pipeline")
    if pipeline.is_default and not pipeline.is_archived:
        raise ConflictError("default_pipeline", _("Make another pipeline the default before archiving this one."),
                            field="is_default")
    return archive.archive(pipeline, by=by)


def restore_pipeline(pipeline: Pipeline, *, by: User) -> Pipeline:
    require_permission(by, "crm.change_pipeline")
    return archive.restore(pipeline, by=by)


def delete_pipeline(pipeline: Pipeline, *, by: User) -> None:
    """Only a pipeline no deal went through; otherwise refused (409) naming the deals."""
    require_permission(by, "crm.delete_pipeline")
    deletion.delete(pipeline, by=by, changes={"name": pipeline.name})


def update_stage(stage: Stage, *, by: User, probability: int, max_days: int | None) -> Stage:
    """Change a stage's probability (the board's weighted forecast) and the days a deal may stay in it."""
    require_permission(by, "crm.change_stage")
    _check_stage_values(probability, max_days)
    with transaction.atomic():
        locked = Stage.objects.select_for_update().select_related("pipeline").get(pk=stage.pk)
        before = audit.snapshot(locked, ("probability", "max_days"))
        locked.probability, locked.max_days = int(probability), max_days
        locked.save(update_fields=["probability", "max_days"])
        changed = audit.diff(before, audit.snapshot(locked, ("probability", "max_days")))
        if changed:
            audit.record(locked, "crm.stage.updated", by=by, root=locked.pipeline, changes=changed)
    return locked


def archive_stage(stage: Stage, *, by: User) -> Stage:
    """Deals no longer move into the stage; those in it stay and may move on."""
    require_permission(by, "crm.change_stage")
    return archive.archive(stage, by=by, root=stage.pipeline)


def restore_stage(stage: Stage, *, by: User) -> Stage:
    require_permission(by, "crm.change_stage")
    return archive.restore(stage, by=by, root=stage.pipeline)


# --- Renaming and reordering (the settings page, instead of the Django admin) ---------------------------

def rename_pipeline(pipeline: Pipeline, *, by: User, name: str) -> Pipeline:
    """Deals, boards and reports of the pipeline show the new name. Names are unique in any letter case."""
    require_permission(by, "crm.change_pipeline")
    return reference_lists.rename_entry(
        pipeline, by=by, name=name, action="crm.pipeline.changed",
        duplicate=_("A pipeline “%(name)s” exists already."))


def rename_stage(stage: Stage, *, by: User, name: str) -> Stage:
    """Deals in the stage and its history show the new name. Two stages of one pipeline may not share a
    name (in any letter case): the board, the moves and the reports would not tell them apart."""
    require_permission(by, "crm.change_stage")
    name = reference_lists.clean_name(name)
    with transaction.atomic():
        locked = Stage.objects.select_for_update().select_related("pipeline").get(pk=stage.pk)
        if Stage.objects.filter(pipeline_id=locked.pipeline_id, name__iexact=name).exclude(pk=locked.pk).exists():
            raise ConflictError("duplicate", _("Pipeline “%(pipeline)s” has a stage “%(name)s” already.")
                                % {"pipeline": locked.pipeline, "name": name}, field="name")
        if locked.name != name:
            changes = {"name": [locked.name, name]}
            locked.name = name
            locked.save(update_fields=["name"])
            audit.record(locked, "crm.stage.updated", by=by, root=locked.pipeline, changes=changes)
    return locked


def move_stage(stage: Stage, *, by: User, position: int, expected_position: int | None = None) -> Stage:
    """Put a stage at `position` (1 = first) of its pipeline; the stages are numbered 1, 2, 3… again.

    Deals stay in their stages (won and lost ones too); which way a later move of a deal goes, and which
    stages' rules it checks, follow the new order. `expected_position` is where the user saw the stage: when
    someone moved it since, nothing moves (409 "stale")."""
    require_permission(by, "crm.change_stage")
    try:
        position = int(position)
    except (TypeError, ValueError):
        position = 0
    with transaction.atomic():
        Pipeline.objects.select_for_update().filter(pk=stage.pipeline_id).values_list("pk", flat=True).get()
        stages = list(Stage.objects.select_for_update().filter(pipeline_id=stage.pipeline_id)
                      .order_by("position", "pk"))
        locked = next(s for s in stages if s.pk == stage.pk)
        if expected_position is not None and int(expected_position) != locked.position:
            raise ConflictError(
                "stale", _("Someone moved stage “%(stage)s” since you opened the page; nothing was moved. "
                           "Reload the page to see the order now.") % {"stage": locked.name},
                field="position", extra={"current_position": locked.position})
        if not 1 <= position <= len(stages):
            raise BusinessRuleError("invalid_position", _("The position is a number from 1 to %(count)s.")
                                    % {"count": len(stages)}, field="position")
        before = locked.position
        stages.remove(locked)
        stages.insert(position - 1, locked)
        renumbered = [(s, index) for index, s in enumerate(stages, start=1) if s.position != index]
        if renumbered:
            # (pipeline, position) is unique at every row written: park the rows past the end first.
            offset = max(s.position for s in stages) + len(stages) + 1
            for s, _index in renumbered:
                Stage.objects.filter(pk=s.pk).update(position=s.position + offset)
            for s, index in renumbered:
                Stage.objects.filter(pk=s.pk).update(position=index)
                s.position = index
            audit.record(locked, "crm.stage.moved", by=by, root=locked.pipeline,
                         changes={"position": [before, locked.position]})
    return locked


def _lock_rule(rule: StageRule) -> StageRule:
    StageRule.objects.select_for_update().filter(pk=rule.pk).values_list("pk", flat=True).get()
    return StageRule.objects.select_related("stage__pipeline", "required_role").get(pk=rule.pk)


def relabel_stage_rule(rule: StageRule, *, by: User, label: str) -> StageRule:
    """Rename a checklist item; deals that ticked it keep the tick. (A required field is named by its field.)"""
    require_permission(by, "crm.change_stagerule")
    label = (label or "").strip()
    if rule.kind != StageRule.Kind.CHECKLIST:
        raise BusinessRuleError("not_a_checklist_item", _("Only a checklist item has a label of its own; a "
                                                          "required field is named by its field."), field="label")
    if not label:
        raise BusinessRuleError("required", _("A checklist item needs a label."), field="label")
    if len(label) > 200:
        raise BusinessRuleError("too_long", _("At most %(n)s characters.") % {"n": 200}, field="label")
    with transaction.atomic():
        locked = _lock_rule(rule)
        if locked.is_archived:
            raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                    % {"name": locked}, field="label")
        if StageRule.objects.active().filter(stage_id=locked.stage_id, kind=StageRule.Kind.CHECKLIST,
                                             label__iexact=label).exclude(pk=locked.pk).exists():
            raise ConflictError("duplicate", _("Stage “%(stage)s” has a checklist item “%(label)s” already.")
                                % {"stage": locked.stage.name, "label": label}, field="label")
        if locked.label != label:
            before = locked.label
            locked.label = label
            locked.save(update_fields=["label"])
            audit.record(locked.stage.pipeline, "crm.pipeline.rule_renamed", by=by,
                         changes={"stage": locked.stage.name, "rule": [before, label]})
    return locked


def archive_stage_rule(rule: StageRule, *, by: User) -> StageRule:
    """The rule no longer holds deals back nor shows on checklists; the ticks that name it stay."""
    require_permission(by, "crm.change_stagerule")
    return archive.archive(rule, by=by, root=rule.stage.pipeline)


def restore_stage_rule(rule: StageRule, *, by: User) -> StageRule:
    require_permission(by, "crm.change_stagerule")
    return archive.restore(rule, by=by, root=rule.stage.pipeline)


def delete_stage_rule(rule: StageRule, *, by: User) -> None:
    """Only a rule no deal ticked; otherwise refused (409) naming the ticks: archive it instead."""
    require_permission(by, "crm.delete_stagerule")
    deletion.delete(rule, by=by, root=rule.stage.pipeline, action="crm.stagerule.deleted",
                    changes={"stage": rule.stage.name, "rule": str(rule), "kind": rule.kind})


def remove_stage_rule(rule: StageRule, *, by: User) -> StageRule | None:
    """The settings page's "Remove": a rule no deal ticked is deleted (None), one with ticks is archived
    (returned), so the deals' checklist history keeps its label."""
    require_permission(by, "crm.change_stagerule")
    if deletion.references(rule) or not by.has_perm("crm.delete_stagerule"):
        return archive_stage_rule(rule, by=by)
    delete_stage_rule(rule, by=by)
    return None


def create_lost_reason(*, by: User, name: str) -> LostReason:
    require_permission(by, "crm.add_lostreason")
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", _("A lost reason needs a name."), field="name")
    duplicate = ConflictError("duplicate", _("A lost reason “%(name)s” exists already.") % {"name": name},
                              field="name")
    if LostReason.objects.filter(name__iexact=name).exists():
        raise duplicate
    try:
        with transaction.atomic():
            reason = LostReason.objects.create(name=name)
            audit.record(reason, "crm.lostreason.created", by=by, changes={"name": name})
    except IntegrityError:
        raise duplicate from None  # the same name, created at the same time
    return reason


def default_pipeline_spec() -> list[dict]:
    """The stages of the pipeline a new installation starts with (names in the active language)."""
    checklist, required = StageRule.Kind.CHECKLIST, StageRule.Kind.REQUIRED_FIELD
    return [
        {"name": _("Qualification"), "probability": 10, "rules": []},
        {"name": _("Needs analysis"), "probability": 25,
         "rules": [{"kind": checklist, "label": _("Needs identified")}]},
        {"name": _("Proposal"), "probability": 50,
         "rules": [{"kind": required, "field_name": "amount"}, {"kind": checklist, "label": _("Offer sent")}]},
        {"name": _("Negotiation"), "probability": 75,
         "rules": [{"kind": required, "field_name": "expected_close_date"}]},
        {"name": _("Closing"), "probability": 90, "rules": []},
    ]


DEFAULT_LOST_REASONS = (gettext_noop("Price too high"), gettext_noop("Chose a competitor"), gettext_noop("No budget"),
                        gettext_noop("No decision"), gettext_noop("Not reachable"))


def ensure_default_pipeline(*, by: User | None = None) -> Pipeline:
    """The default pipeline; when there is no pipeline at all, set up "Sales" (and common lost reasons).

    A set-up step of the installation, so it needs no permission (by is recorded when given)."""
    existing = Pipeline.objects.active().order_by("-is_default", "name").first()
    if existing is not None:
        return existing
    try:
        return _set_up_default_pipeline(by)
    except IntegrityError:
        # Set up at the same moment by someone else (one default pipeline, names unique): use theirs.
        theirs = Pipeline.objects.active().order_by("-is_default", "name").first()
        if theirs is None:
            raise
        return theirs


def _set_up_default_pipeline(by: User | None) -> Pipeline:
    with transaction.atomic():
        pipeline = Pipeline.objects.create(name=_("Sales"), is_default=True)
        audit.record(pipeline, "crm.pipeline.created", by=by, changes={"name": pipeline.name})
        for position, spec in enumerate(default_pipeline_spec(), start=1):
            stage = Stage.objects.create(pipeline=pipeline, name=spec["name"], position=position,
                                         probability=spec["probability"])
            for index, rule in enumerate(spec["rules"]):
                field_name = rule.get("field_name", "")
                label = rule.get("label") or str(StageRule.REQUIRABLE_FIELDS.get(field_name, field_name))
                StageRule.objects.create(stage=stage, kind=rule["kind"], label=label, field_name=field_name,
                                         position=index)
        if not LostReason.objects.exists():
            LostReason.objects.bulk_create(LostReason(name=_(name)) for name in DEFAULT_LOST_REASONS)
    return pipeline
