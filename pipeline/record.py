"""One document → the codebook's record: the fields of the gold files, each fact with its span.

``thidua extract`` prints these records for local files, and ``thidua eval`` compares them
with a gold file, so what a researcher checks by hand is exactly what is measured.
Every fact carries ``span`` = [start, end] into the document's text (``text`` is in the
record with ``include_text``); ``text[start:end]`` is the fact's surface.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.canon import Registry
from pipeline.classify.relevance import RelevanceModel
from pipeline.extract import TopicRules, extract_all
from pipeline.models import Doc, Extraction, Relevance
from pipeline.text import make_doc
from pipeline.text.html import MainText, decode, extract_main, looks_like_listing
from pipeline.text.plain import read_plain
from pipeline.text.quality import bytes_status, text_status

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
META_FIELDS = ("issuer", "level", "province", "district", "province_2025", "year", "doc_number", "signatory")


@dataclass(frozen=True, slots=True)
class LocalDocument:
    doc_id: str
    path: Path
    main: MainText
    status: str  # ok | empty | listing


def read_local(path: Path, doc_id: str | None = None) -> LocalDocument:
    """A local HTML page or plain-text file as a document (no crawl, no database)."""
    raw = path.read_bytes()
    if (status := bytes_status(raw)) != "ok":  # binary or too large: not parsed at all
        return LocalDocument(doc_id or path.stem, path, MainText("", "", "", None, "", "none"), status)
    head = raw[:2048].lstrip().lower()
    is_html = path.suffix.lower() in HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html"))
    if is_html:
        html = decode(raw)
        main = extract_main(html, path.resolve().as_uri())
        listing = looks_like_listing(html)
    else:
        main = read_plain(raw.decode("utf-8", errors="replace"))
        listing = False
    status = "listing" if listing else "empty" if not main.body.strip() else text_status(main.text)
    return LocalDocument(doc_id or path.stem, path, main, status)


def analyse(doc_id: str, main: MainText, rules: TopicRules) -> tuple[Doc, Extraction]:
    doc = make_doc(doc_id, main.text, main.title, main.published)
    return doc, extract_all(doc, rules)


def _span(fact: Any) -> list[int]:
    return [fact.start, fact.end]


def build_record(
    doc_id: str, main: MainText, doc: Doc, ex: Extraction, registry: Registry, status: str = "ok", include_text: bool = False,
    relevance: Relevance | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The codebook's fields for one document, with spans (and the relevance model's verdict
    when one is given: ``relevant``, ``relevance`` the probability, ``relevance_status``)."""
    meta = {m.name: m for m in ex.meta}
    rec: dict[str, Any] = {
        "id": doc_id,
        "status": status,
        "title": main.title or None,
        "published": main.published.isoformat() if main.published else None,
        "author": main.author or None,
    }
    for name in META_FIELDS:
        m = meta.get(name)
        value: Any = m.value if m else None
        if name == "year" and value is not None:
            value = int(value)
        rec[name] = value
    rec["spans"] = {name: _span(m) for name, m in meta.items()}
    rec["themes"] = [{"kind": t.kind, "text": t.surface, "span": _span(t)} for t in ex.themes]
    rec["phases"] = [
        {"n": p.n, "start": p.start_date or None, "end": p.end_date or None, "theme": p.theme or None,
         "flagged": p.flagged or None, "span": _span(p)}
        for p in ex.phases
    ]  # fmt: skip
    movements = []
    for mv in ex.movements:
        res = registry.resolve(mv.surface)
        entry = registry.movements.get(res.movement_id) if res.registered else None
        parent = registry.movements.get(entry.parent_id) if entry and entry.parent_id else None
        movements.append({
            "text": mv.surface, "kind": mv.kind, "canonical": res.canonical, "registered": res.registered,
            "parent": parent.canonical if parent else None,
            "launched_by": (entry.launched_by or None) if entry else None, "span": _span(mv),
        })  # fmt: skip
    rec["movements"] = movements
    counted = {"movement", "campaign", "campaign_theme", "year_theme", "phase_theme"}
    rec["other_quotes"] = [{"kind": q.role, "text": q.surface, "span": _span(q)} for q in ex.quotes if q.role not in counted]
    rec["anniversaries"] = [
        {"years": a.years, "event": a.event, "from": a.from_date or None, "to": a.to_date or None, "span": _span(a)}
        for a in ex.anniversaries
    ]
    rec["legal_refs"] = [{"ref": r.ref, "type": r.ref_type, "span": _span(r)} for r in ex.legal_refs]
    rec["topics"] = sorted({t.topic for t in ex.topics})
    rec["topic_cues"] = [{"topic": t.topic, "cue": t.cue, "span": _span(t)} for t in ex.topics]
    if relevance is not None:
        rec["relevant"], rec["relevance"], rec["relevance_status"] = relevance.relevant, relevance.probability, relevance.status
        rec["relevance_model"] = relevance.model
    if include_text:
        rec["text"] = doc.text
    return rec


def extract_file(
    path: Path, rules: TopicRules, registry: Registry, include_text: bool = False, relevance: RelevanceModel | None = None
) -> tuple[dict[str, Any], Doc]:
    """Read, extract and build the record of one local file (scored by ``relevance`` when given)."""
    local = read_local(path)
    if local.status != "ok":
        doc = make_doc(local.doc_id, local.main.text, local.main.title, local.main.published)
        verdict = relevance.score([(doc, local.status)])[0] if relevance is not None else None
        return build_record(local.doc_id, local.main, doc, Extraction(local.doc_id), registry, local.status, include_text, verdict), doc
    doc, ex = analyse(local.doc_id, local.main, rules)
    verdict = relevance.score([(doc, "ok")])[0] if relevance is not None else None
    return build_record(local.doc_id, local.main, doc, ex, registry, local.status, include_text, verdict), doc
