"""Writes into the store: crawl runs, pages, documents, facts, errors, the registry."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.models import Document, Extraction, FetchedPage, PipelineError
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


def record_error(con: Connection, e: PipelineError) -> None:
    con.execute(
        "INSERT INTO pipeline_errors (run_id, stage, source_id, url, doc_id, error_type, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [e.run_id, e.stage, e.source_id or None, e.url or None, e.doc_id or None, e.error_type or None, e.message],
    )


def article_pages(
    con: Connection, source_ids: Sequence[str] | None = None, only_unprocessed: bool = False
) -> list[dict[str, Any]]:
    """The newest stored version of every article page (status 200) to process; with
    ``only_unprocessed``, only versions that have no document yet."""
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
    cur = con.execute(
        "SELECT canonical_url, content_hash, source_id, url, warc_file, warc_offset, first_fetched, last_fetched FROM pages"
        f" WHERE {where} QUALIFY row_number() OVER (PARTITION BY canonical_url ORDER BY first_fetched DESC) = 1"
        " ORDER BY canonical_url",
        params,
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def save_document(con: Connection, d: Document) -> None:
    con.execute(
        "INSERT OR REPLACE INTO documents (doc_id, source_id, url, canonical_url, content_hash, title, sapo, author,"
        " published, text, text_hash, extraction_method, status, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            d.doc_id, d.source_id, d.url, d.canonical_url, d.content_hash, d.title, d.sapo, d.author or None,
            d.published, d.text, hashlib.sha256(d.text.encode()).hexdigest(), d.extraction_method, d.status, _now(),
        ],
    )


def _rows(items: Iterable[Any], cols: Sequence[str]) -> list[list[Any]]:
    return [[getattr(it, c) for c in cols] for it in items]


def replace_facts(
    con: Connection, doc_id: str, sentences: Sequence[tuple[int, int]], ex: Extraction, movement_ids: Sequence[str]
) -> None:
    """Delete and re-insert every fact of one document, in one transaction (idempotent)."""
    prov = ["start", "end", "surface", "sentence", "extractor"]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in FACT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])

        def put(table: str, cols: str, rows: list[list[Any]]) -> None:
            if rows:
                marks = ", ".join("?" for _ in rows[0])
                con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)

        span = "span_start, span_end, surface, sentence_idx, extractor"
        put("sentences", "doc_id, sentence_idx, span_start, span_end",
            [[doc_id, i, s, e] for i, (s, e) in enumerate(sentences)])
        put("campaign_fields", f"doc_id, field, value, {span}",
            [[doc_id, *r] for r in _rows(ex.meta, ["name", "value", *prov])])
        put("quotes", f"doc_id, role, text, closed, depth, {span}",
            [[doc_id, q.role, q.surface, q.closed, q.depth, *_rows([q], prov)[0]] for q in ex.quotes])
        put("themes", f"doc_id, kind, text, {span}",
            [[doc_id, t.kind, t.surface, *_rows([t], prov)[0]] for t in ex.themes])
        put("phases", f"doc_id, n, start_date, end_date, theme, flagged, {span}",
            [[doc_id, *r[:2], r[2] or None, r[3] or None, r[4] or None, r[5] or None, *r[6:]]
             for r in _rows(ex.phases, ["n", "start_date", "end_date", "theme", "flagged", *prov])])
        put("movement_mentions", f"doc_id, kind, text, movement_id, {span}",
            [[doc_id, m.kind, m.surface, mid, *_rows([m], prov)[0]] for m, mid in zip(ex.movements, movement_ids, strict=True)])
        put("anniversaries", f"doc_id, years, event, from_date, to_date, {span}",
            [[doc_id, a.years, a.event, a.from_date or None, a.to_date or None, *_rows([a], prov)[0]] for a in ex.anniversaries])
        put("legal_refs", f"doc_id, ref, ref_type, {span}",
            [[doc_id, *r] for r in _rows(ex.legal_refs, ["ref", "ref_type", *prov])])
        put("topics", f"doc_id, topic, cue, {span}",
            [[doc_id, *r] for r in _rows(ex.topics, ["topic", "cue", *prov])])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def upsert_movements(con: Connection, rows: Sequence[tuple[str, str, str, str, int | None, str, bool]], aliases: Sequence[tuple[str, str, str]]) -> None:
    """Registry rows (movement_id, canonical, kind, launched_by, launch_year, parent_id, registered) and aliases."""
    if rows:
        con.executemany(
            "INSERT OR REPLACE INTO movement_registry (movement_id, canonical, kind, launched_by, launch_year, parent_id, registered)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[r[0], r[1], r[2], r[3] or None, r[4], r[5] or None, r[6]] for r in rows],
        )
    if aliases:
        con.executemany("INSERT OR IGNORE INTO movement_aliases (movement_id, alias, alias_key) VALUES (?, ?, ?)", [list(a) for a in aliases])
