"""The audit vocabulary of sales: action codes in words, including the status changes
core.workflow.transition records as sales.<model>.<new status>."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # Quotes
    "sales.quote.created": _("made a quote"),
    "sales.quote.changed": _("changed the quote"),
    "sales.quote.line_added": _("added a line to the quote"),
    "sales.quote.line_changed": _("changed a line of the quote"),
    "sales.quote.line_removed": _("removed a line from the quote"),
    "sales.quote.sent": _("sent the quote"),
    "sales.quote.accepted": _("marked the quote accepted"),
    "sales.quote.rejected": _("marked the quote rejected"),
    "sales.quote.expired": _("marked the quote expired"),
    # Orders
    "sales.order.created": _("made a sales order"),
    "sales.order.changed": _("changed the sales order"),
    "sales.order.line_added": _("added a line to the sales order"),
    "sales.order.line_changed": _("changed a line of the sales order"),
    "sales.order.line_removed": _("removed a line from the sales order"),
    "sales.order.confirmed": _("confirmed the sales order"),
    "sales.order.partly_shipped": _("shipped part of the sales order"),
    "sales.order.shipped": _("shipped the sales order"),
    "sales.order.closed": _("closed the sales order"),
    "sales.order.cancelled": _("cancelled the sales order"),
    "sales.order.invoiced": _("invoiced the sales order"),
    "sales.customerreturn.credited": _("credited the customer return"),
    # Shipments and customer returns
    "sales.shipment.created": _("made a shipment"),
    "sales.shipment.changed": _("changed the shipment"),
    "sales.shipment.picked": _("confirmed the shipment picked"),
    "sales.shipment.packed": _("confirmed the shipment packed"),
    "sales.shipment.shipped": _("shipped the shipment"),
    "sales.shipment.delivered": _("marked the shipment delivered"),
    "sales.shipment.cancelled": _("cancelled the shipment"),
    "sales.customerreturn.created": _("recorded a customer return"),
    "sales.customerreturn.received": _("received the customer return"),
    "sales.customerreturn.cancelled": _("cancelled the customer return"),
    # Price groups of clients
    "sales.clientpricing.changed": _("changed the client's price group"),
}

CHANGE_LABELS = {
    "sales.quote": {"lines": None, "line": _("line")},
    "sales.order": {"lines": None, "line": _("line"), "shortages": _("short")},
    "sales.shipment": {"items": _("goods"), "order_number": _("sales order")},
    "sales.customerreturn": {"items": _("goods"), "order_number": _("sales order")},
}
