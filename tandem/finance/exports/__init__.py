"""The ledger written out for other tools: beancount.py (plain-text accounting, checked by bean-check)."""
