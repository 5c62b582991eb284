"""Near-duplicate detection with MinHash over word shingles and LSH banding.

Two posts whose shingle sets have Jaccard similarity s share at least one of `BANDS` band
hashes with probability 1 - (1 - s^ROWS)^BANDS: 0.9998 at s = 0.7, 0.93 at s = 0.5,
0.42 at s = 0.3, 0.02 at s = 0.1.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 60
BANDS = 20
ROWS = NUM_PERM // BANDS
SHINGLE = 3
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261125)
_A = _rng.integers(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_TOKEN = re.compile(r"\w+")
_NOISE = re.compile(r"(https?://\S+|pic\.twitter\.com/\S+|@\w+)")


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    words = _TOKEN.findall(_NOISE.sub(" ", text.lower()))
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(items: set[str]) -> np.ndarray:
    if not items:
        return np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    hashed = np.array(
        [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=7).digest()) for s in items],
        dtype=np.uint64,
    )
    # (a * x + b) mod p, computed in uint64 with wrap-around before the modulus: a cheap
    # universal-ish family that is plenty for bucketing near-duplicates.
    values = (hashed[:, None] * _A[None, :] + _B[None, :]) % _MERSENNE
    signature: np.ndarray = values.min(axis=0)
    return signature


def band_hashes(text: str) -> list[str]:
    """The LSH band keys of a text; texts with any key in common are candidate duplicates."""
    items = shingles(text)
    if len(items) < 2:
        return []  # too short to call anything a duplicate of it
    signature = minhash(items)
    return [
        f"{b}:"
        + hashlib.blake2b(
            signature[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=12
        ).hexdigest()
        for b in range(BANDS)
    ]


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0
