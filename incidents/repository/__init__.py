"""The incidents domain's queries, by what they read: `incidents` (incident rows and their
milestones), `narratives` (the posts counted under a narrative key)."""
