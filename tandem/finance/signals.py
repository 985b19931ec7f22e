"""Signals of finance for upper apps (finance names none of them): an invoice made from their document was
cancelled, so they can give back what they counted as invoiced. Sent inside the cancelling transaction."""

from django.dispatch import Signal

# sender=Invoice, invoice=<the cancelled Invoice>
invoice_cancelled = Signal()
