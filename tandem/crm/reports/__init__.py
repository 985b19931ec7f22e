"""CRM reports: aggregates in SQL shaped by pure functions, shared by the pages and the API."""
