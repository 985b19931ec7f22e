"""Settings pages for reference lists (sources, tags, lost reasons, complaint categories): one template and
the few steps every such page repeats. Each app's views build the rows and call its own services."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from tandem.core.errors import AccessDenied, BusinessRuleError


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
