"""Deal pages: kanban board per pipeline (drag and drop moves, stage rules enforced), list with filters,
detail with the stage's checklist and stage history, win/lose/reopen, pipeline set-up, lost-at-stage report.

Thin: forms check shape, crm.services.deals applies the rules, deals are read through crm.queries.visibility."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits, modules
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment, is_htmx
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import render_child_options
from tandem.core.references import resolve_visible
from tandem.crm.forms.deals import (
    BoardFilterForm,
    DealFilterForm,
    DealForm,
    DealTaskForm,
    LoseForm,
    LostReasonForm,
    PipelineForm,
    PipelineNameForm,
    ReportForm,
    RuleLabelForm,
    RuleRemoveForm,
    RuleRoleForm,
    StageForm,
    StageLimitsForm,
    StageMoveForm,
    StageNameForm,
    StageRuleForm,
    WinRulesForm,
)
from tandem.crm.forms.interactions import InteractionForm
from tandem.crm.models import Deal, Interaction, LostReason, Pipeline, Stage, StageRule
from tandem.crm.pickers import DEAL_PICKER
from tandem.crm.queries.deals import (
    DEAL_RELATED,
    MAX_BOARD_OFFSET,
    board_cards,
    board_columns,
    board_total,
    board_weighted,
    checklist_of,
    deal_feed,
    filter_deals,
    pipelines_with_stages,
)
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.reports import deals as reports
from tandem.crm.services import deals as services
from tandem.crm.services import interactions as interaction_services
from tandem.crm.services import tasks as task_services

DEALS_PER_PAGE = 50
HISTORY_LIMIT = 50


def _deal(request, pk) -> Deal:
    return resolve_visible(visible_deals(request.user).select_related(*DEAL_RELATED), pk)


def _pipeline(request) -> Pipeline | None:
    pk = request.GET.get("pipeline") or request.POST.get("pipeline")
    if pk and limits.is_id(pk):
        return get_object_or_404(Pipeline, pk=pk)
    return Pipeline.objects.active().order_by("-is_default", "name").first()


# --- Board and list -----------------------------------------------------------------------------------

_ID_MARK = "987654321987"  # stands for a deal's id in a reversed URL


def _set_urls(deals, **url_names) -> None:
    """deal.<attribute> = the URL named for it, with the deal's id: one reverse() per name, not per deal."""
    for attribute, name in url_names.items():
        pattern = reverse(name, args=[_ID_MARK])
        for deal in deals:
            setattr(deal, attribute, pattern.replace(_ID_MARK, str(deal.pk)))


def _board_context(request, pipeline: Pipeline | None) -> dict:
    """The board of a pipeline narrowed by the filter bar (?owner=me|<id>&source=<id>&tag=<name>, which a
    move keeps: the board's script posts to the move URL with the page's query)."""
    form = BoardFilterForm(request.GET, user=request.user)
    deals = filter_deals(visible_deals(request.user), **form.filters())
    columns = board_columns(deals, pipeline) if pipeline else []
    # Each card links to its deal and posts moves to it: two URLs per card, built from one reverse() each
    # rather than two {% url %} per card (250 cards: ~25 ms of the board's rendering).
    _set_urls([deal for column in columns for deal in column["cards"]], detail_url="crm:deal-detail",
              move_url="crm:deal-move")
    query = request.GET.copy()
    query["pipeline"] = pipeline.pk if pipeline else ""
    return {"pipeline": pipeline, "columns": columns, "board_total": board_total(columns),
            "board_weighted": board_weighted(columns), "pipelines": Pipeline.objects.active(),
            "filter_form": form, "filtered": form.is_filtered(), "board_query": query.urlencode()}


@login_required
@permission_required("crm.view_deal", raise_exception=True)
def deal_board(request):
    context = _board_context(request, _pipeline(request))
    if is_htmx(request):
        return render(request, "crm/partials/_deal_board.html", context)
    return render(request, "crm/deal_board.html", context)


@login_required
@permission_required("crm.view_deal", raise_exception=True)
@fragment
def deal_board_more(request, stage_id):
    """The next cards of one board column (its "N more" link, htmx): the column's open deals from `offset` on,
    narrowed by the board's filters like the board, appended to the column; the link itself is replaced
    out of band by one for the rest (or removed when none are left)."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    offset = request.GET.get("offset", "")
    offset = int(offset) if offset.isdigit() and int(offset) <= MAX_BOARD_OFFSET else 0
    form = BoardFilterForm(request.GET, user=request.user)
    deals = filter_deals(visible_deals(request.user), **form.filters())
    cards = board_cards(deals, stage, offset=offset)
    _set_urls(cards, detail_url="crm:deal-detail", move_url="crm:deal-move")
    shown = offset + len(cards)
    more = max(0, deals.filter(stage=stage, status=Deal.Status.OPEN).count() - shown) if cards else 0
    query = request.GET.copy()
    query.pop("offset", None)
    query["pipeline"] = stage.pipeline_id
    return render(request, "crm/partials/_deal_board_more.html",
                  {"cards": cards, "more": more, "shown": shown, "stage": stage, "pipeline": stage.pipeline,
                   "board_query": query.urlencode(), "oob": True})


@login_required
@permission_required("crm.view_deal", raise_exception=True)
def deal_list(request):
    form = DealFilterForm(request.GET or None)
    deals = filter_deals(visible_deals(request.user), **form.filters()).select_related(*DEAL_RELATED)
    page = DeferredJoinPaginator(deals.order_by("-created_at", "-id"), DEALS_PER_PAGE,
                                 keys_first=True).get_page(request.GET.get("page"))
    _set_urls(page.object_list, detail_url="crm:deal-detail")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "crm/deal_list.html",
                  {"form": form, "page_obj": page, "deals": page.object_list, "query": query.urlencode()})


@login_required
@permission_required("crm.view_deal", raise_exception=True)
@fragment
def deal_picker(request):
    """Options of a deal picker: the chosen client's deals (?client=), or any deal the user may see."""
    return render_child_options(request, DEAL_PICKER, visible_deals(request.user).select_related("client", "stage"),
                                ordering=("-created_at", "-id"))


# --- One deal -----------------------------------------------------------------------------------------

@login_required
@permission_required("crm.add_deal", raise_exception=True)
@require_http_methods(["GET", "POST"])
def deal_create(request):
    initial = {"client": request.GET.get("client"), "pipeline": request.GET.get("pipeline")}
    form = DealForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        deal = call_service(form, services.create_deal, by=request.user, **form.values())
        if deal is not None:
            messages.success(request, _("Deal “%(title)s” opened.") % {"title": deal.title})
            return redirect("crm:deal-detail", pk=deal.pk)
    return render(request, "crm/deal_form.html", {"form": form, "deal": None})


@login_required
@permission_required("crm.change_deal", raise_exception=True)
@require_http_methods(["GET", "POST"])
def deal_edit(request, pk):
    deal = _deal(request, pk)
    form = DealForm(request.POST or None, user=request.user, deal=deal, initial=DealForm.initial_for(deal))
    if request.method == "POST" and form.is_valid():
        updated = call_service(form, services.update_deal, deal, by=request.user,
                               expected_version=form.cleaned_data["version"], **form.values())
        if updated is not None:
            messages.success(request, _("Deal “%(title)s” saved.") % {"title": updated.title})
            return redirect("crm:deal-detail", pk=updated.pk)
    return render(request, "crm/deal_form.html", {"form": form, "deal": deal})


def _activity_context(request, deal: Deal, *, task_form=None, interaction_form=None) -> dict:
    """The deal page's activity section: the feed and the two quick-add forms (each only with permission)."""
    user = request.user
    if task_form is None and user.has_perm("crm.add_task"):
        due = timezone.localtime().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
        task_form = DealTaskForm(initial={"due_at": due})
    if interaction_form is None and user.has_perm("crm.add_interaction"):
        interaction_form = InteractionForm(user=user, client=deal.client, quick=True,
                                           initial={"kind": Interaction.Kind.CALL_OUT}, prefix="log")
    return {"deal": deal, "feed": deal_feed(user, deal), "task_form": task_form,
            "interaction_form": interaction_form, "now": timezone.now()}


def _activity_answer(request, deal: Deal, status: int = 200, success: str = "", **forms_):
    """htmx gets the redrawn activity section (the new line shows in the feed); a browser without JavaScript
    goes back to the deal page with a message."""
    if is_htmx(request):
        return render(request, "crm/partials/_deal_activity.html", _activity_context(request, deal, **forms_),
                      status=status)
    if status >= 400:
        form = next(f for f in forms_.values() if f is not None)
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    elif success:
        messages.success(request, success)
    return redirect(f"{reverse('crm:deal-detail', args=[deal.pk])}#deal-activity")


@login_required
@permission_required("crm.add_task", raise_exception=True)
@require_POST
def deal_task_add(request, pk):
    """Quick-add a task about the deal (and its client), assigned to the user adding it."""
    deal = _deal(request, pk)
    form = DealTaskForm(request.POST)
    if form.is_valid():
        task = call_service(form, task_services.create_task, by=request.user, deal=deal, client=deal.client,
                            **form.cleaned_data)
        if task is not None:
            return _activity_answer(request, deal, success=_("Task “%(title)s” created.") % {"title": task.title})
    return _activity_answer(request, deal, status=400, task_form=form)


@login_required
@permission_required("crm.add_interaction", raise_exception=True)
@require_POST
def deal_interaction_add(request, pk):
    """Quick-log a call, meeting, SMS, email or note about the deal, on its client's timeline too."""
    deal = _deal(request, pk)
    form = InteractionForm(request.POST, user=request.user, client=deal.client, quick=True, prefix="log")
    if form.is_valid():
        logged = call_service(form, interaction_services.log_interaction, by=request.user, client=deal.client,
                              deal=deal, **form.service_values())
        if logged is not None:
            return _activity_answer(request, deal, success=_("%(kind)s logged.") % {"kind": logged.get_kind_display()})
    return _activity_answer(request, deal, status=400, interaction_form=form)


def _detail_context(request, deal: Deal) -> dict:
    later = [stage for stage in services.stages_to_win(deal) if stage.pk != deal.stage_id] if deal.can_win() else []
    return {
        "deal": deal,
        "stages": list(deal.pipeline.stages.order_by("position")),
        "checklist": checklist_of(deal, request.user),
        "later_checklist": checklist_of(deal, request.user, later) if later else [],
        "required": [(str(r), r.field_name) for r in deal.stage.rules.active()
                     .filter(kind=StageRule.Kind.REQUIRED_FIELD)],
        "missing": services.missing_for_stage(deal, deal.stage),
        "history": list(entries_of(deal)[:HISTORY_LIMIT]),
        **_activity_context(request, deal),
        "lose_form": LoseForm(),
        "can_change": request.user.has_perm("crm.change_deal"),
        # What upper modules add to the deal page (e.g. sales: quotes and orders, "New quote"), through the
        # AppConfig hooks deal_page_panels / deal_page_actions (core.modules.collect): crm never names them.
        "panels": modules.collect("deal_page_panels", request, deal, enabled=getattr(request, "enabled_modules", None)),
        "more_actions": modules.collect("deal_page_actions", request, deal,
                                        enabled=getattr(request, "enabled_modules", None)),
    }


@login_required
@permission_required("crm.view_deal", raise_exception=True)
def deal_detail(request, pk):
    deal = _deal(request, pk)
    return render(request, "crm/deal_detail.html", _detail_context(request, deal))


def _refusal(request, deal: Deal, exc: BusinessRuleError):
    """A refused action: the board's script gets the message with the status; a page gets it as a message."""
    if request.headers.get("X-Requested-With") == "fetch" or is_htmx(request):
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    messages.error(request, exc.message)
    return redirect("crm:deal-detail", pk=deal.pk)


def _act(request, deal: Deal, service, success: str, *args, **kwargs):
    try:
        service(deal, *args, by=request.user, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        return _refusal(request, deal, exc)
    messages.success(request, success)
    return redirect("crm:deal-detail", pk=deal.pk)


@login_required
@permission_required("crm.change_deal", raise_exception=True)
@require_POST
def deal_move(request, pk):
    deal = _deal(request, pk)
    stage_id = request.POST.get("stage_id", "")
    stage = Stage.objects.filter(pk=stage_id).first() if limits.is_id(stage_id) else None
    if stage is None:
        return _refusal(request, deal, BusinessRuleError("invalid", _("Choose a stage."), field="stage"))
    from_stage_id = request.POST.get("from_stage_id", "")
    from_stage = Stage.objects.filter(pk=from_stage_id).first() if from_stage_id.isdigit() else None
    try:
        moved = services.move_deal_to_stage(deal, stage, by=request.user, from_stage=from_stage)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        return _refusal(request, deal, exc)
    if request.headers.get("X-Requested-With") == "fetch":
        return render(request, "crm/partials/_deal_board.html", _board_context(request, moved.pipeline))
    messages.success(request, _("Deal moved to “%(stage)s”.") % {"stage": moved.stage})
    return redirect("crm:deal-detail", pk=moved.pk)


@login_required
@permission_required("crm.change_deal", raise_exception=True)
@require_POST
def deal_checklist(request, pk):
    deal = _deal(request, pk)
    rule_id = request.POST.get("rule_id", "")
    rule = StageRule.objects.select_related("stage").filter(pk=rule_id).first() if limits.is_id(rule_id) else None
    if rule is None:
        return _refusal(request, deal, BusinessRuleError("invalid", _("Choose a checklist item."), field="rule"))
    try:
        services.set_checklist_item(deal, rule, request.POST.get("done") in ("on", "true", "1"), by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        return _refusal(request, deal, exc)
    if is_htmx(request):
        return render(request, "crm/partials/_deal_checklist.html", _detail_context(request, _deal(request, pk)))
    return redirect("crm:deal-detail", pk=deal.pk)


@login_required
@permission_required("crm.change_deal", raise_exception=True)
@require_POST
def deal_win(request, pk):
    deal = _deal(request, pk)
    try:
        services.win_deal(deal, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        if exc.code != "stage_rule_unmet" or is_htmx(request):
            return _refusal(request, deal, exc)
        # Shown on the deal's page as the Won form's error: what is still missing, item by item.
        context = _detail_context(request, deal)
        context["win_error"] = {"message": exc.message, "missing": exc.extra.get("missing", [])}
        return render(request, "crm/deal_detail.html", context, status=exc.status_code)
    messages.success(request, _("Deal won."))
    return redirect("crm:deal-detail", pk=deal.pk)


@login_required
@permission_required("crm.change_deal", raise_exception=True)
@require_POST
def deal_lose(request, pk):
    deal = _deal(request, pk)
    form = LoseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the deal was lost."))
        return redirect("crm:deal-detail", pk=deal.pk)
    return _act(request, deal, services.lose_deal, _("Deal marked lost."),
                lost_reason=form.cleaned_data["lost_reason"], note=form.cleaned_data["note"])


@login_required
@permission_required("crm.change_deal", raise_exception=True)
@require_POST
def deal_reopen(request, pk):
    return _act(request, _deal(request, pk), services.reopen_deal, _("Deal reopened."))


# --- Set-up and report --------------------------------------------------------------------------------

SETUP_FORMS = {"pipeline": PipelineForm, "stage": StageForm, "rule": StageRuleForm, "win_rules": WinRulesForm,
               "lost_reason": LostReasonForm}


def _update_stage_limits(request):
    """POST action "stage_limits": one stage's probability and allowed days, from its row in the table."""
    if not request.user.has_perm("crm.change_stage"):
        raise PermissionDenied()
    form = StageLimitsForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if call_service(form, services.update_stage, d["stage"], by=request.user, probability=d["probability"],
                        max_days=d["max_days"]) is not None:
            messages.success(request, _("Stage “%(stage)s” saved.") % {"stage": d["stage"].name})
            return redirect("crm:pipeline-list")
    problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(request, problems or _("The stage could not be saved."))
    return redirect("crm:pipeline-list")


def _update_rule_role(request):
    """POST action "rule_role": the role that alone may tick one checklist item, from its row in the table."""
    if not request.user.has_perm("crm.change_stagerule"):
        raise PermissionDenied()
    form = RuleRoleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if call_service(form, services.set_rule_role, d["rule"], by=request.user,
                        required_role=d["required_role"]) is not None:
            messages.success(request, _("Checklist item “%(rule)s” saved.") % {"rule": d["rule"]})
            return redirect("crm:pipeline-list")
    problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(request, problems or _("The checklist item could not be saved."))
    return redirect("crm:pipeline-list")


def _removed_message(d: dict, kept) -> str:
    if kept is None:
        return _("Rule “%(rule)s” removed.") % {"rule": d["rule"]}
    return _("Rule “%(rule)s” archived: deals ticked it, their checklists keep it.") % {"rule": d["rule"]}


# Row actions of the settings page (rename, move, relabel, remove): action -> (form, permission, the form's
# field naming the row, the service call, the success message).
ROW_ACTIONS = {
    "pipeline_name": (PipelineNameForm, "crm.change_pipeline", "pipeline",
                      lambda d, by: services.rename_pipeline(d["pipeline"], by=by, name=d["name"]),
                      lambda d, _result: _("Pipeline renamed to “%(name)s”.") % {"name": d["name"].strip()}),
    "stage_name": (StageNameForm, "crm.change_stage", "stage",
                   lambda d, by: services.rename_stage(d["stage"], by=by, name=d["name"]),
                   lambda d, _result: _("Stage renamed to “%(name)s”.") % {"name": d["name"].strip()}),
    "stage_move": (StageMoveForm, "crm.change_stage", "stage",
                   lambda d, by: services.move_stage(d["stage"], by=by, position=d["position"],
                                                     expected_position=d["from_position"]),
                   lambda d, result: _("Stage “%(stage)s” is number %(position)s now.")
                   % {"stage": result.name, "position": result.position}),
    "rule_label": (RuleLabelForm, "crm.change_stagerule", "rule",
                   lambda d, by: services.relabel_stage_rule(d["rule"], by=by, label=d["label"]),
                   lambda d, result: _("Checklist item “%(rule)s” saved.") % {"rule": result}),
    "rule_remove": (RuleRemoveForm, "crm.change_stagerule", "rule",
                    lambda d, by: services.remove_stage_rule(d["rule"], by=by), _removed_message),
}


def _row_action(request, action: str, render_page):
    """POST of one row's inline form: back to the page with a message, or the page again (400, or 409 for a
    duplicate or a stale order) with the refusal inside that row's form."""
    form_class, permission, key, call, success = ROW_ACTIONS[action]
    if not request.user.has_perm(permission):
        raise PermissionDenied()
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        result = call_service(form, call, d, request.user)
        if form.refusal is None:
            messages.success(request, success(d, result))
            return redirect(f"{reverse('crm:pipeline-list')}#{key}-{d[key].pk}")
        status = form.refusal.status_code
    row = request.POST.get(key, "")
    error = {"action": action, "pk": int(row) if limits.is_id(row) else None,
             "message": next(iter(form.errors.values()))[0],
             "value": request.POST.get("name", request.POST.get("label", ""))}
    if error["pk"] is None:
        messages.error(request, error["message"])
    return render_page(row_error=error, status=status)


@login_required
@permission_required("crm.view_pipeline", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pipeline_list(request):
    forms_ = {key: form_class(prefix=key) for key, form_class in SETUP_FORMS.items()}

    def render_page(row_error=None, status=200):
        return render(request, "crm/pipeline_list.html", {
            "pipelines": pipelines_with_stages(), "lost_reasons": LostReason.objects.all(), "forms": forms_,
            "can_setup": request.user.has_perm("crm.add_pipeline"),
            "can_change_pipeline": request.user.has_perm("crm.change_pipeline"),
            "can_change_stage": request.user.has_perm("crm.change_stage"),
            "can_change_rule": request.user.has_perm("crm.change_stagerule"),
            "roles": Group.objects.order_by("name") if request.user.has_perm("crm.change_stagerule") else (),
            "row_error": row_error or {},
        }, status=status)

    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ROW_ACTIONS:
            return _row_action(request, action, render_page)
        if action == "default":
            if not request.user.has_perm("crm.add_pipeline"):
                raise PermissionDenied()
            services.ensure_default_pipeline(by=request.user)
            return redirect("crm:pipeline-list")
        if action == "stage_limits":
            return _update_stage_limits(request)
        if action == "rule_role":
            return _update_rule_role(request)
        if action in SETUP_FORMS:
            form = forms_[action] = SETUP_FORMS[action](request.POST, prefix=action)
            if form.is_valid():
                d = form.cleaned_data
                calls = {
                    "pipeline": lambda: services.create_pipeline(by=request.user, name=d["name"]),
                    "stage": lambda: services.add_stage(d["pipeline"], by=request.user, name=d["name"],
                                                        probability=d["probability"], max_days=d["max_days"]),
                    "rule": lambda: services.add_stage_rule(d["stage"], by=request.user, kind=d["kind"],
                                                            label=d["label"], field_name=d["field_name"],
                                                            required_role=d["required_role"]),
                    "win_rules": lambda: services.set_win_rules(d["pipeline"], by=request.user,
                                                                win_rules=d["win_rules"]),
                    "lost_reason": lambda: services.create_lost_reason(by=request.user, name=d["name"]),
                }
                if call_service(form, calls[action]) is not None:
                    messages.success(request, _("Saved."))
                    return redirect("crm:pipeline-list")
    return render_page()


@login_required
@permission_required("crm.view_deal", raise_exception=True)
def report_lost_at_stage(request):
    # The picker shows the pipeline the report is about: the default one until the user picks another.
    params = request.GET.copy()
    default_pipeline = Pipeline.objects.order_by("-is_default", "name").first()
    if default_pipeline is not None and not params.get("pipeline"):
        params["pipeline"] = str(default_pipeline.pk)
    form = ReportForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    pipeline = data.get("pipeline") or default_pipeline
    report = None
    if pipeline is not None:
        report = reports.lost_at_stage(visible_deals(request.user), pipeline, data.get("date_from"),
                                       data.get("date_to"))
    return render(request, "crm/report_lost_at_stage.html", {"form": form, "report": report})


urlpatterns = [
    path("deals/", deal_board, name="deal-board"),
    path("deals/board/stages/<int:stage_id>/more/", deal_board_more, name="deal-board-more"),
    path("deals/list/", deal_list, name="deal-list"),
    path("deals/new/", deal_create, name="deal-create"),
    path("deals/picker/", deal_picker, name="deal-picker"),
    path("deals/<int:pk>/", deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", deal_edit, name="deal-edit"),
    path("deals/<int:pk>/move/", deal_move, name="deal-move"),
    path("deals/<int:pk>/checklist/", deal_checklist, name="deal-checklist"),
    path("deals/<int:pk>/win/", deal_win, name="deal-win"),
    path("deals/<int:pk>/lose/", deal_lose, name="deal-lose"),
    path("deals/<int:pk>/reopen/", deal_reopen, name="deal-reopen"),
    path("deals/<int:pk>/tasks/add/", deal_task_add, name="deal-task-add"),
    path("deals/<int:pk>/interactions/add/", deal_interaction_add, name="deal-interaction-add"),
    path("pipelines/", pipeline_list, name="pipeline-list"),
    path("reports/lost-at-stage/", report_lost_at_stage, name="report-lost-at-stage"),
]
