"""The review pipeline: routing, the queue, decisions, enforcement on the platform."""
