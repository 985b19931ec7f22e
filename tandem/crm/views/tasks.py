"""Pages for tasks: my day, the task list, create/edit, complete/cancel/reopen, in-app reminders, and the
calendar feed (its settings page and the secret .ics address). Thin: forms check shape,
crm.services.tasks writes, crm.queries.tasks reads, crm.calendar builds the feed."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.references import resolve_visible
from tandem.crm import calendar
from tandem.crm.forms.tasks import LINK_FIELDS, TaskFilterForm, TaskForm
from tandem.crm.models import CalendarFeed
from tandem.crm.queries import tasks as agenda
from tandem.crm.queries.visibility import visible_tasks
from tandem.crm.services import tasks as services

TASKS_PER_PAGE = 50




def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@permission_required("crm.view_task", raise_exception=True)
def my_day(request):
    day = agenda.my_day(request.user)
    me = request.user.pk

    def tasks_url(**params):
        return f"{reverse('crm:task-list')}?{urlencode({'assignee': me, **params})}"

    return render(request, "crm/my_day.html", {
        "day": day, "now": timezone.now(),
        "overdue_url": tasks_url(overdue="on"),
        "today_url": tasks_url(due_from=day.today_date.isoformat(), due_to=day.today_date.isoformat()),
        "upcoming_url": tasks_url(due_from=(day.today_date + datetime.timedelta(days=1)).isoformat(),
                                  due_to=day.upcoming_until.isoformat()),
    })


@login_required
@permission_required("crm.view_task", raise_exception=True)
def task_list(request):
    form = TaskFilterForm(request.GET or None, user=request.user)
    tasks = agenda.filter_tasks(visible_tasks(request.user), **form.filters())
    page = DeferredJoinPaginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "crm/task_list.html", {"form": form, "page_obj": page, "tasks": page.object_list,
                                                  "now": timezone.now()})


def _links(data) -> dict:
    return {name: data.get(name) or None for name in LINK_FIELDS}


def _link_labels(task_or_values) -> list[tuple[str, str]]:
    """(type, text) of the records a task is about, for the form's heading."""
    labels = []
    for name in LINK_FIELDS:
        obj = getattr(task_or_values, name, None)
        if obj is not None:
            labels.append((str(obj._meta.verbose_name), str(obj)))
    return labels


@login_required
@permission_required("crm.add_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def task_create(request):
    due = timezone.localtime().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    initial = {"assignee": request.user.pk, "due_at": due, **_links(request.GET)}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        task = call_service(form, services.create_task, by=request.user, **form.service_values())
        if task is not None:
            messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
            return redirect(_back(request, reverse("crm:task-list")))
    return _render_form(request, form, None)


@login_required
@permission_required("crm.change_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task = resolve_visible(visible_tasks(request.user).select_related(*agenda.TASK_RELATED), pk)
    form = TaskForm(request.POST or None, initial=TaskForm.initial_for(task))
    if request.method == "POST" and form.is_valid():
        updated = call_service(form, services.update_task, task, by=request.user, **form.service_values())
        if updated is not None:
            messages.success(request, _("Task “%(title)s” saved.") % {"title": updated.title})
            return redirect(_back(request, reverse("crm:task-list")))
    return _render_form(request, form, task)


def _render_form(request, form, task):
    return render(request, "crm/task_form.html", {
        "form": form, "task": task, "links": _link_labels(task) if task else [],
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=400 if form.is_bound and form.errors else 200)


def _transition(service, done_message):
    @login_required
    @permission_required("crm.change_task", raise_exception=True)
    @require_POST
    def view(request, pk):
        task = resolve_visible(visible_tasks(request.user), pk)
        try:
            service(task, by=request.user)
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except BusinessRuleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done_message() % {"title": task.title})
        return redirect(_back(request, reverse("crm:task-list")))

    return view


task_complete = _transition(services.complete_task, lambda: _("Task “%(title)s” done."))
task_cancel = _transition(services.cancel_task, lambda: _("Task “%(title)s” cancelled."))
task_reopen = _transition(services.reopen_task, lambda: _("Task “%(title)s” reopened."))


# --- Reminders (htmx partial polled by the shell widget) ----------------------------------------------

@fragment
@login_required
@permission_required("crm.view_task", raise_exception=True)
@require_GET
def reminders(request):
    return _reminders(request)


def _reminders(request):
    if not request.user.has_perm("crm.view_task"):
        return HttpResponse("")
    tasks = list(agenda.due_reminders(request.user).select_related("client")[:20])
    return render(request, "crm/partials/_reminders.html", {"tasks": tasks})


@fragment
@login_required
@require_POST
def reminder_dismiss(request, pk):
    task = resolve_visible(visible_tasks(request.user), pk)
    try:
        services.dismiss_reminder(task, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    if request.headers.get("HX-Request") == "true":
        return _reminders(request)
    return redirect(_back(request, reverse("crm:my-day")))


# --- Calendar feed ------------------------------------------------------------------------------------

@login_required
@permission_required("crm.view_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    url = None
    if request.method == "POST":
        key = calendar.regenerate_feed(by=request.user)
        url = request.build_absolute_uri(calendar.feed_path(key))
    exists = CalendarFeed.objects.filter(user=request.user).exists()
    response = render(request, "crm/task_calendar_feed.html", {"url": url, "exists": exists})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def calendar_feed_ics(request, key):
    """The feed a calendar app subscribes to: no login, the key in the URL is the credential."""
    user = calendar.user_for_key(key)
    if user is None:
        raise Http404("No such calendar.")
    body = calendar.build_feed(user, host=request.get_host().split(":")[0],
                               base_url=f"{request.scheme}://{request.get_host()}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tandem.ics"'
    return response


urlpatterns = [
    path("my-day/", my_day, name="my-day"),
    path("tasks/", task_list, name="task-list"),
    path("tasks/new/", task_create, name="task-create"),
    path("tasks/<int:pk>/edit/", task_edit, name="task-edit"),
    path("tasks/<int:pk>/complete/", task_complete, name="task-complete"),
    path("tasks/<int:pk>/cancel/", task_cancel, name="task-cancel"),
    path("tasks/<int:pk>/reopen/", task_reopen, name="task-reopen"),
    path("reminders/", reminders, name="reminders"),
    path("reminders/<int:pk>/dismiss/", reminder_dismiss, name="reminder-dismiss"),
    path("calendar/", calendar_feed_settings, name="calendar-feed"),
    re_path(r"^calendar/(?P<key>[A-Za-z0-9_-]{20,100})\.ics$", calendar_feed_ics, name="calendar-feed-ics"),
]
