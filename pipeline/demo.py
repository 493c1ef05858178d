"""`thidua demo`: serve the bundled sample site on 127.0.0.1, crawl it, process, report."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crawler.run import CrawlStats, run_crawl
from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import Source, builtin_sources
from pipeline.canon import Registry
from pipeline.errors import ConfigError, CrawlError
from pipeline.extract import TopicRules
from pipeline.process import ProcessSummary, process_pages
from pipeline.serve import SiteServer
from pipeline.settings import Settings
from pipeline.store import connect, load


@dataclass(frozen=True, slots=True)
class DemoResult:
    db: Path
    crawl: CrawlStats
    processed: ProcessSummary
    seconds: float


def run_demo(settings: Settings, console: Console) -> DemoResult:
    t0 = time.monotonic()
    site = settings.sample_site
    if not (site / "index.html").exists():
        raise ConfigError(f"no sample site at {site}", hint="restore data/sample_site from git, or run: make site")
    source = builtin_sources()["sample"]
    db = settings.demo_db
    archive = db.parent / "archive-demo"
    registry = Registry.from_file(settings.registry)
    rules = TopicRules.from_file(settings.topics)

    con = connect(db)
    run_id = load.start_run(con, "demo", [source.id])
    load.upsert_source(con, source.id, source.name, source.level, source.province, source.start_urls[0], source.verified)
    con.close()

    try:
        crawl, summary = _crawl_and_process(site, source, db, archive, run_id, registry, rules, console)
    except BaseException as exc:  # the run row says what happened, then the error goes on up
        con = connect(db)
        load.finish_run(con, run_id, "failed", f"{type(exc).__name__}: {exc}"[:500])
        con.close()
        raise
    return DemoResult(db, crawl, summary, time.monotonic() - t0)


def _crawl_and_process(
    site: Path, source: Source, db: Path, archive: Path, run_id: int, registry: Registry, rules: TopicRules, console: Console
) -> tuple[CrawlStats, ProcessSummary]:
    with console.status("[bold]Crawling the sample site on 127.0.0.1 …"), SiteServer(site, source.allowed_domains) as srv:
        console.print(f"[dim]serving {site} at {srv.url} (as {', '.join(source.allowed_domains)})[/]")
        stats = run_crawl([source], db, archive, run_id, LOCAL_OVERRIDES, proxy=srv.url)
    crawl = stats[0]
    console.print(
        f"crawled: {crawl.fetched} responses: {crawl.new} new and {crawl.changed} changed pages archived, "
        f"{crawl.unchanged} unchanged, {crawl.not_due} stored articles not due for a re-check, "
        f"{crawl.failed} failures ({crawl.finish_reason})"
    )
    if crawl.fetched == 0:
        raise CrawlError("the crawl fetched nothing from the sample site")
    con = connect(db)
    try:
        with Progress(TextColumn("[bold]Extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("extract", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = process_pages(con, archive, registry, rules, [source.id], run_id, progress=tick)
        load.save_site_stats(con, run_id, source.id, documents=summary.documents, empty=summary.empty, no_date=summary.no_date)
        load.finish_run(
            con, run_id, "ok", "", pages_fetched=crawl.fetched, pages_new=crawl.stored,
            pages_failed=crawl.failed, documents=summary.documents,
        )  # fmt: skip
    finally:
        con.close()
    return crawl, summary
