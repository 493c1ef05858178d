"""A crawl's figures for one source. Kept apart from crawler.run, which imports Scrapy: a job
receives these from its crawl process and need not import Scrapy to read them."""
from __future__ import annotations

from dataclasses import dataclass

COUNTS = ("fetched", "new", "changed", "unchanged", "not_modified", "not_due", "failed")


@dataclass(frozen=True, slots=True)
class CrawlStats:
    source_id: str
    fetched: int
    new: int
    changed: int
    unchanged: int
    not_modified: int
    not_due: int
    failed: int
    finish_reason: str

    @property
    def stored(self) -> int:
        return self.new + self.changed
