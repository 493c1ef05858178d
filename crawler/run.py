"""Run one crawl of some sources in this process (Scrapy's reactor starts once per process);
jobs run it in a child process (pipeline.child)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.settings import DEFAULTS
from crawler.sources import Source
from crawler.spiders.generic import GenericSpider
from crawler.state import CrawlState, KnownPage
from crawler.stats import COUNTS, CrawlStats
from pipeline.store import connect, load


def load_state(db_path: Path, source_id: str, recheck_after: dt.timedelta) -> CrawlState:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not db_path.exists():
        return CrawlState({}, recheck_after, now)
    con = connect(db_path)
    try:
        rows = load.known_articles(con, source_id)
    finally:
        con.close()
    return CrawlState({u: KnownPage(e, lm, lf) for u, e, lm, lf in rows}, recheck_after, now)


def run_crawl(
    sources: Sequence[Source],
    db_path: Path,
    archive_dir: Path,
    run_id: int | None = None,
    overrides: dict[str, Any] | None = None,
    proxy: str = "",
    recheck_after: dt.timedelta = dt.timedelta(days=14),
    jobdir: Path | None = None,
) -> list[CrawlStats]:
    """Crawl every source (concurrently, each politely) and return per-source figures.

    Articles already stored are skipped until ``recheck_after`` has passed, then re-checked
    with conditional requests. ``jobdir`` keeps each source's pending requests on disk, so a
    run killed mid-way resumes them; it is removed when a source finishes cleanly.
    ``proxy`` sends every request, robots.txt included, through that HTTP proxy.
    """
    if proxy:
        os.environ["http_proxy"] = proxy
        os.environ["https_proxy"] = proxy
        os.environ.pop("no_proxy", None)
    base = Settings(DEFAULTS)
    base.setdict(overrides or {}, priority="cmdline")
    base.set("THIDUA_DB", str(db_path))
    base.set("THIDUA_ARCHIVE", str(archive_dir))
    base.set("THIDUA_RUN_ID", run_id or 0)
    base.set("LOG_INSTALL_ROOT_HANDLER", False)
    process = CrawlerProcess(base)
    crawlers = []
    for source in sources:
        # per-source settings ride on a subclass: Scrapy reads them from custom_settings
        custom = {"JOBDIR": str(jobdir / source.id)} if jobdir is not None else {}
        spider_cls = type(f"GenericSpider_{source.id}", (GenericSpider,), {"custom_settings": custom})
        crawler = process.create_crawler(spider_cls)
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source, state=load_state(db_path, source.id, recheck_after))
    process.start()
    out = []
    for source, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = str(stats.get("finish_reason", ""))
        if jobdir is not None and reason == "finished":
            shutil.rmtree(jobdir / source.id, ignore_errors=True)
        counts = {k: int(stats.get(f"thidua/{k}", 0)) for k in COUNTS}
        out.append(CrawlStats(source_id=source.id, finish_reason=reason, **counts))
    return out
