"""Settings pages of CRM reference lists under /crm/settings/: lost reasons (add, rename, deactivate) and
complaint categories (add, rename, archive). Thin: core.reference_lists renders, crm services write.
(Forms live here: this branch started before crm/forms/ existed.)"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core import reference_lists
from tandem.core.reference_lists import Action, NameForm, Row
from tandem.crm.models import ComplaintCategory, LostReason
from tandem.crm.services import deals as deal_services
from tandem.crm.services import reference_lists as services


def _add(request, perm, service, page, url_name):
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return reference_lists.add(request, NameForm(request.POST), service, functools.partial(page, request),
                               reverse(url_name))


def _rename(request, obj, service, page, url_name):
    return reference_lists.rename(request, obj, service, functools.partial(page, request, NameForm()),
                                  reverse(url_name))


# --- Lost reasons -----------------------------------------------------------------------------------

def _lost_reason_page(request, form, *, rename_errors=None, status=200):
    rows = []
    for reason in LostReason.objects.annotate(deal_count=Count("deals", distinct=True)).order_by("-is_active", "name"):
        if reason.is_active:
            action = Action(_("Deactivate"), reverse("crm:lost-reason-deactivate", args=[reason.pk]))
        else:
            action = Action(_("Reactivate"), reverse("crm:lost-reason-reactivate", args=[reason.pk]), secondary=False)
        rows.append(Row(pk=reason.pk, name=reason.name, details=[reason.deal_count],
                        state="" if reason.is_active else "inactive",
                        rename_url=reverse("crm:lost-reason-rename", args=[reason.pk]), actions=[action]))
    return reference_lists.page(
        request, title=_("Lost reasons"), rows=rows, add_form=form, columns=(_("Lost deals"),),
        rename_errors=rename_errors, status=status,
        intro=_("Offered when a deal is marked lost. An inactive reason stays on the deals lost for it."),
    )


@login_required
@permission_required("crm.change_lostreason", raise_exception=True)
def lost_reason_settings(request):
    if request.method == "POST":
        return _add(request, "crm.add_lostreason", deal_services.create_lost_reason, _lost_reason_page,
                    "crm:lost-reason-settings")
    return _lost_reason_page(request, NameForm())


@login_required
@permission_required("crm.change_lostreason", raise_exception=True)
@require_POST
def lost_reason_rename(request, pk: int):
    return _rename(request, get_object_or_404(LostReason, pk=pk), services.rename_lost_reason, _lost_reason_page,
                   "crm:lost-reason-settings")


@login_required
@permission_required("crm.change_lostreason", raise_exception=True)
@require_POST
def lost_reason_set_active(request, pk: int, active: bool):
    reason = get_object_or_404(LostReason, pk=pk)
    if active:
        message = _("Lost reason “%(name)s” is in use again.") % {"name": reason.name}
    else:
        message = _("Lost reason “%(name)s” is no longer offered.") % {"name": reason.name}
    return reference_lists.run(request, services.set_lost_reason_active, reason, message,
                               reverse("crm:lost-reason-settings"), active=active)


# --- Complaint categories ---------------------------------------------------------------------------

def _category_page(request, form, *, rename_errors=None, status=200):
    show_all = request.GET.get("archived") == "all"
    categories = ComplaintCategory.objects.in_archive_state("all" if show_all else "false").annotate(
        complaint_count=Count("complaints", distinct=True))
    rows = []
    for category in categories:
        action = reference_lists.archive_action(
            category, reverse("crm:complaint-category-archive", args=[category.pk]),
            reverse("crm:complaint-category-restore", args=[category.pk]))
        rows.append(Row(pk=category.pk, name=category.name, details=[category.complaint_count],
                        state="archived" if category.is_archived else "",
                        rename_url=reverse("crm:complaint-category-rename", args=[category.pk]), actions=[action]))
    return reference_lists.page(
        request, title=_("Complaint categories"), rows=rows, add_form=form, show_all=show_all,
        columns=(_("Complaints"),), rename_errors=rename_errors, status=status,
        intro=_("What a complaint is about. An archived category stays on its complaints but is not offered "
                "for new ones."),
    )


@login_required
@permission_required("crm.change_complaintcategory", raise_exception=True)
def complaint_category_settings(request):
    if request.method == "POST":
        return _add(request, "crm.add_complaintcategory", services.create_complaint_category, _category_page,
                    "crm:complaint-category-settings")
    return _category_page(request, NameForm())


@login_required
@permission_required("crm.change_complaintcategory", raise_exception=True)
@require_POST
def complaint_category_rename(request, pk: int):
    return _rename(request, get_object_or_404(ComplaintCategory, pk=pk), services.update_complaint_category,
                   _category_page, "crm:complaint-category-settings")


@login_required
@permission_required("crm.change_complaintcategory", raise_exception=True)
@require_POST
def complaint_category_archive(request, pk: int):
    category = get_object_or_404(ComplaintCategory, pk=pk)
    return reference_lists.run(request, services.archive_complaint_category, category,
                               _("Category “%(name)s” archived.") % {"name": category.name},
                               reverse("crm:complaint-category-settings"))


@login_required
@permission_required("crm.change_complaintcategory", raise_exception=True)
@require_POST
def complaint_category_restore(request, pk: int):
    category = get_object_or_404(ComplaintCategory, pk=pk)
    return reference_lists.run(request, services.restore_complaint_category, category,
                               _("Category “%(name)s” restored.") % {"name": category.name},
                               reverse("crm:complaint-category-settings"))


urlpatterns = [
    path("settings/lost-reasons/", lost_reason_settings, name="lost-reason-settings"),
    path("settings/lost-reasons/<int:pk>/rename/", lost_reason_rename, name="lost-reason-rename"),
    path("settings/lost-reasons/<int:pk>/deactivate/", lost_reason_set_active, {"active": False},
         name="lost-reason-deactivate"),
    path("settings/lost-reasons/<int:pk>/reactivate/", lost_reason_set_active, {"active": True},
         name="lost-reason-reactivate"),
    path("settings/complaint-categories/", complaint_category_settings, name="complaint-category-settings"),
    path("settings/complaint-categories/<int:pk>/rename/", complaint_category_rename,
         name="complaint-category-rename"),
    path("settings/complaint-categories/<int:pk>/archive/", complaint_category_archive,
         name="complaint-category-archive"),
    path("settings/complaint-categories/<int:pk>/restore/", complaint_category_restore,
         name="complaint-category-restore"),
]
