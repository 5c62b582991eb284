"""The review UI: server-rendered pages for reviewers, PR, legal and admins over the same services."""

from review_ui.mount import mount_ui

__all__ = ["mount_ui"]
