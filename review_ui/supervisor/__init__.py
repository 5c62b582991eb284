"""Senior reviewers' and admins' oversight: supervision, dashboards and their charts."""
