"""Writes into the store: crawl runs, pages, documents, facts, errors, the registry."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.models import Document, Extraction, FetchedPage, PipelineError, Relevance
from pipeline.store.db import Connection

FACT_TABLES = (
    "sentences", "campaign_fields", "quotes", "themes", "phases",
    "movement_mentions", "anniversaries", "legal_refs", "topics",
)  # fmt: skip


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def start_run(con: Connection, command: str, sources: Sequence[str]) -> int:
    row = con.execute(
        "INSERT INTO crawl_runs (command, started_at, status, sources) VALUES (?, ?, 'running', ?) RETURNING run_id",
        [command, _now(), list(sources)],
    ).fetchone()
    assert row is not None
    return int(row[0])


def finish_run(con: Connection, run_id: int, status: str, message: str = "", **counts: int) -> None:
    sets = ", ".join(f"{k} = ?" for k in counts)
    con.execute(
        f"UPDATE crawl_runs SET finished_at = ?, status = ?, message = ?{', ' + sets if sets else ''} WHERE run_id = ?",
        [_now(), status, message, *counts.values(), run_id],
    )


def upsert_source(con: Connection, source_id: str, name: str, level: str, province: str, base_url: str, verified: bool) -> None:
    con.execute(
        "INSERT OR REPLACE INTO sources (source_id, name, level, province, base_url, verified, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [source_id, name, level, province or None, base_url, verified, _now()],
    )


def page_seen(con: Connection, canonical_url: str, content_hash: str, when: dt.datetime, run_id: int | None) -> bool:
    """Move last_fetched of a known version; True when that version was already stored."""
    row = con.execute(
        "UPDATE pages SET last_fetched = ?, run_id = ? WHERE canonical_url = ? AND content_hash = ? RETURNING 1",
        [when, run_id, canonical_url, content_hash],
    ).fetchone()
    return row is not None


def url_known(con: Connection, canonical_url: str) -> bool:
    return con.execute("SELECT 1 FROM pages WHERE canonical_url = ? LIMIT 1", [canonical_url]).fetchone() is not None


def touch_latest(con: Connection, canonical_url: str, when: dt.datetime, run_id: int | None) -> None:
    """A 304 Not Modified: the newest stored version was checked again now."""
    con.execute(
        "UPDATE pages SET last_fetched = ?, run_id = ? WHERE canonical_url = ? AND first_fetched ="
        " (SELECT max(first_fetched) FROM pages WHERE canonical_url = ?)",
        [when, run_id, canonical_url, canonical_url],
    )


def known_articles(con: Connection, source_id: str) -> list[tuple[str, str, str, dt.datetime]]:
    """(canonical_url, etag, last_modified, last_fetched) of the newest stored version of each article."""
    return [
        (r[0], r[1] or "", r[2] or "", r[3])
        for r in con.execute(
            "SELECT canonical_url, etag, last_modified, max(last_fetched) OVER (PARTITION BY canonical_url) FROM pages"
            " WHERE source_id = ? AND kind = 'article' AND http_status = 200"
            " QUALIFY row_number() OVER (PARTITION BY canonical_url ORDER BY first_fetched DESC) = 1",
            [source_id],
        ).fetchall()
    ]


def save_site_stats(con: Connection, run_id: int, source_id: str, **counts: int) -> None:
    cols = ", ".join(counts)
    marks = ", ".join("?" for _ in counts)
    updates = ", ".join(f"{k} = excluded.{k}" for k in counts)
    con.execute(
        f"INSERT INTO crawl_site_stats (run_id, source_id, {cols}) VALUES (?, ?, {marks})"
        f" ON CONFLICT (run_id, source_id) DO UPDATE SET {updates}",
        [run_id, source_id, *counts.values()],
    )


def insert_page(con: Connection, p: FetchedPage, run_id: int | None) -> None:
    con.execute(
        "INSERT INTO pages (canonical_url, content_hash, source_id, url, kind, first_fetched, last_fetched, run_id,"
        " http_status, content_type, etag, last_modified, content_length, warc_file, warc_offset, warc_length)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            p.canonical_url, p.content_hash, p.source_id, p.url, p.kind, p.fetched_at, p.fetched_at, run_id,
            p.http_status, p.content_type, p.etag or None, p.last_modified or None, p.content_length,
            p.warc_file, p.warc_offset, p.warc_length,
        ],
    )


def remap_mentions(con: Connection, changes: Sequence[tuple[str, str, str]]) -> int:
    """(text, old movement_id, new movement_id): point those mentions at their new movement."""
    if not changes:
        return 0
    import pandas as pd

    frame = pd.DataFrame(list(changes), columns=["text", "old_id", "new_id"])
    con.register("thidua_remap", frame)
    try:
        row = con.execute(
            "UPDATE movement_mentions AS m SET movement_id = c.new_id FROM thidua_remap AS c"
            " WHERE m.text = c.text AND m.movement_id = c.old_id RETURNING 1"
        ).fetchall()
    finally:
        con.unregister("thidua_remap")
    return len(row)


def record_error(con: Connection, e: PipelineError) -> None:
    con.execute(
        "INSERT INTO pipeline_errors (run_id, stage, source_id, url, doc_id, error_type, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [e.run_id, e.stage, e.source_id or None, e.url or None, e.doc_id or None, e.error_type or None, e.message],
    )


def _article_filter(source_ids: Sequence[str] | None, only_unprocessed: bool, after: str = "") -> tuple[str, list[Any]]:
    where = "kind = 'article' AND http_status = 200"
    if only_unprocessed:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM documents d"
            " WHERE d.canonical_url = pages.canonical_url AND d.content_hash = pages.content_hash)"
        )
    params: list[Any] = []
    if source_ids:
        where += " AND source_id IN (SELECT unnest(?))"
        params.append(list(source_ids))
    if after:
        where += " AND canonical_url > ?"
        params.append(after)
    return where, params


def count_article_pages(
    con: Connection, source_ids: Sequence[str] | None = None, only_unprocessed: bool = False, after: str = ""
) -> int:
    """How many pages ``article_pages`` has to give from ``after`` on."""
    where, params = _article_filter(source_ids, only_unprocessed, after)
    row = con.execute(f"SELECT count(DISTINCT canonical_url) FROM pages WHERE {where}", params).fetchone()
    return int(row[0]) if row else 0


def article_pages(
    con: Connection, source_ids: Sequence[str] | None = None, only_unprocessed: bool = False,
    after: str = "", limit: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The newest stored version of each article page (status 200) to process, in URL order
    from ``after`` on, at most ``limit``; with ``only_unprocessed``, versions with no document yet.

    Rows come sorted by URL, newest version first, and only the first row of each URL is
    kept: DuckDB keeps the top ``limit`` rows, so a batch needs memory for a batch, not for
    every page of the site (a window over all pages did: at 15,000 pages it ran out of memory
    at a 16 MB limit; this runs in 10 MB at 5,000 and at 15,000)."""
    where, params = _article_filter(source_ids, only_unprocessed, after)
    cur = con.execute(
        "SELECT canonical_url, content_hash, source_id, url, warc_file, warc_offset, first_fetched, last_fetched FROM pages"
        f" WHERE {where} ORDER BY canonical_url, first_fetched DESC, content_hash" + (f" LIMIT {int(limit)}" if limit else ""),
        params,
    )
    cols = [d[0] for d in cur.description]
    out: list[dict[str, Any]] = []
    for row in cur.fetchall():
        if not out or row[0] != out[-1]["canonical_url"]:
            out.append(dict(zip(cols, row, strict=True)))
    return out


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """One processed document and everything found in it, ready to store."""

    document: Document
    sentences: Sequence[tuple[int, int]] = ()
    extraction: Extraction | None = None
    movement_ids: Sequence[str] = ()
    relevance: Relevance | None = None  # the relevance model's verdict, when a model scored it


_PROV = ("start", "end", "surface", "sentence", "extractor")
_SPAN_COLS = ("span_start", "span_end", "surface", "sentence_idx", "extractor")


def _fact_rows(item: DocumentFacts) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every fact table for one document (columns as in ``_COLUMNS``)."""
    doc_id, ex = item.document.doc_id, item.extraction or Extraction(item.document.doc_id)

    def prov(f: Any) -> tuple[Any, ...]:
        return tuple(getattr(f, c) for c in _PROV)

    return {
        "sentences": [(doc_id, i, s, e) for i, (s, e) in enumerate(item.sentences)],
        "campaign_fields": [(doc_id, m.name, m.value, *prov(m)) for m in ex.meta],
        "quotes": [(doc_id, q.role, q.surface, q.closed, q.depth, *prov(q)) for q in ex.quotes],
        "themes": [(doc_id, t.kind, t.surface, *prov(t)) for t in ex.themes],
        "phases": [(doc_id, p.n, p.start_date or None, p.end_date or None, p.theme or None, p.flagged or None, *prov(p)) for p in ex.phases],
        "movement_mentions": [(doc_id, m.kind, m.surface, mid, *prov(m)) for m, mid in zip(ex.movements, item.movement_ids, strict=True)],
        "anniversaries": [(doc_id, a.years, a.event, a.from_date or None, a.to_date or None, *prov(a)) for a in ex.anniversaries],
        "legal_refs": [(doc_id, r.ref, r.ref_type, *prov(r)) for r in ex.legal_refs],
        "topics": [(doc_id, t.topic, t.cue, *prov(t)) for t in ex.topics],
    }


_COLUMNS = {
    "document_relevance": ("doc_id", "probability", "relevant", "status", "model", "scored_at"),
    "sentences": ("doc_id", "sentence_idx", "span_start", "span_end"),
    "campaign_fields": ("doc_id", "field", "value", *_SPAN_COLS),
    "quotes": ("doc_id", "role", "text", "closed", "depth", *_SPAN_COLS),
    "themes": ("doc_id", "kind", "text", *_SPAN_COLS),
    "phases": ("doc_id", "n", "start_date", "end_date", "theme", "flagged", *_SPAN_COLS),
    "movement_mentions": ("doc_id", "kind", "text", "movement_id", *_SPAN_COLS),
    "anniversaries": ("doc_id", "years", "event", "from_date", "to_date", *_SPAN_COLS),
    "legal_refs": ("doc_id", "ref", "ref_type", *_SPAN_COLS),
    "topics": ("doc_id", "topic", "cue", *_SPAN_COLS),
    "documents": (
        "doc_id", "source_id", "url", "canonical_url", "content_hash", "title", "sapo", "author", "published", "text",
        "text_hash", "extraction_method", "status", "processed_at",
    ),
}  # fmt: skip


def _insert(con: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert through a registered DataFrame: one statement per table, not one per row."""
    if not rows:
        return
    import pandas as pd

    cols = _COLUMNS[table]
    frame = pd.DataFrame(rows, columns=list(cols), dtype=object)
    con.register("thidua_batch", frame)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM thidua_batch")
    finally:
        con.unregister("thidua_batch")


def write_documents(con: Connection, items: Sequence[DocumentFacts]) -> None:
    """Store documents and their facts in one transaction; a document stored before has its
    old facts replaced (idempotent). Batches make this cheap: per document it is one row in
    a DataFrame, not a dozen statements and a commit."""
    if not items:
        return
    items = list({it.document.doc_id: it for it in items}.values())  # a document twice in a batch is stored once
    ids = [it.document.doc_id for it in items]
    now = _now()
    con.execute("BEGIN TRANSACTION")
    try:
        known = [r[0] for r in con.execute("SELECT DISTINCT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids]).fetchall()]
        if known:  # the tables have no keys (an index would be held in memory): replacing is delete, then insert
            for table in ("documents", *FACT_TABLES):
                con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))", [known])
        docs = [
            (d.doc_id, d.source_id, d.url, d.canonical_url, d.content_hash, d.title, d.sapo, d.author or None, d.published,
             d.text, hashlib.sha256(d.text.encode()).hexdigest(), d.extraction_method, d.status, now)
            for d in (it.document for it in items)
        ]  # fmt: skip
        _insert(con, "documents", docs)
        per_table: dict[str, list[tuple[Any, ...]]] = {t: [] for t in FACT_TABLES}
        for it in items:
            for table, rows in _fact_rows(it).items():
                per_table[table].extend(rows)
        for table, rows in per_table.items():
            _insert(con, table, rows)
        verdicts = [(it.document.doc_id, it.relevance) for it in items if it.relevance is not None]
        if verdicts:
            _write_relevance(con, verdicts, now)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _write_relevance(con: Connection, verdicts: Sequence[tuple[str, Relevance]], now: dt.datetime) -> None:
    rows = [(doc_id, r.probability, r.relevant, r.status, r.model, now) for doc_id, r in verdicts]
    con.execute("DELETE FROM document_relevance WHERE doc_id IN (SELECT unnest(?))", [[r[0] for r in rows]])
    _insert(con, "document_relevance", rows)


def has_unscored(con: Connection) -> bool:
    """Is there a stored document with no relevance verdict?"""
    row = con.execute("SELECT EXISTS (SELECT 1 FROM documents AS d ANTI JOIN document_relevance AS r USING (doc_id))").fetchone()
    return bool(row and row[0])


def write_relevance(con: Connection, verdicts: Sequence[tuple[str, Relevance]]) -> None:
    """Store verdicts (replacing a document's earlier one) in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        _write_relevance(con, verdicts, _now())
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def relevance_policy(con: Connection) -> tuple[float, bool]:
    """(threshold, count_all) in force."""
    row = con.execute("SELECT threshold, count_all FROM relevance_policy WHERE id = 1").fetchone()
    return (float(row[0]), bool(row[1])) if row else (0.5, False)


def set_relevance_policy(con: Connection, threshold: float | None = None, count_all: bool | None = None) -> tuple[float, bool]:
    """Change the threshold and/or the count-all switch; labels are recomputed at the new
    threshold. Returns the policy now in force (the derived tables still need a refresh)."""
    old_threshold, old_all = relevance_policy(con)
    t = old_threshold if threshold is None else threshold
    everything = old_all if count_all is None else count_all
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE relevance_policy SET threshold = ?, count_all = ?, changed_at = ? WHERE id = 1", [t, everything, _now()])
        con.execute("UPDATE document_relevance SET relevant = probability >= ? WHERE probability IS NOT NULL", [t])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return t, everything


RegistryRow = tuple[str, str, str, str, int | None, str, bool, dt.date | None]


def upsert_movements(con: Connection, rows: Sequence[RegistryRow], aliases: Sequence[tuple[str, str, str]]) -> None:
    """Registry rows (movement_id, canonical, kind, launched_by, launch_year, parent_id, registered, launched_on) and aliases."""
    if rows:
        con.executemany(
            "INSERT OR REPLACE INTO movement_registry"
            " (movement_id, canonical, kind, launched_by, launch_year, parent_id, registered, launched_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[r[0], r[1], r[2], r[3] or None, r[4], r[5] or None, r[6], r[7]] for r in rows],
        )
    if aliases:
        con.executemany("INSERT OR IGNORE INTO movement_aliases (movement_id, alias, alias_key) VALUES (?, ?, ?)", [list(a) for a in aliases])
