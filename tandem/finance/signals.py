"""Signals of finance for upper apps (finance names none of them): an invoice made from their document was
cancelled, so they can give back what they counted as invoiced. Sent inside the cancelling transaction."""

from django.dispatch import Signal

# sender=Invoice, invoice=<the cancelled Invoice>
invoice_cancelled = Signal()

# sender=Invoice, invoice=<the issued Invoice>; sent inside the issuing transaction once it is numbered and posted
# (an upper app counts what is billed; an exception rolls the issue back).
invoice_issued = Signal()
