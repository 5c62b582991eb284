"""The pull channels: an Atom feed of published statements and schema.org ClaimReview JSON-LD.

Both render the version that was published, so a correction being drafted never leaks out,
and a withdrawn statement is simply absent.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy.orm import Session

from claims.models import Claim
from core.errors import NotFound
from core.outbound import is_web_link
from statements import repository
from statements.checks import is_chinese
from statements.config import StatementSettings
from statements.models import Statement, StatementVersion

ATOM_NS = "http://www.w3.org/2005/Atom"
# The public page is served on the review UI's origin: no script runs on it, whatever it holds.
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# JSON inside <script>: these would end the element or start markup, so they go as \u escapes.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
# The library's verdicts on ClaimReview's 1 (false) to 5 (true) scale.
RATINGS = {"false": 1, "misleading": 2, "unverified": 3, "true": 5}


@dataclass(frozen=True)
class PublishedStatement:
    statement: Statement
    version: StatementVersion


def published(
    session: Session, limit: int = 50, statement_id: str | None = None
) -> list[PublishedStatement]:
    rows = repository.published_with_versions(session, limit=limit, statement_id=statement_id)
    return [PublishedStatement(s, v) for s, v in rows]


def one_published(session: Session, statement_id: str) -> PublishedStatement:
    found = published(session, limit=1, statement_id=statement_id)
    if not found:
        raise NotFound(f"no published statement {statement_id!r}")
    return found[0]


def statement_url(settings: StatementSettings, statement_id: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/v1/statements/{statement_id}/public"


def web_sources(item: PublishedStatement) -> list[str]:
    """The sources every channel may link to: http(s) only, whatever is stored."""
    return [url for url in item.version.sources if is_web_link(url)]


def script_json(doc: dict[str, Any]) -> str:
    """JSON that cannot close or break out of the <script> element it is embedded in."""
    return json.dumps(doc, ensure_ascii=False).translate(_SCRIPT_SAFE)


PAGE_STYLE = """
:root{color-scheme:light dark;--ink:#1b1f24;--muted:#57606a;--rule:#d0d7de;--link:#0550ae;
--bg:#fff;--panel:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--ink:#e6edf3;--muted:#9da7b3;--rule:#30363d;
--link:#6cb6ff;--bg:#0d1117;--panel:#161b22}}
body{margin:0;background:var(--bg);color:var(--ink);
font:1.0625rem/1.65 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header.site{border-bottom:1px solid var(--rule);padding:.9rem 1.25rem;font-weight:600}
main{max-width:40rem;margin:0 auto;padding:2rem 1.25rem 3rem}
h1{font-size:1.9rem;line-height:1.25;margin:0 0 .6rem;letter-spacing:-.01em}
h2{font-size:1.1rem;margin:2.2rem 0 .6rem}
.dates{color:var(--muted);font-size:.93rem;margin:0 0 1.8rem}
.note{background:var(--panel);border-left:4px solid var(--link);padding:.6rem .9rem}
a{color:var(--link);overflow-wrap:anywhere}
ul.sources{padding-left:1.2rem}
footer{color:var(--muted);font-size:.85rem;border-top:1px solid var(--rule);margin-top:2.5rem;
padding-top:1rem}
"""


def _day(value: datetime) -> str:
    return f"{value:%d %B %Y, %H:%M} UTC"


# The page's own words in the statement's language (a Chinese statement reads Chinese
# around it, with <html lang> set for screen readers and fonts).
PAGE_WORDS = {
    "en": {
        "lang": "en",
        "published": "Published",
        "updated": "Last updated",
        "corrected": "Corrected: ",
        "sources": "Sources",
        "sources_line": "Sources:",
        "version": "version",
    },
    "zh": {
        "lang": "zh-Hans",
        "published": "发布于",
        "updated": "最后更新",
        "corrected": "更正：",
        "sources": "来源",
        "sources_line": "来源：",
        "version": "版本",
    },
}


def _day_zh(value: datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M} UTC"


def page_language(item: PublishedStatement) -> str:
    return "zh" if is_chinese(f"{item.version.title}\n{item.version.body}") else "en"


def render_page(
    item: PublishedStatement, settings: StatementSettings, claim: Claim | None = None
) -> str:
    """The public page a feed entry, the ClaimReview and the platform's post link to; with
    the statement's library claim, its ClaimReview is embedded as JSON-LD. Dated: when it was
    first published and when the version shown was written (a correction says so)."""
    version = item.version
    sources = "".join(
        f'<li><a href="{html.escape(url)}" rel="noopener noreferrer">{html.escape(url)}</a></li>'
        for url in web_sources(item)
    )
    json_ld = (
        f'<script type="application/ld+json">{script_json(claim_review(item, claim, settings))}'
        "</script>"
        if claim is not None
        else ""
    )
    language = page_language(item)
    words, day = PAGE_WORDS[language], _day_zh if language == "zh" else _day
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>"
        for p in version.body.split("\n\n")
        if p.strip() and not p.startswith(words["sources_line"])  # listed below, as links
    )
    first = _first_published(item)
    dates = f'{words["published"]} <time datetime="{first.isoformat()}">{day(first)}</time>'
    corrected = item.statement.published_at is not None and item.statement.published_at > first
    if corrected:
        updated = item.statement.published_at or first
        dates += (
            f' · {words["updated"]} <time datetime="{updated.isoformat()}">{day(updated)}</time>'
        )
    note = (
        f'<p class="note">{words["corrected"]}{html.escape(version.note)}</p>'
        if corrected and version.note
        else ""
    )
    publisher = html.escape(settings.publisher_name)
    return (
        f'<!doctype html><html lang="{words["lang"]}"><head><meta charset="utf-8">'
        f"<title>{html.escape(version.title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="alternate" type="application/ld+json" '
        'href="claimreview.jsonld">'  # relative to /v1/statements/<id>/public
        f'<link rel="canonical" href="{html.escape(statement_url(settings, item.statement.id))}">'
        f"<style>{PAGE_STYLE}</style>{json_ld}</head>"
        f'<body><header class="site">{publisher}</header>'
        f"<main><article><h1>{html.escape(version.title)}</h1>"
        f'<p class="dates" id="dates">{dates}</p>{note}{paragraphs}'
        f'<h2>{words["sources"]}</h2><ul class="sources">{sources}</ul></article>'
        f"<footer>{publisher} · {words['version']} {version.number}</footer>"
        "</main></body></html>"
    )


def render_atom(items: list[PublishedStatement], settings: StatementSettings) -> bytes:
    ET.register_namespace("", ATOM_NS)
    base = settings.public_base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", f"{base}/v1/statements/feed.atom")
    _sub(feed, "title", f"{settings.publisher_name}: public statements")
    updated = max((_updated(i) for i in items), default=None)
    _sub(feed, "updated", (updated.isoformat() if updated else "1970-01-01T00:00:00+00:00"))
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=f"{base}/v1/statements/feed.atom")
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _sub(author, "name", settings.publisher_name)
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _sub(entry, "id", f"urn:veracity:statement:{item.statement.id}")
        _sub(entry, "title", item.version.title)
        _sub(entry, "updated", _updated(item).isoformat())
        _sub(entry, "published", _first_published(item).isoformat())
        ET.SubElement(
            entry,
            f"{{{ATOM_NS}}}link",
            rel="alternate",
            href=statement_url(settings, item.statement.id),
        )
        for source in web_sources(item):
            ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="related", href=source)
        content = _sub(entry, "content", item.version.body)
        content.set("type", "text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def claim_review(
    item: PublishedStatement, claim: Claim | None, settings: StatementSettings
) -> dict[str, Any]:
    if claim is None:
        raise NotFound("ClaimReview needs a statement about a library claim")
    rating = RATINGS.get(claim.verdict, 3)
    item_reviewed: dict[str, Any] = {"@type": "Claim", "text": claim.text}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": statement_url(settings, item.statement.id),
        "claimReviewed": claim.text,
        "datePublished": _first_published(item).date().isoformat(),
        "dateModified": _updated(item).date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": settings.publisher_name,
            "url": settings.public_base_url,
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": claim.verdict.capitalize(),
        },
        "itemReviewed": item_reviewed,
        "reviewBody": item.version.body,
        "headline": item.version.title,
        "inLanguage": PAGE_WORDS[page_language(item)]["lang"],
        "citation": web_sources(item),
    }


def _first_published(item: PublishedStatement) -> datetime:
    s = item.statement
    return s.first_published_at or s.published_at or item.version.created_at


def _updated(item: PublishedStatement) -> datetime:
    return item.version.created_at


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    element.text = text
    return element
