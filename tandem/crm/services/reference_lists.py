"""CRM reference lists managed on settings pages: lost reasons (add, rename, deactivate, reactivate) and
complaint categories (add, rename, reorder, archive, restore). Names are unique case-insensitively."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import archive, audit, reference_lists
from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.crm.models import ComplaintCategory, LostReason

# --- Lost reasons -----------------------------------------------------------------------------------

def rename_lost_reason(reason: LostReason, *, by: User, name: str) -> LostReason:
    """Deals lost for this reason show the new name."""
    require_permission(by, "crm.change_lostreason")
    return reference_lists.rename_entry(reason, by=by, name=name, action="crm.lostreason.renamed")


def set_lost_reason_active(reason: LostReason, active: bool, *, by: User) -> LostReason:
    """An inactive reason is no longer offered when a deal is lost; deals lost for it keep it."""
    require_permission(by, "crm.change_lostreason")
    with transaction.atomic():
        locked = LostReason.objects.select_for_update().get(pk=reason.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active"])
            audit.record(locked, "crm.lostreason.reactivated" if active else "crm.lostreason.deactivated",
                         by=by, changes={"is_active": [not active, active]})
    return locked


# --- Complaint categories ---------------------------------------------------------------------------

def create_complaint_category(*, by: User, name: str, position: int | None = None) -> ComplaintCategory:
    """A new category, last in the list unless a position is given."""
    require_permission(by, "crm.add_complaintcategory")
    name = reference_lists.clean_name(name)
    with transaction.atomic():
        reference_lists.refuse_duplicate(ComplaintCategory, name)
        if position is None:
            last = ComplaintCategory.objects.order_by("-position").values_list("position", flat=True).first()
            position = (last or 0) + 10
        category = ComplaintCategory.objects.create(name=name, position=position)
        audit.record(category, "crm.complaintcategory.created", by=by, changes={"name": [None, name]})
    return category


def update_complaint_category(category: ComplaintCategory, *, by: User, **values) -> ComplaintCategory:
    """Rename a category (complaints filed under it show the new name) or move it in the list."""
    require_permission(by, "crm.change_complaintcategory")
    unknown = sorted(set(values) - {"name", "position"})
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])
    if "position" in values and (not isinstance(values["position"], int) or not 0 <= values["position"] <= 32767):
        raise BusinessRuleError("invalid", _("Enter a whole number from 0 to 32767."), field="position")
    with transaction.atomic():
        locked = ComplaintCategory.objects.select_for_update().get(pk=category.pk)
        before = audit.snapshot(locked, ("name", "position"))
        if "name" in values:
            locked.name = reference_lists.clean_name(values["name"])
            reference_lists.refuse_duplicate(ComplaintCategory, locked.name, exclude_pk=locked.pk)
        if "position" in values:
            locked.position = values["position"]
        changes = audit.diff(before, audit.snapshot(locked, ("name", "position")))
        if changes:
            locked.save(update_fields=list(changes))
            audit.record(locked, "crm.complaintcategory.updated", by=by, changes=changes)
    return locked


def archive_complaint_category(category: ComplaintCategory, *, by: User) -> ComplaintCategory:
    """No longer offered for new complaints; complaints filed under it keep it."""
    require_permission(by, "crm.change_complaintcategory")
    return archive.archive(category, by=by)


def restore_complaint_category(category: ComplaintCategory, *, by: User) -> ComplaintCategory:
    require_permission(by, "crm.change_complaintcategory")
    return archive.restore(category, by=by)


def ensure_default_complaint_categories() -> None:
    """When there are no categories at all, create the usual ones (named in the active language). A set-up
    step (the data migration made them on existing installations), so it needs no permission."""
    if ComplaintCategory.objects.exists():
        return
    with transaction.atomic():
        ComplaintCategory.objects.bulk_create(
            ComplaintCategory(name=str(label), code=code, position=10 * index)
            for index, (code, label) in enumerate(ComplaintCategory.FORMER_CODES.items(), start=1)
        )
