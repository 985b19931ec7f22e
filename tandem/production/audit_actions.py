"""The audit vocabulary of production: action codes in words, including the status changes core.workflow
records as production.productionorder.<new status>."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "production.productionorder.created": _("made a production order"),
    # Work centres and bills of materials (bom_services)
    "production.workcentre.created": _("added a work centre"),
    "production.workcentre.changed": _("changed the work centre"),
    "production.workcentre.archived": _("archived the work centre"),
    "production.workcentre.restored": _("restored the work centre"),
    "production.bom.created": _("made a BOM version"),
    "production.bom.changed": _("changed the BOM version"),
    "production.bom.archived": _("archived the BOM version"),
    "production.bom.restored": _("restored the BOM version"),
    "production.bom.line_added": _("added a component to the BOM"),
    "production.bom.line_changed": _("changed a component of the BOM"),
    "production.bom.line_removed": _("removed a component from the BOM"),
    "production.bom.operation_added": _("added an operation to the BOM"),
    "production.bom.operation_changed": _("changed an operation of the BOM"),
    "production.bom.operation_removed": _("removed an operation from the BOM"),
    "production.productionorder.draft": _("took a production order back to draft"),
    "production.productionorder.confirmed": _("confirmed a production order"),
    "production.productionorder.in_progress": _("started a production order"),
    "production.productionorder.done": _("finished a production order"),
    "production.productionorder.cancelled": _("cancelled a production order"),
    "production.productionorder.consumed": _("consumed components for a production order"),
    "production.productionorder.time_booked": _("booked time on a production order"),
    "production.productionorder.produced": _("produced output of a production order"),
}
