"""Writes of sales: quotes.py (offers, their lines, send/accept/reject/expire), orders.py (orders, confirm
reserves stock, cancel releases it), lines.py (pricing and totals both share)."""
