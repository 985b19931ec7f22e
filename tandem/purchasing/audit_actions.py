"""The audit vocabulary of purchasing: action codes in words, including the status changes core.workflow
records as purchasing.purchaseorder.<new status>."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # Suppliers and their prices
    "purchasing.supplierprofile.created": _("made the counterparty a supplier"),
    "purchasing.supplierprofile.changed": _("changed the supplier"),
    "purchasing.supplierprice.created": _("added a supplier price"),
    "purchasing.supplierprice.changed": _("changed a supplier price"),
    "purchasing.supplierprice.removed": _("removed a supplier price"),
    "purchasing.purchasingsettings.changed": _("changed the purchasing settings"),
    # Purchase orders
    "purchasing.purchaseorder.created": _("made a purchase order"),
    "purchasing.purchaseorder.changed": _("changed the purchase order"),
    "purchasing.purchaseorder.line_added": _("added a line to the purchase order"),
    "purchasing.purchaseorder.line_changed": _("changed a line of the purchase order"),
    "purchasing.purchaseorder.line_removed": _("removed a line from the purchase order"),
    "purchasing.purchaseorder.quoted": _("recorded the supplier's quoted prices"),
    "purchasing.purchaseorder.converted": _("converted the request for quotation into a purchase order"),
    "purchasing.purchaseorder.to_approve": _("submitted the purchase order for approval"),
    "purchasing.purchaseorder.draft": _("moved the purchase order to draft"),
    "purchasing.purchaseorder.approved": _("approved the purchase order"),
    "purchasing.purchaseorder.sent": _("sent the purchase order"),
    "purchasing.purchaseorder.partly_received": _("received part of the purchase order"),
    "purchasing.purchaseorder.received": _("received the purchase order"),
    "purchasing.purchaseorder.goods_received": _("recorded a receipt of the purchase order"),
    "purchasing.purchaseorder.closed": _("closed the purchase order"),
    "purchasing.purchaseorder.cancelled": _("cancelled the purchase order"),
    # Landed costs
    "purchasing.landedcost.created": _("entered a landed cost"),
    "purchasing.landedcost.changed": _("changed the landed cost"),
    "purchasing.landedcost.allocated": _("allocated the landed cost to its receipts"),
    "purchasing.landedcost.cancelled": _("cancelled the landed cost"),
    "purchasing.purchaseorder.billed": _("billed the purchase order in full"),
    "purchasing.purchaseorder.bill_drafted": _("prepared a supplier bill of the purchase order"),
    "purchasing.purchaseorder.bill_difference_accepted": _("accepted a supplier bill that differs from the order"),
}
