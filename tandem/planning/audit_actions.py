"""The audit vocabulary of planning."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "planning.planningrun.completed": _("ran planning"),
    "planning.planningproposal.confirmed": _("confirmed a planning proposal"),
    "planning.planningparameter.created": _("set the planning parameters"),
    "planning.planningparameter.changed": _("changed the planning parameters"),
}
