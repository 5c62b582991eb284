"""Chinese (and Japanese, Korean) text in the report PDF.

DejaVu Sans has no Han glyphs, and reportlab does not fall back per glyph, so runs of CJK
characters are set in a CJK font of their own: WenQuanYi Zen Hei (Debian `fonts-wqy-zenhei`,
installed by scripts/services; TrueType, embedded and subset like DejaVu). Where it is missing
the PDF uses reportlab's STSong-Light, a standard Adobe CID font that is not embedded (viewers
substitute a Chinese font), and says so in the log: never boxes, never silently.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
CJK_RUN = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]+"
)


def _register() -> tuple[str, bool]:
    """The CJK font's name, and whether it is embedded."""
    for path in CANDIDATES:
        if path.exists():
            try:
                pdfmetrics.registerFont(TTFont("VCJK", str(path), subfontIndex=0))
                return "VCJK", True
            except (OSError, TTFError) as error:
                log.warning("CJK font %s unusable (%s)", path, error)
    log.warning(
        "no CJK TrueType font (Debian fonts-wqy-zenhei): Chinese in report PDFs uses the "
        "non-embedded STSong-Light, which the reader's viewer must supply"
    )
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light", False


CJK_FONT, CJK_EMBEDDED = _register()


def has_cjk(text: str) -> bool:
    return CJK_RUN.search(text) is not None


def markup(text: str) -> str:
    """`text` escaped for a Paragraph, its CJK runs in the CJK font."""
    out, last = [], 0
    for m in CJK_RUN.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f'<font name="{CJK_FONT}">{escape(m.group(0))}</font>')
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)
