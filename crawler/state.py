"""What the crawler already holds, across runs: the newest stored version of every article
URL with its validators. The spider skips articles not due for a re-check and sends
conditional requests for those that are."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownPage:
    etag: str
    last_modified: str
    last_fetched: dt.datetime


@dataclass(frozen=True, slots=True)
class CrawlState:
    known: dict[str, KnownPage]
    recheck_after: dt.timedelta
    now: dt.datetime

    def due(self, canonical_url: str, lastmod: dt.datetime | None = None) -> bool:
        """Unknown, or stored long enough ago, or changed since (a sitemap's lastmod says so)."""
        page = self.known.get(canonical_url)
        if page is None or self.now - page.last_fetched >= self.recheck_after:
            return True
        return lastmod is not None and lastmod > page.last_fetched

    def conditional_headers(self, canonical_url: str) -> dict[str, str]:
        page = self.known.get(canonical_url)
        if page is None:
            return {}
        headers = {}
        if page.etag:
            headers["If-None-Match"] = page.etag
        if page.last_modified:
            headers["If-Modified-Since"] = page.last_modified
        return headers

    @classmethod
    def empty(cls) -> CrawlState:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return cls({}, dt.timedelta(0), now)
