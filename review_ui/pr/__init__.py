"""PR's pages: counter-statements, and the claim library with its import."""
