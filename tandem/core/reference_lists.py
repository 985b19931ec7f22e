"""Reference lists (sources, tags, lost reasons, complaint categories): the steps their settings pages and
services share. Views: one template (`page`), the add and rename handlers, the archive/restore action and a
one-click action runner; each app's views build the rows and name its own services. Services: a cleaned
name, the case-insensitive duplicate check and a rename that locks, saves and audits; each app's services
check permissions and choose the messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.core import audit
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.forms import call_service


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


@dataclass
class Action:
    label: str
    url: str
    secondary: bool = True


@dataclass
class Row:
    pk: int
    name: str
    details: list = field(default_factory=list)
    state: str = ""  # "archived", "inactive" or "" (in use)
    rename_url: str = ""
    actions: list[Action] = field(default_factory=list)


def page(request, *, title, rows: list[Row], add_form=None, intro: str = "", show_all: bool | None = None,
         columns: tuple = (), rename_errors: dict | None = None, status: int = 200):
    """Render the list: an add form on top, a row per entry with inline rename and its actions."""
    context = {
        "title": title, "intro": intro, "rows": rows, "add_form": add_form, "show_all": show_all,
        "columns": columns, "rename_errors": rename_errors or {},
    }
    return render(request, "core/reference_list.html", context, status=status)


def run(request, service, obj, success_message: str, next_url: str, **kwargs):
    """A one-click action (archive, restore, delete, deactivate): a refusal becomes a message, not a 500."""
    try:
        service(obj, by=request.user, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success_message)
    return redirect(next_url)


def archive_action(obj, archive_url: str, restore_url: str) -> Action:
    """The row's one-click action of an archivable entry: Restore (primary) when archived, else Archive."""
    if obj.is_archived:
        return Action(gettext("Restore"), restore_url, secondary=False)
    return Action(gettext("Archive"), archive_url)


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def add(request, form, service, rerender, list_url: str, **values):
    """POST of the add form: create through `service(by=…, **form.cleaned_data, **values)` and go to the new
    row, or show the list again with the form's errors (400). `rerender(form, status=…)` builds the page."""
    if form.is_valid():
        created = call_service(form, service, by=request.user, **form.cleaned_data, **values)
        if created is not None:
            return redirect(f"{list_url}#row-{created.pk}")
    return rerender(form, status=400)


def rename(request, obj, service, rerender, list_url: str):
    """POST of a row's rename form: `service(obj, by=…, name=…)`, back to the row; or the list again with the
    refusal next to that row (400). `rerender(rename_errors=…, status=…)` builds the page."""
    form = NameForm(request.POST)
    if form.is_valid() and call_service(form, service, obj, by=request.user,
                                        name=form.cleaned_data["name"]) is not None:
        return redirect(f"{list_url}#row-{obj.pk}")
    return rerender(rename_errors={obj.pk: first_error(form)}, status=400)


# --- Services' shared steps -----------------------------------------------------------------------------

def clean_name(name, *, max_length: int = 100, too_long: str | None = None) -> str:
    """The name without surrounding blanks; refused when empty or longer than max_length."""
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", gettext("Enter a name."), field="name")
    if len(name) > max_length:
        raise BusinessRuleError("too_long", too_long or gettext("At most %(n)s characters.") % {"n": max_length},
                                field="name")
    return name


def refuse_duplicate(model, name: str, *, exclude_pk=None, message: str | None = None) -> None:
    """409 when another entry has the name in any letter case."""
    if model._default_manager.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ConflictError("duplicate", message or gettext("“%(name)s” exists already.") % {"name": name},
                            field="name")


def rename_entry(obj, *, by, name: str, action: str, max_length: int = 100, too_long: str | None = None,
                 duplicate: str | None = None):
    """Rename a reference-list entry (the caller checked the permission): lock it, refuse a name another entry
    has, save and audit `action` with {"name": [old, new]} when the name changed. Records naming the entry show
    the new name. `duplicate`: the refusal's message, with %(name)s."""
    name = clean_name(name, max_length=max_length, too_long=too_long)
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        refuse_duplicate(model, name, exclude_pk=locked.pk, message=duplicate and duplicate % {"name": name})
        if locked.name != name:
            changes = {"name": [locked.name, name]}
            locked.name = name
            locked.save(update_fields=["name"])
            audit.record(locked, action, by=by, changes=changes)
    return locked
