"""People and services: users with roles, API keys with scopes."""
