"""The audit vocabulary of production: action codes in words, including the status changes core.workflow
records as production.productionorder.<new status>."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "production.productionorder.created": _("made a production order"),
    "production.productionorder.draft": _("took a production order back to draft"),
    "production.productionorder.confirmed": _("confirmed a production order"),
    "production.productionorder.in_progress": _("started a production order"),
    "production.productionorder.done": _("finished a production order"),
    "production.productionorder.cancelled": _("cancelled a production order"),
    "production.productionorder.consumed": _("consumed components for a production order"),
    "production.productionorder.time_booked": _("booked time on a production order"),
    "production.productionorder.produced": _("produced output of a production order"),
}
