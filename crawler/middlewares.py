"""Downloader middleware: honour Retry-After on 429/503 by slowing the whole site down."""
from __future__ import annotations

import email.utils
import time
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response


def retry_after_seconds(value: str, now: float | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware:
    """On 429 or 503 with Retry-After: wait that long (capped) before the site's next request,
    then retry, at most RETRY_AFTER_TIMES times per request. Without the header the ordinary
    RetryMiddleware (with its own limits) handles the status."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.times = crawler.settings.getint("RETRY_AFTER_TIMES", 3)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if response.status not in (429, 503) or b"Retry-After" not in response.headers:
            return response
        wait = retry_after_seconds((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
        tries = request.meta.get("retry_after_times", 0)
        if wait is None or tries >= self.times:
            return response
        wait = min(wait, self.max_wait)
        engine = self.crawler.engine
        if engine is not None:
            slot_key = request.meta.get("download_slot") or engine.downloader.get_slot_key(request)
            slot = engine.downloader.slots.get(slot_key)
            if slot is not None:
                slot.delay = max(slot.delay, wait)  # the whole site waits, not only this URL
        if self.crawler.stats:
            self.crawler.stats.inc_value("thidua/retry_after")
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = tries + 1
        return retry
