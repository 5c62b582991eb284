"""A reviewer's pages: the queue, the case page and console, decisions, bulk decisions, shifts."""
