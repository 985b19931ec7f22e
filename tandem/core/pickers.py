"""Searchable pickers: a form field whose widget never renders the rows it chooses from.

A picker is a text box. The user types a few letters, htmx asks the picker's endpoint (each app serves its
own, through the same record rules as its lists) and at most `PICKER_LIMIT` options come back, each showing
what tells two rows apart (city, tax ID, owner). Choosing one stores its id in a hidden input; core/tandem.js
does that, and clears a dependent picker (a client's counterparty) whose choice no longer fits.

Without JavaScript the text box is a plain input: the server reads what was typed, a record number
(`#123`) or enough of a name to match one row; anything else is a form error saying what went wrong.

    class DealForm(forms.Form):
        client = PickerField(CLIENT_PICKER, label=..., queryset=...)
        counterparty = PickerField(COUNTERPARTY_PICKER, depends_on="client", required=False, queryset=...)

A `PickerSource` tells how one kind of row is searched and described; the app owning the rows declares it
(parties.pickers for clients, counterparties and contacts; `OWNER_PICKER` here for users).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core import limits
from tandem.core.models import User
from tandem.core.owners import SALES_ROLES, active_users, sales_users  # noqa: F401 (imported from here)

PICKER_LIMIT = 20
MIN_TEXT = 2


@dataclass(frozen=True)
class PickerOption:
    """One row as a picker shows it."""

    id: int
    label: str  # what the text box shows once the row is chosen
    detail: str = ""  # what tells it apart from a row with the same label
    parent_id: int | None = None  # the row a dependent picker follows (a counterparty's client)
    parent_label: str = ""


@dataclass(frozen=True)
class PickerSource:
    """How a picker searches and shows one kind of row.

    `search(queryset, text)`: the rows matching what was typed, in the order to offer them (an index order,
    so the first `PICKER_LIMIT` are found without sorting every match). `describe(rows)`: their options, in
    one go (a detail may need one more query for all of them). `exact(queryset, text)`: rows whose label is
    `text` (typed without JavaScript). `parent`: the field of the row a dependent picker filters by."""

    url_name: str
    noun: str  # "client": used in messages
    search: Callable[[QuerySet, str], QuerySet]
    describe: Callable[[list], list[PickerOption]]
    exact: Callable[[QuerySet, str], QuerySet]
    parent: str | None = None  # "client": the model field (client_id) and the form field it depends on
    placeholder: str = field(default_factory=lambda: gettext_lazy("Type a few letters…"))

    def option(self, row) -> PickerOption:
        return self.describe([row])[0]


class Chosen(int):
    """The chosen row's id (what a bound field's value() is), carrying its option for the widget."""

    option: PickerOption

    @classmethod
    def of(cls, option: PickerOption) -> Chosen:
        chosen = cls(option.id)
        chosen.option = option
        return chosen


@dataclass
class PickerValue:
    """What a picker posts: the chosen row's id (hidden input) and the text box as the user left it."""

    id: str
    text: str | None  # None when only an id was sent (a test client, a script)


# --- Widget and field -------------------------------------------------------------------------------------


class PickerWidget(forms.Widget):
    template_name = "core/widgets/picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.source: PickerSource | None = None
        self.depends_on: str | None = None
        self.fixed: dict = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.fixed = dict(self.fixed)
        return copy

    def value_from_datadict(self, data, files, name):
        if name not in data and f"{name}_search" not in data:
            return None
        return PickerValue(data.get(name) or "", data.get(f"{name}_search"))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def format_value(self, value):
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        option = value.option if isinstance(value, Chosen) else None
        text = option.label if option else (value.text if isinstance(value, PickerValue) else "") or ""
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        url = reverse(self.source.url_name) + f"?field={name}"
        include = ""
        if self.depends_on and not self.fixed:
            include = f"[name={self.depends_on}]"
        context["widget"].update(
            {
                "option": option,
                "text": text,
                "url": url,
                "include": include,
                "options_id": f"{widget_id}_options",
                "depends_on": self.depends_on or "",
                "placeholder": self.source.placeholder,
                "vals": json.dumps(self.fixed) if self.fixed else "",
            }
        )
        return context


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField chosen through a searchable picker; `queryset` is what the user may choose (the
    visible rows), searched only by the picker's endpoint, never listed in the page."""

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": gettext_lazy("There is no %(noun)s #%(value)s you may choose."),
        "not_found": gettext_lazy("No %(noun)s matches “%(text)s”. Type a few letters and choose from the list."),
        "ambiguous": gettext_lazy(
            "Several %(noun)s records match “%(text)s”. Choose one from the list, or type "
            "its number (e.g. #%(example)s)."
        ),
    }

    def __init__(self, source: PickerSource, *, queryset=None, depends_on: str | None = None, **kwargs):
        super().__init__(queryset=queryset, **kwargs)
        self.source = source
        self.widget.source = source
        self.widget.depends_on = depends_on
        # Narrows what typed text may match (the chosen client of a dependent picker); set by the form.
        self.narrow: dict = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.narrow = dict(self.narrow)
        return copy

    def _set_queryset(self, queryset):
        # Never hands the rows to the widget (a ModelChoiceField's widget lists its choices).
        self._queryset = None if queryset is None else queryset.all()

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def fix_parent(self, parent_id) -> None:
        """The parent is set by the page (an interaction of one client): only its rows are offered."""
        self.narrow = {f"{self.source.parent}_id": parent_id}
        self.widget.fixed = {self.source.parent: str(parent_id)}

    def prepare_value(self, value):
        """The chosen row's id with its option (to show its label), or what was typed when it matches no row."""
        if value in self.empty_values:
            return None
        if isinstance(value, Chosen):
            return value
        if hasattr(value, "_meta"):
            return Chosen.of(self.source.option(value))
        if isinstance(value, PickerValue):
            row = self._row_by_id(value.id)
            if row is not None and (value.text is None or _same(value.text, self.source.option(row).label)):
                return Chosen.of(self.source.option(row))
            return PickerValue("", value.text)
        row = self._row_by_id(value)
        return Chosen.of(self.source.option(row)) if row is not None else None

    def _row_by_id(self, pk):
        if pk in self.empty_values or not limits.is_id(str(pk).strip().lstrip("#")):
            return None
        return self.queryset.filter(pk=str(pk).strip().lstrip("#")).first()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "_meta"):
            value = PickerValue(str(value.pk), None)
        if not isinstance(value, PickerValue):
            value = PickerValue(str(value), None)
        text = None if value.text is None else value.text.strip()
        if text == "":
            return None  # the text box was emptied: nothing chosen
        if value.id:
            row = self._row_by_id(value.id)
            if row is not None and (text is None or _same(text, self.source.option(row).label)):
                return row
            if text is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"noun": self.source.noun, "value": value.id},
                )
        return self.resolve_text(text) if text else None

    def resolve_text(self, text: str):
        """A row from what was typed without choosing from the list: `#123`, an exact label, or enough of a
        name to match exactly one row."""
        params = {"noun": self.source.noun, "text": text}
        qs = self.queryset.filter(**self.narrow)
        number = text.lstrip("#").strip()
        if limits.is_id(number):
            row = qs.filter(pk=number).first()
            if row is not None:
                return row
            if text.startswith("#"):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"noun": self.source.noun, "value": number},
                )
        for candidates in (self.source.exact(qs, text), self.source.search(qs, text)):
            rows = list(candidates[:2])
            if len(rows) == 1:
                return rows[0]
            if len(rows) > 1:
                raise ValidationError(
                    self.error_messages["ambiguous"], code="ambiguous", params={**params, "example": rows[0].pk}
                )
        raise ValidationError(self.error_messages["not_found"], code="not_found", params=params)

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        initial_value = initial.pk if hasattr(initial, "pk") else initial
        try:
            data_value = self.to_python(data)
        except ValidationError:
            return True
        return str(initial_value or "") != str(getattr(data_value, "pk", "") or "")


def _same(text: str, label: str) -> bool:
    return text.strip().casefold() == label.strip().casefold()


def as_select(field: forms.ModelChoiceField, label_from_instance=None) -> None:
    """Show a picker as a plain select (its queryset is a handful of rows, e.g. only the user themselves)."""
    field.widget = forms.Select()
    if label_from_instance is not None:
        field.label_from_instance = label_from_instance
    field.widget.choices = field.choices


# --- Endpoints ------------------------------------------------------------------------------------------


def typed_text(request) -> str:
    """What the user typed into the picker that asked (its `<field>_search` input), or `q`."""
    name = request.GET.get("field", "")
    return (request.GET.get(f"{name}_search") if name else None) or request.GET.get("q", "") or ""


def render_options(request, source: PickerSource, queryset: QuerySet, *, filtered: bool = False):
    """The picker's options for what was typed: at most PICKER_LIMIT rows of `queryset` (already limited by
    the record rules). Fewer than MIN_TEXT characters show a hint, unless the rows are narrowed already
    (a client's counterparties: `filtered`)."""
    text = typed_text(request).strip()
    options, more = [], False
    if len(text) >= MIN_TEXT or filtered:
        rows = list((source.search(queryset, text) if text else queryset)[: PICKER_LIMIT + 1])
        more = len(rows) > PICKER_LIMIT
        options = source.describe(rows[:PICKER_LIMIT])
    return render(
        request,
        "core/partials/_picker_options.html",
        {
            "options": options,
            "more": more,
            "text": text,
            "too_short": len(text) < MIN_TEXT and not filtered,
            "noun": source.noun,
        },
    )


def parent_id(request, source: PickerSource) -> int | None:
    """The parent row a dependent picker's request names (`?client=12`), if a number."""
    value = (request.GET.get(source.parent or "") or "").strip()
    return int(value) if value.isdigit() and int(value) <= limits.MAX_ID else None


def render_child_options(request, source: PickerSource, queryset: QuerySet, *, ordering: tuple[str, ...] = ()):
    """Options of a dependent picker: the rows of the parent the request names (`?client=12`, in `ordering`
    when given), or every row of `queryset` when no parent is chosen yet."""
    parent = parent_id(request, source)
    if parent:
        queryset = queryset.filter(**{f"{source.parent}_id": parent})
        if ordering:
            queryset = queryset.order_by(*ordering)
    return render_options(request, source, queryset, filtered=bool(parent))


# --- Owners: active users with a sales role (core.owners) ------------------------------------------------

def _search_users(qs: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    cond = (
        Q(username__icontains=text)
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(email__icontains=text)
    )
    if " " in text:
        first, _sep, last = text.partition(" ")
        cond |= Q(first_name__icontains=first.strip(), last_name__icontains=last.strip())
    return qs.filter(cond).order_by("first_name", "last_name", "username", "id")


def _exact_users(qs: QuerySet, text: str) -> QuerySet:
    rows = [u.pk for u in _search_users(qs, text)[:50] if _same(text, u.display_name) or _same(text, u.username)]
    return qs.filter(pk__in=rows)


def _describe_users(rows: list) -> list[PickerOption]:
    roles: dict[int, list[str]] = {}
    for user_id, name in (
        User.groups.through.objects.filter(user_id__in=[u.pk for u in rows])
        .values_list("user_id", "group__name")
        .order_by("group__name")
    ):
        roles.setdefault(user_id, []).append(_(name))
    return [
        PickerOption(
            u.pk, u.display_name, " · ".join(x for x in (u.email or u.username, ", ".join(roles.get(u.pk, []))) if x)
        )
        for u in rows
    ]


OWNER_PICKER = PickerSource(
    url_name="core:owner-picker",
    noun=gettext_lazy("owner"),
    search=_search_users,
    exact=_exact_users,
    describe=_describe_users,
    placeholder=gettext_lazy("Type a name…"),
)
USER_PICKER = PickerSource(
    url_name="core:user-picker",
    noun=gettext_lazy("user"),
    search=_search_users,
    exact=_exact_users,
    describe=_describe_users,
    placeholder=gettext_lazy("Type a name…"),
)


def owner_field(label, *, required: bool = True, current_id=None, **kwargs) -> PickerField:
    """An owner picker: active users with a sales role, plus the one the record already names."""
    return PickerField(OWNER_PICKER, label=label, required=required, queryset=owners_queryset(current_id), **kwargs)


def owners_queryset(current_id=None) -> QuerySet[User]:
    qs = sales_users()
    if current_id:
        qs = User.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk=current_id))
    return qs
