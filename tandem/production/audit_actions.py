"""The audit vocabulary of production: action codes in words, including the status changes core.workflow
records as production.productionorder.<new status>."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "production.productionorder.created": _("made a production order"),
}
