"""The report PDF's fonts, and each run of text set in a font that has its glyphs.

reportlab does not fall back per glyph, so the text is cut into runs by font:
- DejaVu Sans (shipped inside matplotlib) for Latin, accented Latin, Greek and Cyrillic, which
  titles, names and notes carry and the PDF base font Helvetica cannot show;
- WenQuanYi Zen Hei (Debian `fonts-wqy-zenhei`) for Chinese, Japanese and Korean. Where it is
  missing the PDF uses reportlab's STSong-Light, a standard Adobe CID font that is not
  embedded (viewers substitute a Chinese font), and says so in the log;
- Symbola (Debian `fonts-symbola`, emoji up to Unicode 9) for emoji. reportlab reads TrueType
  outlines only: colour bitmap fonts (Noto Color Emoji's CBDT) cannot be used, and Debian's
  Noto packages hold no monochrome emoji font. Where Symbola is missing, emoji are left to the
  other fonts (boxes where none has them) and the log says so.
All three TrueType fonts are embedded and subset. The scripts/services set-up installs the
Debian fonts. Emoji are drawn one code point at a time (no ligatures): a ZWJ family shows as
its members, and an emoji newer than Unicode 9 has no glyph.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
EMOJI_CANDIDATES = (
    Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),  # Debian fonts-symbola
    Path("/usr/share/fonts/truetype/symbola/Symbola.ttf"),
)
CJK_RUN = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]+"
)
# Pictographs drawn as emoji even where the text font has a glyph of its own (DejaVu has a few
# emoticons); any other character is an emoji when U+FE0F (emoji presentation) follows it.
EMOJI = re.compile(r"[\U0001F000-\U0001FAFF]")
PRESENTATION = "\ufe0f"
# Zero-width joiners and variation selectors stay in the run of the character they modify.
JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _register_text() -> tuple[str, str]:
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    try:
        pdfmetrics.registerFont(TTFont("VSans", str(fonts / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("VSans-Bold", str(fonts / "DejaVuSans-Bold.ttf")))
    except (OSError, TTFError):
        return "Helvetica", "Helvetica-Bold"
    registerFontFamily(
        "VSans", normal="VSans", bold="VSans-Bold", italic="VSans", boldItalic="VSans-Bold"
    )
    return "VSans", "VSans-Bold"


def _register_cjk() -> tuple[str, bool]:
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


def _register_emoji() -> str | None:
    for path in EMOJI_CANDIDATES:
        if path.exists():
            try:
                pdfmetrics.registerFont(TTFont("VEmoji", str(path)))
                return "VEmoji"
            except (OSError, TTFError) as error:
                log.warning("emoji font %s unusable (%s)", path, error)
    log.warning("no emoji font (Debian fonts-symbola): emoji in report PDFs are not drawn")
    return None


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap (what a reader copies or extracts for each glyph), with each
    character written as UTF-16BE as the PDF reference asks. reportlab 4 writes a character
    beyond the BMP (every emoji from U+1F000) as five hex digits, which readers reject, so the
    emoji were drawn but lost from the PDF's text."""
    pairs = [
        f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *pairs,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # read by TTFont when it writes each subset
REGULAR, BOLD = _register_text()
CJK_FONT, CJK_EMBEDDED = _register_cjk()
EMOJI_FONT = _register_emoji()


def _coverage(name: str | None) -> Callable[[str], bool]:
    """Whether the font `name` has a glyph for a character."""
    font: Any = pdfmetrics.getFont(name) if name else None
    glyphs = getattr(getattr(font, "face", None), "charToGlyph", None)
    if glyphs is not None:
        return lambda ch: ord(ch) in glyphs
    if name == CJK_FONT:  # the CID fallback: its coverage is Adobe-GB1's, read as CJK blocks
        return lambda ch: CJK_RUN.match(ch) is not None
    return lambda ch: ord(ch) < 256  # a standard PDF font: Latin-1


_HAS = {REGULAR: _coverage(REGULAR), CJK_FONT: _coverage(CJK_FONT)}
if EMOJI_FONT:
    _HAS[EMOJI_FONT] = _coverage(EMOJI_FONT)


def _font_for(ch: str, after: str, previous: str, base: str) -> str:
    if ch in JOINERS and _HAS.get(previous, _HAS[REGULAR])(ch):
        return previous
    emoji = EMOJI.match(ch) is not None or after == PRESENTATION
    order = (EMOJI_FONT, base, CJK_FONT) if emoji else (base, CJK_FONT, EMOJI_FONT)
    for font in order:
        # The bold text font has the regular one's characters.
        if font and _HAS.get(font, _HAS[REGULAR])(ch):
            return font
    return base


def runs(text: str, base: str = REGULAR) -> list[tuple[str, str]]:
    """`text` cut into (font, run) pairs, each run in a font that has its glyphs (`base`
    where none has them)."""
    out: list[tuple[str, str]] = []
    font = base
    for i, ch in enumerate(text):
        font = _font_for(ch, text[i + 1 : i + 2], font, base)
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def has_cjk(text: str) -> bool:
    return CJK_RUN.search(text) is not None


def markup(text: str) -> str:
    """`text` escaped for a Paragraph, its runs that the paragraph's font lacks (CJK, emoji) in
    a font that has them."""
    return "".join(
        escape(run) if font == REGULAR else f'<font name="{font}">{escape(run)}</font>'
        for font, run in runs(text)
    )


def draw_string(canvas: Any, x: float, y: float, text: str, font: str, size: float) -> None:
    """`canvas.drawString` with each run in a font that has its glyphs."""
    for run_font, run in runs(text, base=font):
        canvas.setFont(run_font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, run_font, size)
