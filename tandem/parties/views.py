"""Pages and htmx partials for clients, their counterparties and contact persons.

Thin: a form checks the shape of the input, one service applies the rules and writes, records are read
through parties.queries (which applies the record rule: a representative sees own clients only). The settings
pages of sources and tags are at the end."""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import deletion, modules, reference_lists
from tandem.core.audit import history_for
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment, is_htmx
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import render_child_options, render_options
from tandem.parties import pickers, queries, services
from tandem.parties.forms import (
    BankAccountForm,
    ClientFilterForm,
    ClientForm,
    ContactForm,
    CounterpartyForm,
    SourceForm,
)
from tandem.parties.models import ContactChannel, Source, Tag

CLIENTS_PER_PAGE = 50
HISTORY_LIMIT = 200


def _call_service(form, service, *args, **kwargs):
    """Run one service; a business refusal becomes a form error. Returns (result, duplicates)."""
    result = call_service(form, service, *args, **kwargs)
    return result, form.refusal.extra.get("duplicates") if form.refusal else None


DUPLICATE_FIELDS = {"tax ID": gettext_lazy("tax ID"), "email": gettext_lazy("email"), "phone": gettext_lazy("phone"),
                    "name": gettext_lazy("name")}
DUPLICATE_RECORDS = {
    "Client": gettext_lazy("Client"),
    "Counterparty": gettext_lazy("Counterparty"),
    "Contact": gettext_lazy("Contact person"),
}


def _duplicates_with_links(user, duplicates):
    """Duplicates reported by a service, labelled in the user's language, with a link to each client the
    user may open (for another owner's client the service already left out all but the owner's name)."""
    if not duplicates:
        return None
    shown = []
    for d in duplicates:
        kind, _sep, name = (d["record"] or "").partition(" ")
        record = f"{DUPLICATE_RECORDS[kind]} {name}" if kind in DUPLICATE_RECORDS else d["record"]
        visible = d.get("visible", True) and d["client_id"] is not None
        shown.append(
            {
                **d,
                "visible": visible,
                "record_label": record,
                "field_label": DUPLICATE_FIELDS.get(d["field"], d["field"]),
                "url": reverse("parties:client-detail", args=[d["client_id"]]) if visible else None,
            }
        )
    return shown


# --- Clients ----------------------------------------------------------------------------------------


@login_required
@permission_required("parties.view_client", raise_exception=True)
def client_list(request):
    form = ClientFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    clients = queries.filter_clients(
        queries.visible_clients(request.user)
        .select_related("owner", "first_source")
        .prefetch_related("tags"),
        **filters,
    )
    page = DeferredJoinPaginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "clients": page.object_list, "sort": filters["sort"]}
    if is_htmx(request):
        # A sort link in the table changes the sort: redraw the filter form's select with it.
        form.fields["sort"].widget.attrs["hx-swap-oob"] = "true"
        return render(request, "parties/partials/_client_table.html", {**context, "redraw_sort": True})
    return render(request, "parties/client_list.html", context)


@login_required
@permission_required("parties.add_client", raise_exception=True)
@require_http_methods(["GET", "POST"])
def client_create(request):
    form = ClientForm(request.POST or None, user=request.user)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        client, duplicates = _call_service(
            form,
            services.create_client,
            by=request.user,
            allow_duplicates=form.cleaned_data["allow_duplicates"],
            **form.service_values(),
        )
        if client is not None:
            messages.success(request, _("Client “%(name)s” created.") % {"name": client.name})
            return redirect("parties:client-detail", pk=client.pk)
    return _render_client_form(request, form, None, duplicates)


@login_required
@permission_required("parties.change_client", raise_exception=True)
@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    client = queries.get_visible_client(request.user, pk)
    form = ClientForm(
        request.POST or None, user=request.user, client=client, initial=ClientForm.initial_for(client)
    )
    duplicates = None
    if request.method == "POST" and form.is_valid():
        updated, duplicates = _call_service(
            form,
            services.update_client,
            client,
            by=request.user,
            allow_duplicates=form.cleaned_data["allow_duplicates"],
            expected_version=form.cleaned_data["version"],
            **form.service_values(),
        )
        if updated is not None:
            messages.success(request, _("Client “%(name)s” saved.") % {"name": updated.name})
            return redirect("parties:client-detail", pk=updated.pk)
    return _render_client_form(request, form, client, duplicates)


def _render_client_form(request, form, client, duplicates):
    return render(
        request,
        "parties/client_form.html",
        {"form": form, "client": client, "duplicates": _duplicates_with_links(request.user, duplicates)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@permission_required("parties.view_client", raise_exception=True)
def client_detail(request, pk):
    client = queries.get_visible_client(request.user, pk)
    context = {
        "client": client,
        "tags": client.tags.all(),
        **_counterparty_context(request.user, client),
        **_contact_context(request.user, client),
        **_history_context(request.user, client),
        # Sections other modules add to the card (e.g. the CRM timeline): [{"id", "title", "html"}].
        "panels": modules.collect(
            "client_card_panels", request, client, enabled=getattr(request, "enabled_modules", None)
        ),
        # Buttons other modules add to the card's header (e.g. new deal, call): [{"key", "label", "url"}].
        "actions": modules.collect(
            "client_card_actions", request, client, enabled=getattr(request, "enabled_modules", None)
        ),
    }
    return render(request, "parties/client_detail.html", context)


@login_required
@permission_required("parties.delete_client", raise_exception=True)
@require_http_methods(["GET", "POST"])
def client_delete(request, pk):
    client = queries.get_visible_client(request.user, pk)
    return _confirm_delete(
        request,
        client,
        client,
        services.delete_client,
        success_url=reverse("parties:client-list"),
        message=_("Client “%(name)s” deleted.") % {"name": client.name},
        archive_url=reverse("parties:client-archive", args=[client.pk]),
    )


def _confirm_delete(request, client, obj, service, *, success_url, message, archive_url):
    """GET asks for confirmation, or says up front what refers to the record (and offers to archive it);
    POST calls the delete service. A refusal shows on the page, nothing deleted (409 when referenced)."""
    form = forms.Form(request.POST if request.method == "POST" else None)
    if form.is_valid():
        _call_service(form, service, obj, by=request.user)
        if not form.errors:
            messages.success(request, message)
            return redirect(success_url)
    references = deletion.references(obj)
    context = {
        "client": client,
        "object": obj,
        "object_type": obj._meta.verbose_name,
        "form": form,
        "references": deletion.ReferencedError(obj, references).message if references else "",
        "archive_url": archive_url,
        "cancel_url": reverse("parties:client-detail", args=[client.pk]),
    }
    status = 200
    if form.errors:
        status = 409 if getattr(form.refusal, "code", "") == "referenced" else 400
    return render(request, "parties/confirm_delete.html", context, status=status)


def _set_archived(request, client, obj, service, *, message, anchor=""):
    """POST: archive or restore one record through its service; back to the client card with a message."""
    try:
        service(obj, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect(reverse("parties:client-detail", args=[client.pk]) + anchor)


@login_required
@permission_required("parties.change_client", raise_exception=True)
@require_POST
def client_archive(request, pk):
    client = queries.get_visible_client(request.user, pk)
    return _set_archived(request, client, client, services.archive_client,
                         message=_("Client “%(name)s” archived.") % {"name": client.name})


@login_required
@permission_required("parties.change_client", raise_exception=True)
@require_POST
def client_restore(request, pk):
    client = queries.get_visible_client(request.user, pk)
    return _set_archived(request, client, client, services.restore_client,
                         message=_("Client “%(name)s” restored.") % {"name": client.name})


# --- Card sections ----------------------------------------------------------------------------------


def _counterparty_context(user, client) -> dict:
    today = timezone.localdate()
    counterparties = list(
        queries.visible_counterparties(user).filter(client=client).prefetch_related("bank_accounts")
    )
    return {
        "client": client,
        "current_counterparties": [cp for cp in counterparties if cp.is_current(today)],
        "other_counterparties": [cp for cp in counterparties if not cp.is_current(today)],
        "today": today,
    }


def _contact_context(user, client) -> dict:
    contacts = queries.visible_contacts(user).filter(client=client).prefetch_related("channels")
    return {"client": client, "contacts": list(contacts)}


def _history_context(user, client) -> dict:
    return {"history": list(history_for(client, user=user)[:HISTORY_LIMIT]), "history_limit": HISTORY_LIMIT}


SECTIONS = {
    "counterparties": ("parties/partials/_counterparties.html", _counterparty_context),
    "contacts": ("parties/partials/_contacts.html", _contact_context),
}


def _section_response(request, client, section):
    """After a change: the redrawn section plus the history, swapped out of band."""
    template, build = SECTIONS[section]
    html = render_to_string(template, build(request.user, client), request=request)
    html += render_to_string(
        "parties/partials/_history.html",
        {"client": client, "oob": True, **_history_context(request.user, client)},
        request=request,
    )
    return HttpResponse(html)


def _sub_form(request, client, *, form, section, title, action, save):
    """GET shows the form (a fragment for htmx); POST calls `save(form)` (one service).

    Success: htmx gets the redrawn section, a plain browser is sent back to the card. Refusal: the form
    again with its errors and status 400; for htmx it replaces only itself (HX-Retarget)."""
    duplicates = None
    if request.method == "POST" and form.is_valid():
        result, duplicates = _call_service(form, save, form)
        if result is not None:
            if is_htmx(request):
                return _section_response(request, client, section)
            return redirect(f"{reverse('parties:client-detail', args=[client.pk])}#{section}")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "client": client,
        "form": form,
        "title": title,
        "action": action,
        "section": section,
        "inline": is_htmx(request),
        "duplicates": _duplicates_with_links(request.user, duplicates),
        "cancel_url": f"{reverse('parties:client-detail', args=[client.pk])}#{section}",
    }
    if is_htmx(request):
        response = render(request, "parties/partials/_inline_form.html", context, status=status)
        response["HX-Retarget"] = f"#{section}-form-slot"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "parties/sub_form.html", context, status=status)


def _client_for_change(request, client_pk):
    return queries.get_visible_client(request.user, client_pk)


def _own(obj, client):
    if obj.client_id != client.pk:
        raise Http404
    return obj


# --- Counterparties ---------------------------------------------------------------------------------


@login_required
@permission_required("parties.add_counterparty", raise_exception=True)
@require_http_methods(["GET", "POST"])
def counterparty_create(request, client_pk):
    client = _client_for_change(request, client_pk)
    form = CounterpartyForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    return _sub_form(
        request,
        client,
        form=form,
        section="counterparties",
        title=_("Add counterparty"),
        action=reverse("parties:counterparty-create", args=[client.pk]),
        save=lambda f: services.add_counterparty(
            client, by=request.user, allow_duplicates=f.cleaned_data["allow_duplicates"], **f.service_values()
        ),
    )


@login_required
@permission_required("parties.change_counterparty", raise_exception=True)
@require_http_methods(["GET", "POST"])
def counterparty_edit(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    cp = _own(queries.get_visible_counterparty(request.user, pk), client)
    form = CounterpartyForm(request.POST or None, initial=CounterpartyForm.initial_for(cp))
    return _sub_form(
        request,
        client,
        form=form,
        section="counterparties",
        title=_("Edit counterparty “%(name)s”") % {"name": cp.legal_name},
        action=reverse("parties:counterparty-edit", args=[client.pk, cp.pk]),
        save=lambda f: services.update_counterparty(
            cp, by=request.user, allow_duplicates=f.cleaned_data["allow_duplicates"], **f.service_values()
        ),
    )


@login_required
@permission_required("parties.delete_counterparty", raise_exception=True)
@require_http_methods(["GET", "POST"])
def counterparty_delete(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    cp = _own(queries.get_visible_counterparty(request.user, pk), client)
    return _confirm_delete(
        request,
        client,
        cp,
        services.delete_counterparty,
        success_url=f"{reverse('parties:client-detail', args=[client.pk])}#counterparties",
        message=_("Counterparty “%(name)s” deleted.") % {"name": cp.legal_name},
        archive_url=reverse("parties:counterparty-archive", args=[client.pk, cp.pk]),
    )


@login_required
@permission_required("parties.change_counterparty", raise_exception=True)
@require_POST
def counterparty_archive(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    cp = _own(queries.get_visible_counterparty(request.user, pk), client)
    return _set_archived(request, client, cp, services.archive_counterparty, anchor="#counterparties",
                         message=_("Counterparty “%(name)s” archived.") % {"name": cp.legal_name})


@login_required
@permission_required("parties.change_counterparty", raise_exception=True)
@require_POST
def counterparty_restore(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    cp = _own(queries.get_visible_counterparty(request.user, pk), client)
    return _set_archived(request, client, cp, services.restore_counterparty, anchor="#counterparties",
                         message=_("Counterparty “%(name)s” restored.") % {"name": cp.legal_name})


@login_required
@permission_required("parties.change_counterparty", raise_exception=True)
@require_http_methods(["GET", "POST"])
def bankaccount_create(request, client_pk, counterparty_pk):
    client = _client_for_change(request, client_pk)
    cp = _own(queries.get_visible_counterparty(request.user, counterparty_pk), client)
    form = BankAccountForm(request.POST or None)
    return _sub_form(
        request,
        client,
        form=form,
        section="counterparties",
        title=_("Add bank account to “%(name)s”") % {"name": cp.legal_name},
        action=reverse("parties:bankaccount-create", args=[client.pk, cp.pk]),
        save=lambda f: services.add_bank_account(cp, by=request.user, **f.cleaned_data),
    )


# --- Contacts ---------------------------------------------------------------------------------------


@login_required
@permission_required("parties.add_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_create(request, client_pk):
    client = _client_for_change(request, client_pk)
    form = ContactForm(request.POST or None)
    return _sub_form(
        request,
        client,
        form=form,
        section="contacts",
        title=_("Add contact person"),
        action=reverse("parties:contact-create", args=[client.pk]),
        save=lambda f: services.add_contact(
            client, by=request.user, allow_duplicates=f.cleaned_data["allow_duplicates"], **f.service_values()
        ),
    )


@login_required
@permission_required("parties.change_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_edit(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    contact = _own(queries.get_visible_contact(request.user, pk), client)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    return _sub_form(
        request,
        client,
        form=form,
        section="contacts",
        title=_("Edit contact person “%(name)s”") % {"name": contact.full_name},
        action=reverse("parties:contact-edit", args=[client.pk, contact.pk]),
        save=lambda f: services.update_contact(
            contact,
            by=request.user,
            allow_duplicates=f.cleaned_data["allow_duplicates"],
            **f.service_values(),
        ),
    )


@login_required
@permission_required("parties.delete_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_delete(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    contact = _own(queries.get_visible_contact(request.user, pk), client)
    return _confirm_delete(
        request,
        client,
        contact,
        services.delete_contact,
        success_url=f"{reverse('parties:client-detail', args=[client.pk])}#contacts",
        message=_("Contact person “%(name)s” deleted.") % {"name": contact.full_name},
        archive_url=reverse("parties:contact-archive", args=[client.pk, contact.pk]),
    )


@login_required
@permission_required("parties.change_contact", raise_exception=True)
@require_POST
def contact_archive(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    contact = _own(queries.get_visible_contact(request.user, pk), client)
    return _set_archived(request, client, contact, services.archive_contact, anchor="#contacts",
                         message=_("Contact person “%(name)s” archived.") % {"name": contact.full_name})


@login_required
@permission_required("parties.change_contact", raise_exception=True)
@require_POST
def contact_restore(request, client_pk, pk):
    client = _client_for_change(request, client_pk)
    contact = _own(queries.get_visible_contact(request.user, pk), client)
    return _set_archived(request, client, contact, services.restore_contact, anchor="#contacts",
                         message=_("Contact person “%(name)s” restored.") % {"name": contact.full_name})


@login_required
@permission_required("parties.view_contact", raise_exception=True)
@require_http_methods(["GET"])
def contact_channel_row(request):
    """One more empty channel row for the channel editor of the contact and client forms (htmx)."""
    name = request.GET.get("name", "channels")
    if name not in ("channels",):
        raise Http404
    return render(request, "parties/partials/_channel_row.html",
                  {"name": name, "row": {"kind": "", "value": ""}, "kinds": ContactChannel.Kind.choices})


# --- Search -----------------------------------------------------------------------------------------


@login_required
def search(request):
    text = request.GET.get("q", "").strip()
    hits = queries.global_search(request.user, text) if text else []
    groups = [
        (label, [h for h in hits if h.kind == kind])
        for kind, label in (
            ("client", _("Clients")),
            ("counterparty", _("Counterparties")),
            ("contact", _("Contact persons")),
        )
    ]
    # Other modules answer too (stock: "available per warehouse" of a product), without parties naming them.
    sections = modules.collect("global_search_sections", request.user, text) if len(text) >= 2 else []
    return render(
        request,
        "parties/search.html",
        {
            "q": text,
            "hits": hits,
            "groups": [(label, items) for label, items in groups if items],
            "sections": sections,
            "too_short": 0 < len(text) < 2,
        },
    )


# --- Pickers: options of the client, counterparty and contact pickers (parties.pickers) -------------------


@login_required
@permission_required("parties.view_client", raise_exception=True)
@fragment
def client_picker(request):
    return render_options(request, pickers.CLIENT_PICKER, queries.visible_clients(request.user).active())


@login_required
@permission_required("parties.view_counterparty", raise_exception=True)
@fragment
def counterparty_picker(request):
    """A client's legal entities (?client=), or any the user may see when no client is chosen yet."""
    return render_child_options(request, pickers.COUNTERPARTY_PICKER,
                                queries.visible_counterparties(request.user).active())


@login_required
@permission_required("parties.view_contact", raise_exception=True)
@fragment
def contact_picker(request):
    """A client's contact persons (?client=), or any the user may see when no client is chosen yet."""
    return render_child_options(request, pickers.CONTACT_PICKER, queries.visible_contacts(request.user).active())


# --- Settings: sources and tags (core.reference_lists renders, parties.services writes) ----------------

def _source_rows(show_all: bool) -> list[reference_lists.Row]:
    sources = Source.objects.in_archive_state("all" if show_all else "false").annotate(
        client_count=Count("clients", distinct=True)).order_by("name")
    rows = []
    for source in sources:
        actions = [reference_lists.archive_action(source, reverse("parties:source-archive", args=[source.pk]),
                                                  reverse("parties:source-restore", args=[source.pk]))]
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
    return reference_lists.add(request, SourceForm(request.POST), services.create_source,
                               functools.partial(_source_page, request), reverse("parties:source-settings"))


@login_required
@permission_required("parties.change_source", raise_exception=True)
@require_POST
def source_rename(request, pk: int):
    return reference_lists.rename(request, get_object_or_404(Source, pk=pk), services.update_source,
                                  functools.partial(_source_page, request, SourceForm()),
                                  reverse("parties:source-settings"))


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
    return reference_lists.rename(request, get_object_or_404(Tag, pk=pk), services.rename_tag,
                                  functools.partial(_tag_page, request), reverse("parties:tag-settings"))


@login_required
@permission_required("parties.delete_tag", raise_exception=True)
@require_POST
def tag_delete(request, pk: int):
    tag = get_object_or_404(Tag, pk=pk)
    return reference_lists.run(request, services.delete_tag, tag, _("Tag “%(name)s” deleted.") % {"name": tag.name},
                               reverse("parties:tag-settings"))
