"""Crawl and nightly jobs: lock, working copy, crawl, process, publish.

DuckDB allows one writer per file, and a reader (an analyst's notebook) holds a lock that
stops a writer from opening the file at all. So a job never writes to the published
database: it works on ``<db>.next`` (a copy), then swaps it in with an atomic rename.
Readers keep the version they opened; new connections see the new one. A job that dies
leaves its working copy and Scrapy JOBDIR behind, and the next job resumes from them, so
nothing it had stored is lost and nothing is stored twice.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from rich.console import Console
from rich.status import Status

from crawler.sources import Source
from crawler.stats import CrawlStats
from pipeline.canon import Registry
from pipeline.canon.sync import refresh
from pipeline.child import run_in_child
from pipeline.errors import ThiduaError
from pipeline.extract import TopicRules
from pipeline.models import Cursor, ProcessSummary
from pipeline.settings import Settings, model_file
from pipeline.store import Connection, connect, load, set_memory

T = TypeVar("T")
log = logging.getLogger(__name__)


class LockError(ThiduaError):
    hint = "another thidua run is writing this database; wait for it to finish (the lock goes with its process)"


@dataclass(frozen=True, slots=True)
class JobResult:
    run_id: int
    crawl: tuple[CrawlStats, ...]
    processed: dict[str, ProcessSummary]
    resumed: bool


@contextmanager
def run_lock(db: Path) -> Iterator[None]:
    """An exclusive lock beside the database, held for the whole job; the OS drops it if we die."""
    db.parent.mkdir(parents=True, exist_ok=True)
    fh: TextIO = open(db.with_name(db.name + ".lock"), "a+")  # noqa: SIM115 (held for the block)
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockError(f"{db} is locked by another run") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}\n")
        fh.flush()
        yield
    finally:
        fh.close()


@contextmanager
def stage(console: Console, name: str, message: str) -> Iterator[Status]:
    """One stage of a job: shown on the console while it runs (the status it yields can say
    more), and logged (``pipeline.jobs`` logger, INFO) when it starts and ends, with its
    time, for a journal or a benchmark."""
    log.info("stage %s started", name)
    t0 = time.perf_counter()
    try:
        with console.status(f"[bold]{message} …") as status:
            yield status
    finally:
        log.info("stage %s ended after %.1f s", name, time.perf_counter() - t0)


def working_copy(db: Path) -> tuple[Path, bool]:
    """The file this job writes: ``<db>.next``; reused when a crashed job left one (resumed)."""
    work = db.with_name(db.name + ".next")
    if work.exists():
        return work, True
    if db.exists():
        shutil.copy2(db, work)
    return work, False


def publish(work: Path, db: Path) -> None:
    """Checkpoint the working copy, then swap it in atomically."""
    con = connect(work)
    con.execute("CHECKPOINT")
    con.close()
    os.replace(work, db)


def update_registry(settings: Settings, entries: str) -> int:
    """Append accepted registry entries to the registry file and bring the database in line
    (mentions re-resolved, registry table rewritten) without reprocessing, under the run
    lock and through a working copy like any writer. Returns how many mentions moved."""
    path = settings.registry
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    stamp = f"\n# accepted with `thidua movements review` on {dt.date.today().isoformat()}\n"
    new = old.rstrip("\n") + "\n" + stamp + entries
    registry = Registry.from_text(new, path)  # refuse before writing anything

    def apply(con: Connection) -> int:
        path.write_text(new, encoding="utf-8")
        return refresh(con, registry)

    return edit_database(settings, apply)


def edit_database(settings: Settings, change: Callable[[Connection], T]) -> T:
    """Run ``change`` on the database like any writer: under the run lock, on a working copy
    that is swapped in when it is done (readers keep the old file until then)."""
    with editing(settings) as work:
        con = connect(work)
        try:
            return change(con)
        finally:
            con.close()


@contextmanager
def editing(settings: Settings) -> Iterator[Path]:
    """The working copy to change, under the run lock; swapped in if the block ends well
    (readers keep the old file until then), left for the next run if it fails."""
    set_memory(settings.duckdb_memory_mb)
    with run_lock(settings.db):
        work, resumed = working_copy(settings.db)
        if resumed:
            raise ThiduaError(f"{work} was left by an interrupted run", hint="run thidua crawl or nightly first; it resumes and publishes it")
        yield work
        publish(work, settings.db)


def run_job(
    settings: Settings,
    sources: Sequence[Source],
    command: str,
    console: Console,
    overrides: dict[str, object] | None = None,
) -> JobResult:
    if not sources:
        raise ThiduaError("no sources to crawl", hint="pass --source ID or --sources FILE.toml (thidua sources lists them)")
    registry = Registry.from_file(settings.registry)
    rules = TopicRules.from_file(settings.topics)
    _model_is_there(settings.relevance_model_path)  # a broken install fails now; the model is loaded after the crawl
    set_memory(settings.duckdb_memory_mb)
    with run_lock(settings.db):
        work, resumed = working_copy(settings.db)
        con = connect(work)
        try:
            con.execute(
                "UPDATE crawl_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
                [dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            )
            run_id = load.start_run(con, command, [s.id for s in sources])
            for s in sources:
                base = (s.start_urls or s.sitemaps or s.feeds)[0]
                load.upsert_source(con, s.id, s.name, s.level, s.province, base, s.verified)
        finally:
            con.close()
        if resumed:
            console.print(f"[yellow]resuming from {work} left by an interrupted run[/]")
        try:
            with stage(console, "crawl", f"Crawling {len(sources)} source(s)"):
                stats: list[CrawlStats] = run_in_child(  # its memory goes with it, before extraction starts
                    "crawler.run:run_crawl", (sources, work, settings.archive, run_id, dict(overrides or {})),
                    {"proxy": settings.proxy, "recheck_after": dt.timedelta(days=settings.recheck_days), "jobdir": settings.jobs},
                    name="the crawl process",
                )  # fmt: skip
            processed = _process(work, settings, sources, registry, rules, run_id, stats, console)
        except BaseException as exc:
            con = connect(work)
            load.finish_run(con, run_id, "failed", f"{type(exc).__name__}: {exc}"[:500])
            con.close()
            raise
        with stage(console, "publish", "Publishing the database"):
            publish(work, settings.db)
    return JobResult(run_id, tuple(stats), processed, resumed)


def _model_is_there(path: Path) -> None:
    """Is the relevance model where the settings say? Loading it, like importing the text
    layer, waits until the crawl is over, so that the job is small while it crawls (in a
    child process, with a memory of its own); if loading fails then, the crawled pages stay
    in the working copy and the next run processes them."""
    model = model_file(path)
    if model is None or not model.is_file():
        raise ThiduaError(f"relevance model {model or path} not found", hint="set relevance_model (THIDUA_RELEVANCE_MODEL) to a .joblib file, or train one: thidua train")


def _process(
    work: Path, settings: Settings, sources: Sequence[Source], registry: Registry, rules: TopicRules,
    run_id: int, stats: list[CrawlStats], console: Console,
) -> dict[str, ProcessSummary]:  # fmt: skip
    with stage(console, "extract", f"Extracting {len(sources)} source(s)") as status:

        def progress(group: int, done: int, total: int) -> None:
            status.update(f"[bold]Extracting {sources[group].id} … {done:,} of {total:,} pages")

        extracted = extract_pages(
            work, settings, registry, rules, [[s.id] for s in sources], {s.id: s for s in sources}, run_id=run_id, only_unprocessed=True,
            progress=progress,
        )  # fmt: skip
    out = {s.id: summary for s, summary in zip(sources, extracted.summaries, strict=True)}
    con = connect(work)
    try:
        for s in sources:
            summary = out[s.id]
            load.save_site_stats(con, run_id, s.id, documents=summary.documents, empty=summary.empty, no_date=summary.no_date)
        with stage(console, "rebuild", "Bringing the tables up to date"):
            if load.has_unscored(con):  # documents stored before there was a verdict for them: the text layer is needed
                _score_unscored(con, settings)
            refresh(con, registry)
        load.finish_run(
            con, run_id, "ok", "", pages_fetched=sum(c.fetched for c in stats), pages_new=sum(c.stored for c in stats),
            pages_failed=sum(c.failed for c in stats), documents=sum(p.documents for p in out.values()),
        )  # fmt: skip
    finally:
        con.close()
    return out


def _score_unscored(con: Connection, settings: Settings) -> None:
    from pipeline.classify import load_model
    from pipeline.classify.scoring import score_stored
    from pipeline.text import TokenCache

    cache = TokenCache(settings.token_cache_file)
    try:
        score_stored(con, load_model(settings.relevance_model_path), cache)
    finally:
        cache.close()


@dataclass(frozen=True, slots=True)
class Extracted:
    summaries: tuple[ProcessSummary, ...]  # one per group
    cache_hits: int  # token cache: texts found there
    cache_misses: int  # … and segmented
    parts: int  # child processes it took (0: it ran in this one)


def extract_pages(
    db: Path, settings: Settings, registry: Registry, rules: TopicRules, groups: Sequence[Sequence[str] | None],
    sources: Mapping[str, Source], *, run_id: int | None = None, only_unprocessed: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> Extracted:  # fmt: skip
    """Extract the stored article pages of each group of sources (a list of ids, or None for
    all) into documents in ``db`` (not open elsewhere), with the settings' archive, token
    cache and relevance model. Up to ``settings.extract_chunk_pages`` pages in all, in this
    process; more, in child processes of that many pages each, one after another: what the
    text libraries and DuckDB's allocator keep of each part goes with its process, so the
    job's memory does not grow with the pages it extracts. ``progress(group, done, total)``
    counts a group's pages."""
    _model_is_there(settings.relevance_model_path)
    con = connect(db)
    try:
        totals = [load.count_article_pages(con, g, only_unprocessed) for g in groups]
    finally:
        con.close()
    chunk = settings.extract_chunk_pages
    summaries = [ProcessSummary(0, 0, 0, 0) for _ in groups]
    before = [0] * len(groups)  # pages of each group done by earlier parts

    def report(value: tuple[int, int]) -> None:
        if progress is not None:
            group, done = value
            progress(group, before[group] + done, totals[group])

    args = (db, settings.archive, registry, rules, [None if g is None else list(g) for g in groups])
    kwargs: dict[str, Any] = {
        "run_id": run_id, "only_unprocessed": only_unprocessed, "sources": dict(sources), "token_cache": settings.token_cache_file,
        "relevance_model": settings.relevance_model_path,
    }  # fmt: skip
    cursor: Cursor | None = (0, "")
    hits = misses = parts = 0
    while cursor is not None:
        if sum(totals) <= chunk:  # all of it: here
            from pipeline.process import process_part

            part = process_part(*args, cursor, chunk, progress=report, **kwargs)
        else:
            part = run_in_child("pipeline.process:process_part", (*args, cursor, chunk), kwargs, name="the extraction process", on_report=report)
            parts += 1
        for group, summary in part.summaries:
            summaries[group] += summary
            before[group] += summary.pages
        hits, misses = hits + part.cache_hits, misses + part.cache_misses
        cursor = part.next if sum(before) < sum(totals) else None  # none left: no process started for nothing
    return Extracted(tuple(summaries), hits, misses, parts)
