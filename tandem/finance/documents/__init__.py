"""Documents made from an invoice: the PDF a client reads (pdf.py), the Factur-X / ZUGFeRD e-invoice with its
EN 16931 CII XML (facturx.py); what both print comes from content.py (the billed counterparty, the tax summary
per rate, legal notes, the bank account to pay to); access.py is who may download them."""
