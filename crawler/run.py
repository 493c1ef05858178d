"""Run one crawl of some sources in this process (Scrapy's reactor starts once per process)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.settings import DEFAULTS
from crawler.sources import Source
from crawler.spiders.generic import GenericSpider


@dataclass(frozen=True, slots=True)
class CrawlStats:
    source_id: str
    pages_fetched: int
    pages_new: int
    pages_failed: int
    finish_reason: str


def run_crawl(
    sources: Sequence[Source],
    db_path: Path,
    archive_dir: Path,
    run_id: int | None = None,
    overrides: dict[str, Any] | None = None,
    proxy: str = "",
) -> list[CrawlStats]:
    """Crawl every source (concurrently, each politely) and return per-source figures.

    ``proxy`` sends every request, robots.txt included, through that HTTP proxy.
    """
    if proxy:
        os.environ["http_proxy"] = proxy
        os.environ["https_proxy"] = proxy
        os.environ.pop("no_proxy", None)
    settings = Settings(DEFAULTS)
    settings.setdict(overrides or {}, priority="cmdline")
    settings.set("THIDUA_DB", str(db_path))
    settings.set("THIDUA_ARCHIVE", str(archive_dir))
    settings.set("THIDUA_RUN_ID", run_id or 0)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False)
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(GenericSpider)
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source)
    process.start()
    out = []
    for source, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        out.append(
            CrawlStats(
                source.id,
                int(stats.get("thidua/pages_fetched", 0)),
                int(stats.get("thidua/pages_new", 0)),
                int(stats.get("thidua/pages_failed", 0)),
                str(stats.get("finish_reason", "")),
            )
        )
    return out
