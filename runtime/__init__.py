"""Wiring: builds the process's long-lived objects (database, classifier, clients) from settings.

The API, the worker and the CLI all start here, so they share one configuration path.
"""
