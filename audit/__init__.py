"""The legal action log: typed events written with each change (outbox), then shipped."""
