"""Forms of the CRM pages: shape only; crm.services applies the rules."""
