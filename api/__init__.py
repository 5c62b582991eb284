"""The FastAPI app: /v1 for the platform and reviewers, health, and the review UI mounted on it."""
