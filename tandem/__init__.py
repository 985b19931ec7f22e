"""Tandem: one self-hosted CRM + ERP."""
