"""The `veracity` console command."""
