"""Legal's pages: action-log search and export, holds, DSA statements, a case's timeline."""
