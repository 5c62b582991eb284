"""Scoring posts for likely falsehood: the `Classifier` interface, its implementations, bands."""
