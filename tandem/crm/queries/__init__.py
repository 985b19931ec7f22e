"""Reads shared by the web UI and the API: record rules (visibility), list filters, agendas, the timeline."""
