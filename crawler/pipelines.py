"""Scrapy item pipeline: archive each response to WARC and record it in the pages table."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.archive import WarcArchive
from crawler.items import FailureItem, PageItem
from crawler.urls import canonical_url
from pipeline.models import FetchedPage, PipelineError
from pipeline.store import connect, load

logger = logging.getLogger(__name__)


class StorePipeline:
    crawler: Crawler

    def __init__(self, db_path: Path, archive_dir: Path, run_id: int | None, warc_max_bytes: int) -> None:
        self.db_path = db_path
        self.archive_dir = archive_dir
        self.run_id = run_id
        self.warc_max_bytes = warc_max_bytes
        self.counts = {"fetched": 0, "new": 0, "changed": 0, "unchanged": 0, "not_modified": 0, "failed": 0}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        pipe = cls(
            Path(s.get("THIDUA_DB")),
            Path(s.get("THIDUA_ARCHIVE")),
            s.getint("THIDUA_RUN_ID") or None,
            s.getint("THIDUA_WARC_MAX_BYTES", 100 * 2**20),
        )
        pipe.crawler = crawler
        crawler.signals.connect(pipe.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipe.response_downloaded, signal=signals.response_downloaded)
        return pipe

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.con = connect(self.db_path)
        limit = self.con.execute("SELECT current_setting('memory_limit')").fetchone()
        logger.info("pages are recorded in %s (DuckDB memory limit %s)", self.db_path, limit[0] if limit else "?")
        prefix = f"thidua-{self.run_id or 0:05d}-{spider.source.id}"  # type: ignore[union-attr]
        self.archive = WarcArchive(self.archive_dir, prefix, self.warc_max_bytes)

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A callback raised: record it, count it, go on."""
        self.counts["failed"] += 1
        load.record_error(self.con, PipelineError(
            "crawl", spider.source.id, response.url, failure.getErrorMessage()[:500],  # type: ignore[attr-defined]
            failure.type.__name__ if failure.type else "Error", run_id=self.run_id,
        ))  # fmt: skip

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """robots.txt is fetched by Scrapy's middleware, not the spider: archive it from here."""
        if urlsplit(request.url).path != "/robots.txt":
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.process_item(PageItem(spider.source.id, response.url, "robots", response.status, "", headers, response.body, now))  # type: ignore[attr-defined]

    def close_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        self.archive.close()
        self.counts["not_due"] = getattr(spider, "not_due", 0)
        spider.crawler.stats.set_value("thidua/traps", getattr(spider, "traps", 0))  # type: ignore[union-attr]
        spider.crawler.stats.set_value("thidua/too_old", getattr(spider, "too_old", 0))  # type: ignore[union-attr]
        if self.run_id is not None:
            load.save_site_stats(self.con, self.run_id, spider.source.id, **self.counts)  # type: ignore[attr-defined]
        self.con.close()
        for k, v in self.counts.items():
            spider.crawler.stats.set_value(f"thidua/{k}", v)  # type: ignore[union-attr]

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FailureItem):
            self.counts["failed"] += 1
            load.record_error(
                self.con,
                PipelineError("crawl", item.source_id, item.url, item.message, item.error_type, run_id=self.run_id),
            )
            return item
        assert isinstance(item, PageItem)
        self.counts["fetched"] += 1
        curl = canonical_url(item.url)
        if item.status == 304:  # the stored version is still current
            self.archive.write_response(item.url, item.status, "Not Modified", item.headers, b"", item.fetched_at)
            load.touch_latest(self.con, curl, item.fetched_at, self.run_id)
            self.counts["unchanged"] += 1
            self.counts["not_modified"] += 1
            return item
        digest = hashlib.sha256(item.body).hexdigest()
        if load.page_seen(self.con, curl, digest, item.fetched_at, self.run_id):
            self.counts["unchanged"] += 1
            return item
        self.counts["changed" if load.url_known(self.con, curl) else "new"] += 1
        rec = self.archive.write_response(item.url, item.status, item.reason, item.headers, item.body, item.fetched_at)
        hdr = {k.lower(): v for k, v in item.headers}
        load.insert_page(
            self.con,
            FetchedPage(
                source_id=item.source_id,
                url=item.url,
                canonical_url=curl,
                kind=item.kind,
                fetched_at=item.fetched_at,
                http_status=item.status,
                content_type=hdr.get("content-type", ""),
                etag=hdr.get("etag", ""),
                last_modified=hdr.get("last-modified", ""),
                content_hash=digest,
                content_length=len(item.body),
                warc_file=rec.warc_file,
                warc_offset=rec.offset,
                warc_length=rec.length,
            ),
            self.run_id,
        )
        return item
