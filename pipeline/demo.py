"""`thidua demo`: serve the bundled sample site on 127.0.0.1, crawl it, process, report.

The same job as `thidua crawl` (lock, working copy, crawl, extract, publish), pointed at the
local server as the HTTP proxy for the sample site's host, with politeness off: the server
is our own.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import builtin_sources
from crawler.stats import CrawlStats
from pipeline.errors import ConfigError, CrawlError
from pipeline.jobs import run_job
from pipeline.models import ProcessSummary
from pipeline.serve import SiteServer
from pipeline.settings import Settings


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
    with SiteServer(site, source.allowed_domains) as srv:
        console.print(f"[dim]serving {site} at {srv.url} (as {', '.join(source.allowed_domains)})[/]")
        demo = dataclasses.replace(
            settings, db=db, archive=db.parent / "archive-demo", jobs=db.parent / "jobs-demo", proxy=srv.url
        )
        result = run_job(demo, [source], "demo", console, LOCAL_OVERRIDES)
    crawl = result.crawl[0]
    console.print(
        f"crawled: {crawl.fetched} responses: {crawl.new} new and {crawl.changed} changed pages archived, "
        f"{crawl.unchanged} unchanged, {crawl.not_due} stored articles not due for a re-check, "
        f"{crawl.failed} failures ({crawl.finish_reason})"
    )
    if crawl.fetched == 0:
        raise CrawlError("the crawl fetched nothing from the sample site")
    return DemoResult(db, crawl, result.processed[source.id], time.monotonic() - t0)
