"""REST endpoints: monthly sales targets per representative, and the sales dashboard's numbers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router

from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.core.schemas import Id, money_text
from tandem.crm.queries.targets import targets_of_month
from tandem.crm.reports import dashboard as report
from tandem.crm.schemas.targets import DashboardOut, SalesTargetIn, SalesTargetOut
from tandem.crm.services import targets as services

router = Router(tags=["sales targets"])


def _user_ref(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def _target_out(user, month, target) -> dict:
    currency = target.currency if target else report.base_currency()
    return {"user": _user_ref(user), "month": month.strftime("%Y-%m"),
            "amount": money_text(target.amount, currency) if target else None, "currency": currency}


@router.get("/targets", response=list[SalesTargetOut],
            summary="Sales targets of a month: one row per representative you may see")
def list_targets(request, month: str | None = None):
    require_permission(request, "crm.view_salestarget")
    first = services.month_start(month) if month else report.periods().month
    return [_target_out(row["user"], first, row["target"]) for row in targets_of_month(request.user, first)]


@router.put("/targets/{user_id}/{month}", response=SalesTargetOut, summary="Set a representative's target (YYYY-MM)")
def set_target(request, user_id: Id, month: str, payload: SalesTargetIn):
    require_permission(request, "crm.change_salestarget")
    user = get_object_or_404(User, pk=user_id, is_active=True)
    target = services.set_target(user, month, payload.amount, by=request.user)
    return _target_out(user, target.month, target)


@router.delete("/targets/{user_id}/{month}", response={204: None}, summary="Remove a representative's target")
def delete_target(request, user_id: Id, month: str):
    require_permission(request, "crm.delete_salestarget")
    user = get_object_or_404(User, pk=user_id, is_active=True)
    target = get_object_or_404(user.sales_targets, month=services.month_start(month))
    services.delete_target(target, by=request.user)
    return None


def _target_money(target):
    """A target (a BaseTotal in the base currency) as MoneyOut; amount null when its currency has no rate."""
    if target is None:
        return None
    return {"currency": target.currency, "amount": None if target.missing else money_text(target.amount,
                                                                                            target.currency)}


@router.get("/dashboard", response=DashboardOut, summary="The home page's sales numbers for you")
def dashboard(request):
    require_permission(request, "crm.view_deal")
    if report.is_manager(request.user):
        board = report.manager_dashboard(request.user)
        extra = {"view": "manager", "representatives": [{
            "user": _user_ref(row.user), "won_this_month": row.won_this_month,
            "won_last_month": row.won_last_month, "won_count_this_month": row.won_count_this_month,
            "won_count_last_month": row.won_count_last_month, "target": _target_money(row.target),
            "target_percent": row.target_percent, "calls": row.calls, "meetings": row.meetings,
            "deals_moved": row.deals_moved, "tasks_overdue": row.tasks_overdue,
        } for row in board.reps]}
    else:
        board = report.representative_dashboard(request.user)
        extra = {"view": "representative",
                 "my_day": {"overdue_tasks": board.overdue_tasks, "today_tasks": board.today_tasks},
                 "won_this_month": board.won_this_month, "won_count_this_month": board.won_count,
                 "target": _target_money(board.target), "target_percent": board.target_percent}
    p = board.periods
    return {"currency": board.currency, "rates_date": board.rates_on, "missing_rates": board.missing,
            "month": p.month.strftime("%Y-%m"), "week_start": p.week.isoformat(),
            "pipeline": {"count": board.pipeline.count, "value": board.pipeline.value,
                         "weighted": board.pipeline.weighted}, **extra}
