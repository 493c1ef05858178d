"""What the spider hands to the item pipelines: raw responses and failures, never interpreted."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(slots=True)
class PageItem:
    source_id: str
    url: str
    kind: str  # article | listing | feed | sitemap
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: dt.datetime


@dataclass(slots=True)
class FailureItem:
    source_id: str
    url: str
    kind: str
    error_type: str
    message: str
