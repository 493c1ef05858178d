"""HTML page → main text, title, sapo, author, date. trafilatura and htmldate, with a
source's CSS selectors taking precedence where given."""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import lxml.etree as etree
import lxml.html
import trafilatura
import trafilatura.meta
from htmldate import find_date
from w3lib.encoding import html_to_unicode

from crawler.sources import Selectors
from pipeline.text.normalize import clean, normalize_text

# Page furniture a CMS may put inside or beside the article body (class/id fragments).
BOILERPLATE = re.compile(
    r"related|lien-?quan|xem-?them|tin-?khac|most-?read|doc-?nhieu|tags?\b|breadcrumb|ticker|"
    r"tieu-?diem|box-?visits|counter|truy-?cap|share|social|comment|binh-?luan|menu|footer|sidebar",
    re.I,
)
SAPO_CLASS = re.compile(r"\b(sapo|lead|summary|chapeau|article-?desc|description)\b", re.I)


def clear_caches() -> None:
    """Empty trafilatura's and htmldate's module-wide caches (trafilatura.meta.reset_caches).
    They are bounded but big: the Simhash fingerprint trafilatura computes for every page
    (we do not use it) keeps a 64-number vector for each of the last 16,384 words it saw,
    about 13 MB. On make bench's site, whose pages add a word or so each, it filled over some
    15,000 pages, so a long job's memory grew with the pages it had seen (about 0.85 KB a
    page, measured). Emptied every few hundred pages, it stays small; refilling costs
    little, and the whole reset took 0.06 s where measured (mostly its garbage collection).

    htmldate's part of it logs an error each time with charset_normalizer 3.5 (one of the
    functions it clears is no longer cached there); nothing is wrong, so that logger is
    quiet meanwhile."""
    quiet = logging.getLogger("htmldate.meta")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        trafilatura.meta.reset_caches()
    finally:
        quiet.setLevel(level)


@dataclass(frozen=True, slots=True)
class MainText:
    title: str
    sapo: str
    author: str
    published: dt.date | None
    body: str
    method: str

    @property
    def text(self) -> str:
        """The stored document text: title, sapo, body as paragraphs (spans point into it)."""
        parts = [self.title]
        if self.sapo and not self.body.startswith(self.sapo):
            parts.append(self.sapo)
        parts.append(self.body)
        return normalize_text("\n\n".join(p for p in parts if p))


def decode(body: bytes, content_type: str = "") -> str:
    """Bytes → str using the HTTP header, the meta charset, a BOM, or detection."""
    _, text = html_to_unicode(content_type or None, body)
    return text


def _strip_furniture(tree: lxml.html.HtmlElement) -> None:
    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if el.tag in ("nav", "aside", "footer", "header") or (marker.strip() and BOILERPLATE.search(marker)):
            parent = el.getparent()
            if parent is not None and el.tag not in ("html", "body"):
                parent.remove(el)


def _first_text(tree: lxml.html.HtmlElement, css: str) -> str:
    if not css:
        return ""
    try:
        found = tree.cssselect(css)
    except Exception:
        return ""
    return clean(found[0].text_content()) if found else ""


def _sapo(tree: lxml.html.HtmlElement) -> str:
    for el in tree.iter():
        if isinstance(el.tag, str) and SAPO_CLASS.search(f"{el.get('class', '')} {el.get('id', '')}"):
            txt = clean(el.text_content())
            if len(txt) > 20:
                return txt
    return ""


def _paragraphs_from_xml(xml: str) -> str:
    """trafilatura's XML keeps <lb/> (hard wraps) apart from paragraph ends; its TXT does not."""
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        return ""
    out = []
    for el in main.iter("p", "head", "item", "cell", "quote"):
        if any(child.tag in ("p", "item") for child in el):
            continue
        parts = [el.text or ""]
        for child in el:
            parts.append("\n" if child.tag == "lb" else "".join(child.itertext()))
            parts.append(child.tail or "")
        txt = "".join(parts).strip()
        if txt:
            out.append(txt)
    return "\n\n".join(out)


BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "div", "section", "article", "dd", "dt"}
SKIP = {"script", "style", "noscript", "figure", "figcaption", "iframe", "form", "button", "select", "template"}


def _block_text(el: lxml.html.HtmlElement) -> str:
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str) or child.tag in SKIP:
            parts.append(child.tail or "")
            continue
        parts.append("\n" if child.tag == "br" else _block_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _element_paragraphs(root: lxml.html.HtmlElement) -> str:
    """Paragraphs of a selected body element: each innermost block is one, <br> a line break."""
    out: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        if not isinstance(el.tag, str) or el.tag in SKIP:
            return
        if el.tag in BLOCKS and any(isinstance(c.tag, str) and c.tag in BLOCKS for c in el):
            if (el.text or "").strip():
                out.append(el.text.strip())
            for child in el:
                walk(child)
                if (child.tail or "").strip():
                    out.append(child.tail.strip())
            return
        if el.tag in BLOCKS or el is root:
            txt = clean(_block_text(el))
            if txt:
                out.append(txt)

    walk(root)
    return "\n\n".join(out)


def extract_main(html: str, url: str = "", selectors: Selectors | None = None) -> MainText:
    """Main text of an article page; a source's selectors, where given and found, come first."""
    tree = lxml.html.fromstring(html)
    sel = selectors
    title = _first_text(tree, getattr(sel, "title", ""))
    sapo = _first_text(tree, getattr(sel, "sapo", "")) or _sapo(tree)
    author = _first_text(tree, getattr(sel, "author", ""))
    cleaned = lxml.html.fromstring(html)
    _strip_furniture(cleaned)
    body_css = getattr(sel, "body", "")
    chosen = cleaned.cssselect(body_css) if body_css else []
    if chosen:
        body = _element_paragraphs(chosen[0])
        if sapo and body.startswith(sapo):
            body = body[len(sapo) :].lstrip()
        if author and body.endswith(author):
            body = body[: -len(author)].rstrip()
        if not title:
            h1 = tree.xpath("//h1")
            title = clean(h1[0].text_content()) if h1 else ""
        return MainText(clean(title), clean(sapo), author, _date(tree, html, getattr(sel, "published", "")), body, "selectors")
    xml = trafilatura.extract(
        lxml.html.tostring(cleaned, encoding="unicode"),
        url=url or None,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        with_metadata=True,
        deduplicate=False,
        favor_recall=True,
    )
    body = ""
    meta_title = meta_author = ""
    if xml:
        body = _paragraphs_from_xml(xml)
        root = etree.fromstring(xml.encode("utf-8"))
        meta_title, meta_author = root.get("title", ""), root.get("author", "")
    if not title:
        h1 = tree.xpath("//h1")
        title = clean(h1[0].text_content()) if h1 else clean(meta_title)
    author = author or clean(meta_author)
    if author and body.endswith(author):  # the byline repeated as the last paragraph
        body = body[: -len(author)].rstrip()
    if sapo and body.startswith(sapo):
        body = body[len(sapo) :].lstrip()
    published = _date(tree, html, getattr(sel, "published", ""))
    method = f"trafilatura {trafilatura.__version__}" + (" (body selector found nothing)" if body_css else "")
    return MainText(clean(title), clean(sapo), author, published, body, method)


def _date(tree: lxml.html.HtmlElement, html: str, css: str) -> dt.date | None:
    text = _first_text(tree, css)
    if text:
        m = re.search(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", text)
        if m:
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                pass
    try:
        found = find_date(html, original_date=True, extensive_search=False)
    except Exception:
        found = None
    return dt.date.fromisoformat(found) if found else None


def looks_like_listing(html: str) -> bool:
    """An index or listing page (many links, little prose of its own), not an article."""
    tree = lxml.html.fromstring(html)
    _strip_furniture(tree)
    body = tree.find("body")
    if body is None:
        return False
    text = clean(body.text_content())
    links = [clean(a.text_content()) for a in body.iter("a")]
    link_chars = sum(len(t) for t in links)
    return len(links) >= 8 and link_chars > 0.5 * max(len(text), 1)
