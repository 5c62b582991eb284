"""Incident pages: the list, an incident, its forms, the response plan."""
