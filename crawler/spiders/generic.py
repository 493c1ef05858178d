"""One spider for every site, driven by a Source: robots → sitemaps → feeds → listing pages."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.items import FailureItem, PageItem
from crawler.sources import Source
from crawler.state import CrawlState
from crawler.traps import trap_reason
from crawler.urls import SeenUrls, canonical_url

PAGINATION_HINTS = ("trang-", "trang/", "page=", "/p", "trang=")
SKIP_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".mp4", ".mp3")


def parse_lastmod(value: str) -> dt.datetime | None:
    """A sitemap's W3C datetime ("2025-01-15", "2025-01-15T08:00:00+07:00") as naive UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


class GenericSpider(scrapy.Spider):
    name = "generic"

    def __init__(self, source: Source, state: CrawlState | None = None, **kwargs: Any) -> None:
        super().__init__(name=f"generic-{source.id}", **kwargs)
        self.source = source
        self.crawl_state = state or CrawlState.empty()  # not .state: Scrapy's SpiderState owns that
        self.allowed_domains = list(source.allowed_domains)
        self._seen = SeenUrls()
        self.not_due = 0
        self.too_old = 0
        self.traps = 0
        self.listings = 0

    # -- requests ------------------------------------------------------------------------
    def _request(self, url: str, kind: str, callback: Any, lastmod: dt.datetime | None = None) -> scrapy.Request | None:
        url = canonical_url(url)
        if len(self._seen) >= self.source.max_pages or not self._on_site(url) or not self._seen.add(url):
            return None
        if trap_reason(url, self.crawl_state.now.year):
            self.traps += 1
            return None
        if kind == "listing":
            self.listings += 1
            if self.listings > self.source.max_listing_pages:
                return None
        headers: dict[str, str] = {}
        if kind == "article":
            if not self.crawl_state.due(url, lastmod):
                self.not_due += 1
                return None
            headers = self.crawl_state.conditional_headers(url)
        # dont_filter: this spider dedupes itself (above) and the state table dedupes across
        # runs, so a run resumed from JOBDIR re-discovers what a killed run left in flight.
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta={"kind": kind}, headers=headers, dont_filter=True
        )

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.sitemaps:
            if (r := self._request(url, "sitemap", self.parse_sitemap)) is not None:
                yield r
        for url in self.source.feeds:
            if (r := self._request(url, "feed", self.parse_feed)) is not None:
                yield r
        for url in self.source.start_urls:
            if (r := self._request(url, "listing", self.parse_listing)) is not None:
                yield r

    def _on_site(self, url: str) -> bool:
        """Only the source's own hosts (Scrapy's offsite filter lets dont_filter requests through)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def _follow(self, url: str, lastmod: dt.datetime | None = None) -> scrapy.Request | None:
        if self.source.is_article(url):
            return self._request(url, "article", self.parse_article, lastmod)
        return self._request(url, "listing", self.parse_listing)

    # -- callbacks -----------------------------------------------------------------------
    def _page(self, response: Response) -> PageItem:
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in response.headers.items()
            for v in values
        ]
        return PageItem(
            source_id=self.source.id,
            url=response.url,
            kind=response.meta.get("kind", "other"),
            status=response.status,
            reason="",
            headers=headers,
            body=response.body,
            fetched_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_robots_parsed, signal=signals.robots_parsed)
        return spider

    def on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Scrapy obeys robots.txt rules but not its Crawl-delay: apply it to the site's slot."""
        protego = getattr(robotparser, "rp", None)
        if protego is None or self.crawler is None or self.crawler.engine is None:
            return
        delay = protego.crawl_delay(self.crawler.settings.get("USER_AGENT", "*"))
        if delay:
            downloader = self.crawler.engine.downloader
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if slot is not None:
                slot.delay = max(slot.delay, float(delay))
            self.crawl_delay = float(delay)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield self._page(response)
        if response.status != 200:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body)
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # malformed XML is recorded, the crawl goes on
            yield FailureItem(self.source.id, response.url, "sitemap", type(exc).__name__, str(exc))
            return
        since = self.source.since
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            if not loc:
                continue
            lastmod = parse_lastmod(entry.get("lastmod", ""))
            if since is not None and lastmod is not None and lastmod.date() < since:
                self.too_old += 1  # older than the source's horizon: not followed
                continue
            if sitemap.type == "sitemapindex":
                r = self._request(loc, "sitemap", self.parse_sitemap)
            else:
                r = self._follow(loc, lastmod)
            if r is not None:
                yield r

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield self._page(response)
        if response.status != 200:
            return
        sel = scrapy.Selector(text=response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace"), type="xml")
        sel.register_namespace("atom", "http://www.w3.org/2005/Atom")
        links = sel.xpath("//item/link/text() | //atom:entry/atom:link/@href").getall()
        for link in links:
            if (r := self._follow(response.urljoin(link.strip()))) is not None:
                yield r

    def _is_listing_link(self, url: str) -> bool:
        path = urlsplit(url).path
        if path.lower().endswith(SKIP_EXTENSIONS):
            return False
        if self.source.listing_url:
            return re.search(self.source.listing_url, path) is not None
        return any(h in url for h in PAGINATION_HINTS)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        yield self._page(response)
        if response.status != 200 or not hasattr(response, "css"):
            return
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            if self.source.is_article(url):
                r = self._request(url, "article", self.parse_article)
            elif self._is_listing_link(url):
                r = self._request(url, "listing", self.parse_listing)
            else:
                continue
            if r is not None:
                yield r

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield self._page(response)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        if failure.check(IgnoreRequest):  # refused by robots.txt or the domain filter: not a failure
            return
        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        kind = request.meta.get("kind", "other") if request is not None else "other"
        yield FailureItem(self.source.id, url, kind, failure.type.__name__ if failure.type else "Error", failure.getErrorMessage())
