"""Claim matching: which library claims a post repeats (retrieval, re-ranking, fusion), its
training, evaluation and shipping, and the Chinese matcher."""
