"""Chinese text before any model reads it: Traditional converted to Simplified.

The Weibo training sets are Simplified; a Traditional post (Taiwan, Hong Kong) would otherwise
meet many word pieces the head never saw. Conversion is OpenCC's `t2s` dictionary (the pure
Python reimplementation); it leaves Simplified text and non-Chinese characters as they are. The
stored post keeps the text as sent: only what the models read is converted.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter() -> Any:
    from opencc import OpenCC

    with _lock:
        return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` with Traditional characters and phrases converted to Simplified."""
    if not text or text.isascii():
        return text
    converted: str = _converter().convert(text)
    return converted
