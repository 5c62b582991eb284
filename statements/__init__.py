"""Counter-statements: drafting, checks, approval and publishing."""
