"""Archive → documents → facts → store. Re-runs need no network and give the same rows."""
from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from crawler.archive import read_response
from crawler.sources import Source
from pipeline.canon import Registry
from pipeline.canon.sync import refresh
from pipeline.classify.relevance import Features, RelevanceModel, features
from pipeline.extract import TopicRules, extract_all
from pipeline.models import Cursor, Document, PipelineError, ProcessPart, ProcessSummary
from pipeline.store import Connection, connect, load
from pipeline.store.load import DocumentFacts
from pipeline.text import TokenCache, make_doc
from pipeline.text.html import clear_caches, decode, extract_main, looks_like_listing
from pipeline.text.quality import bytes_status, text_status

MAX_HTML_BYTES = 8 * 2**20  # a larger page is recorded as failed, not extracted
MAX_SECONDS = 30.0  # extraction of one page may take this long

log = logging.getLogger(__name__)


class ExtractionLimit(Exception):
    """A page too large or too slow to extract."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ExtractionLimit after ``seconds`` (main thread only: elsewhere there is no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ExtractionLimit(f"extraction took longer than {seconds:.0f} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc
        return None


def release_memory() -> None:
    """Hand freed heap back to the OS after a batch. Parsing pages allocates and frees large
    blocks; without this glibc keeps them, and a long job's memory creeps up with the pages
    it has seen (measured by make bench)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def document_id(canonical_url: str, content_hash: str) -> str:
    return hashlib.sha1(f"{canonical_url}\n{content_hash}".encode()).hexdigest()[:16]


PAGE_BATCH = 500  # article pages read from the store at a time
WRITE_BATCH = 200  # documents written per transaction


def _extract_page(
    page: dict, archive_dir: Path, registry: Registry, rules: TopicRules, sources: Mapping[str, Source], cache: TokenCache | None
) -> tuple[DocumentFacts, Features | None]:
    """One stored page → its document and facts, and what the relevance model reads of it.
    Raises with ``.stage`` set on failure."""
    stage = "archive"
    try:
        stored = read_response(archive_dir, page["warc_file"], page["warc_offset"])
        stage = "text"
        if len(stored.body) > MAX_HTML_BYTES:
            raise ExtractionLimit(f"page of {len(stored.body) / 2**20:.1f} MB is over the {MAX_HTML_BYTES // 2**20} MB limit")
        doc_id = document_id(page["canonical_url"], page["content_hash"])
        if bytes_status(stored.body) == "binary":  # a PDF or image served as a page: nothing to parse (size is checked above)
            return DocumentFacts(Document(doc_id, page["source_id"], page["url"], page["canonical_url"], page["content_hash"],
                                          "", "", "", None, "", "none", "binary")), None  # fmt: skip
        source = sources.get(page["source_id"])
        selectors = source.selectors_for(page["first_fetched"].date()) if source else None
        with time_limit(MAX_SECONDS):
            html = decode(stored.body, stored.headers.get("Content-Type", ""))
            main = extract_main(html, page["url"], selectors)
            listing = looks_like_listing(html)
        status = "listing" if listing else "empty" if not main.body.strip() else text_status(main.text)
        document = Document(
            doc_id, page["source_id"], page["url"], page["canonical_url"], page["content_hash"],
            main.title, main.sapo, main.author, main.published, main.text, main.method, status,
        )  # fmt: skip
        if status != "ok":  # recorded as such, no facts
            return DocumentFacts(document), None
        stage = "extract"
        with time_limit(MAX_SECONDS):
            doc = make_doc(doc_id, main.text, main.title, main.published, cache)
            ex = extract_all(doc, rules)
        ids = [registry.resolve(m.surface).movement_id for m in ex.movements]
        return DocumentFacts(document, [(s.start, s.end) for s in doc.sentences], ex, ids), features(doc)
    except Exception as exc:
        exc.stage = stage  # type: ignore[attr-defined]
        raise


def process_pages(
    con: Connection,
    archive_dir: Path,
    registry: Registry,
    rules: TopicRules,
    source_ids: Sequence[str] | None = None,
    run_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    only_unprocessed: bool = False,
    sources: Mapping[str, Source] | None = None,
    cache: TokenCache | None = None,
    finish: bool = True,
    relevance: RelevanceModel | None = None,
    after: str = "",
    max_pages: int | None = None,
) -> ProcessSummary:
    """Extract every (or every unprocessed) stored article page. A page of a known source is
    read with the selector set in force when it was fetched; ``cache`` spares re-segmenting
    text it has seen. Pages are read and documents written in batches, so memory does not
    grow with the number of pages. With ``finish`` (the default) the registry and the derived
    tables are brought up to date at the end (``refresh``); a job that processes several
    sources does that once, after the last. With a ``relevance`` model every document gets
    its verdict, scored a write batch at a time. ``after`` starts after that URL; with
    ``max_pages`` it stops after that many pages, and the summary's ``after`` says where to
    go on (``progress`` counts the pages of this call, of the ``total`` left after ``after``)."""
    release_memory()  # what the crawl before us freed
    total = load.count_article_pages(con, source_ids, only_unprocessed, after=after)
    counts: Counter[str] = Counter()
    pending: list[tuple[DocumentFacts, dict, Features | None]] = []
    threshold = load.relevance_policy(con)[0] if relevance is not None else 0.0

    def fail(page: dict, stage: str, exc: Exception) -> None:
        counts["errors"] += 1
        load.record_error(con, PipelineError(stage, page["source_id"], page["url"], str(exc), type(exc).__name__, run_id=run_id))

    def stored(item: DocumentFacts) -> None:
        d = item.document
        counts["documents" if d.status == "ok" else d.status] += 1
        counts["no_date"] += d.published is None
        if item.relevance is not None and item.relevance.relevant is not None:
            counts["relevant" if item.relevance.relevant else "not_relevant"] += 1

    def flush() -> None:
        items = [item for item, _, _ in pending]
        if relevance is not None:
            try:
                verdicts = relevance.judge([(f, item.document.status) for item, _, f in pending], threshold)
                items = [replace(item, relevance=v) for item, v in zip(items, verdicts, strict=True)]
            except Exception as exc:  # noqa: BLE001  (stored unscored; `thidua relevance score` catches up)
                for _, page, _ in pending:
                    fail(page, "relevance", exc)
        try:
            load.write_documents(con, items)
            for item in items:
                stored(item)
        except Exception:  # find the document the store refused; write the others
            for item, (_, page, _) in zip(items, pending, strict=True):
                try:
                    load.write_documents(con, [item])
                    stored(item)
                except Exception as exc:
                    fail(page, "load", exc)
        pending.clear()
        release_memory()

    done, budget = 0, total if max_pages is None else min(max_pages, total)
    while done < budget and (pages := load.article_pages(con, source_ids, only_unprocessed, after=after, limit=min(PAGE_BATCH, budget - done))):
        after = pages[-1]["canonical_url"]
        for page in pages:
            try:
                facts, feats = _extract_page(page, archive_dir, registry, rules, sources or {}, cache)
                pending.append((facts, page, feats))
            except Exception as exc:  # one bad page is recorded; the batch goes on
                fail(page, getattr(exc, "stage", "extract"), exc)
            if len(pending) >= WRITE_BATCH:
                flush()
            done += 1
            if progress is not None:
                progress(done, total)
        clear_caches()  # the HTML libraries' caches fill with every page's new words; start each batch afresh
    flush()
    if finish:
        refresh(con, registry)
    other = tuple((st, counts[st]) for st in ("binary", "too_large", "other_language") if counts[st])
    return ProcessSummary(
        done, counts["documents"], counts["empty"], counts["errors"], counts["no_date"], counts["listing"], other,
        counts["relevant"], counts["not_relevant"], after if done < total else "",
    )  # fmt: skip


def process_part(
    db: Path, archive_dir: Path, registry: Registry, rules: TopicRules, groups: Sequence[Sequence[str] | None],
    start: Cursor, budget: int, *, run_id: int | None = None, only_unprocessed: bool = False,
    sources: Mapping[str, Source] | None = None, token_cache: Path | None = None, relevance_model: Path | None = None,
    progress: Callable[[tuple[int, int]], None] | None = None,
) -> ProcessPart:  # fmt: skip
    """Process the pages of ``groups`` (each a list of source ids, or None for every source)
    one group after another, from ``start`` on, until ``budget`` pages are done: one part of
    a long extraction, run in a child process of its own (``pipeline.jobs.extract_pages``)
    or, when it is all of it, in the job's. Opens the database, the token cache and the
    relevance model itself, and closes them. ``progress`` (by default ``pipeline.child.report``,
    to the parent) gets (group index, pages of the group done in this part) every 25 pages
    and at the end of a group."""
    from pipeline.child import report
    from pipeline.classify.relevance import load_model

    tell = progress or report
    model = load_model(relevance_model) if relevance_model is not None else None
    cache = TokenCache(token_cache)
    con = connect(db)
    done: list[tuple[int, ProcessSummary]] = []
    try:
        group, after = start
        while group < len(groups) and budget > 0:
            def pages_done(n: int, total: int, group: int = group) -> None:
                if n % 25 == 0 or n == total:
                    tell((group, n))

            summary = process_pages(
                con, archive_dir, registry, rules, groups[group], run_id, pages_done, only_unprocessed, sources, cache,
                finish=False, relevance=model, after=after, max_pages=budget,
            )  # fmt: skip
            done.append((group, summary))
            budget -= summary.pages
            log.info("process %d extracted %d pages of %s", os.getpid(), summary.pages, ", ".join(groups[group] or ["every source"]))
            if summary.after:
                return ProcessPart(tuple(done), (group, summary.after), cache.hits, cache.misses)
            group, after = group + 1, ""
        return ProcessPart(tuple(done), (group, "") if group < len(groups) else None, cache.hits, cache.misses)
    finally:
        con.close()
        cache.close()
