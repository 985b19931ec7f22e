"""Settings pages of parties' reference lists: sources (add, rename, archive, restore) and tags (rename,
delete when no client carries them). Thin: core.reference_lists renders, parties.services writes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core import reference_lists
from tandem.core.forms import call_service
from tandem.parties import services
from tandem.parties.forms import SourceForm
from tandem.parties.models import Source, Tag


def _source_rows(show_all: bool) -> list[reference_lists.Row]:
    sources = Source.objects.in_archive_state("all" if show_all else "false").annotate(
        client_count=Count("clients", distinct=True)).order_by("name")
    rows = []
    for source in sources:
        if source.is_archived:
            actions = [reference_lists.Action(_("Restore"), reverse("parties:source-restore", args=[source.pk]),
                                              secondary=False)]
        else:
            actions = [reference_lists.Action(_("Archive"), reverse("parties:source-archive", args=[source.pk]))]
        rows.append(reference_lists.Row(
            pk=source.pk, name=source.name, details=[source.get_channel_display(), source.client_count],
            state="archived" if source.is_archived else "",
            rename_url=reverse("parties:source-rename", args=[source.pk]), actions=actions,
        ))
    return rows


def _source_page(request, form, *, rename_errors=None, status=200):
    show_all = request.GET.get("archived") == "all"
    return reference_lists.page(
        request, title=_("Sources"), rows=_source_rows(show_all), add_form=form, show_all=show_all,
        columns=(_("Channel"), _("Clients")), rename_errors=rename_errors, status=status,
        intro=_("How clients first found you. An archived source stays on the records that name it but is "
                "no longer offered."),
    )


@login_required
@permission_required("parties.change_source", raise_exception=True)
def source_settings(request):
    if request.method != "POST":
        return _source_page(request, SourceForm())
    if not request.user.has_perm("parties.add_source"):
        raise PermissionDenied
    form = SourceForm(request.POST)
    if form.is_valid():
        source = call_service(form, services.create_source, by=request.user, **form.cleaned_data)
        if source is not None:
            return redirect(f"{reverse('parties:source-settings')}#row-{source.pk}")
    return _source_page(request, form, status=400)


@login_required
@permission_required("parties.change_source", raise_exception=True)
@require_POST
def source_rename(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    form = reference_lists.NameForm(request.POST)
    if form.is_valid() and call_service(form, services.update_source, source, by=request.user,
                                        name=form.cleaned_data["name"]) is not None:
        return redirect(f"{reverse('parties:source-settings')}#row-{source.pk}")
    message = next(iter(form.errors.values()))[0]
    return _source_page(request, SourceForm(), rename_errors={source.pk: message}, status=400)


@login_required
@permission_required("parties.change_source", raise_exception=True)
@require_POST
def source_archive(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    return reference_lists.run(request, services.archive_source, source,
                               _("Source “%(name)s” archived.") % {"name": source.name},
                               reverse("parties:source-settings"))


@login_required
@permission_required("parties.change_source", raise_exception=True)
@require_POST
def source_restore(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    return reference_lists.run(request, services.restore_source, source,
                               _("Source “%(name)s” restored.") % {"name": source.name},
                               reverse("parties:source-settings"))


# --- Tags -------------------------------------------------------------------------------------------

def _tag_page(request, *, rename_errors=None, status=200):
    rows = [
        reference_lists.Row(
            pk=tag.pk, name=tag.name, details=[tag.client_count],
            rename_url=reverse("parties:tag-rename", args=[tag.pk]),
            actions=[reference_lists.Action(_("Delete"), reverse("parties:tag-delete", args=[tag.pk]))],
        )
        for tag in Tag.objects.annotate(client_count=Count("clients", distinct=True)).order_by("name")
    ]
    return reference_lists.page(
        request, title=_("Tags"), rows=rows, columns=(_("Clients"),), rename_errors=rename_errors, status=status,
        intro=_("Tags are added on the client form. A tag can be deleted once no client carries it."),
    )


@login_required
@permission_required("parties.change_tag", raise_exception=True)
def tag_settings(request):
    return _tag_page(request)


@login_required
@permission_required("parties.change_tag", raise_exception=True)
@require_POST
def tag_rename(request, pk: int):
    tag = get_object_or_404(Tag, pk=pk)
    form = reference_lists.NameForm(request.POST)
    if form.is_valid() and call_service(form, services.rename_tag, tag, by=request.user,
                                        name=form.cleaned_data["name"]) is not None:
        return redirect(f"{reverse('parties:tag-settings')}#row-{tag.pk}")
    return _tag_page(request, rename_errors={tag.pk: next(iter(form.errors.values()))[0]}, status=400)


@login_required
@permission_required("parties.delete_tag", raise_exception=True)
@require_POST
def tag_delete(request, pk: int):
    tag = get_object_or_404(Tag, pk=pk)
    return reference_lists.run(request, services.delete_tag, tag, _("Tag “%(name)s” deleted.") % {"name": tag.name},
                               reverse("parties:tag-settings"))
