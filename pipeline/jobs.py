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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from rich.console import Console

from crawler.child import run_in_child
from crawler.sources import Source
from crawler.stats import CrawlStats
from pipeline.canon import Registry
from pipeline.errors import ThiduaError
from pipeline.extract import TopicRules
from pipeline.settings import Settings, model_file
from pipeline.store import Connection, connect, load, set_memory

if TYPE_CHECKING:  # imported when the crawl is over (see run_job)
    from pipeline.process import ProcessSummary

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
def stage(console: Console, name: str, message: str) -> Iterator[None]:
    """One stage of a job: shown on the console while it runs, and logged (``pipeline.jobs``
    logger, INFO) when it starts and ends, with its time, for a journal or a benchmark."""
    log.info("stage %s started", name)
    t0 = time.perf_counter()
    try:
        with console.status(f"[bold]{message} …"):
            yield
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
    from pipeline.process import refresh

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
    set_memory(settings.duckdb_memory_mb)
    with run_lock(settings.db):
        work, resumed = working_copy(settings.db)
        if resumed:
            raise ThiduaError(f"{work} was left by an interrupted run", hint="run thidua crawl or nightly first; it resumes and publishes it")
        con = connect(work)
        try:
            out = change(con)
        finally:
            con.close()
        publish(work, settings.db)
    return out


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
                    sources, work, settings.archive, run_id, dict(overrides or {}), proxy=settings.proxy,
                    recheck_after=dt.timedelta(days=settings.recheck_days), jobdir=settings.jobs,
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
    from pipeline.classify import load_model
    from pipeline.classify.scoring import score_stored
    from pipeline.process import process_pages, refresh
    from pipeline.text import TokenCache

    model = load_model(settings.relevance_model_path)
    out: dict[str, ProcessSummary] = {}
    con = connect(work)
    cache = TokenCache(settings.token_cache_file)
    try:
        for s in sources:
            with stage(console, "extract", f"Extracting {s.id}"):
                summary = process_pages(
                    con, settings.archive, registry, rules, [s.id], run_id, only_unprocessed=True, sources={s.id: s}, cache=cache,
                    finish=False, relevance=model,
                )  # fmt: skip
            load.save_site_stats(con, run_id, s.id, documents=summary.documents, empty=summary.empty, no_date=summary.no_date)
            out[s.id] = summary
        with stage(console, "rebuild", "Bringing the tables up to date"):
            score_stored(con, model, cache)  # documents stored before there was a verdict for them
            refresh(con, registry)
        load.finish_run(
            con, run_id, "ok", "", pages_fetched=sum(c.fetched for c in stats), pages_new=sum(c.stored for c in stats),
            pages_failed=sum(c.failed for c in stats), documents=sum(p.documents for p in out.values()),
        )  # fmt: skip
    finally:
        con.close()
        cache.close()
    return out
