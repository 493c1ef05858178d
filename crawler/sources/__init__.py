"""Sources: one small declarative file per website, or a TOML table per site for users.

A built-in source is a module in this package that defines ``SOURCE = Source(...)``.
"""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import SourceError

LEVELS = ("national", "province", "district", "sector", "grassroots", "press")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Selectors:
    """CSS selectors that override generic extraction; ``valid_until`` dates a redesign."""

    title: str = ""
    sapo: str = ""
    published: str = ""
    author: str = ""
    body: str = ""
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    level: str
    start_urls: tuple[str, ...] = ()
    province: str = ""
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    article_url: str = ""  # regex on the URL path that marks an article page
    listing_url: str = ""  # regex on the path of listing pages to follow (default: pagination links)
    domains: tuple[str, ...] = ()  # allowed hosts; default: the hosts of start_urls
    selectors: tuple[Selectors, ...] = ()
    max_pages: int = 5000  # requests per run, all kinds
    max_listing_pages: int = 300  # listing pages per run (pagination, sections)
    since: dt.date | None = None  # sitemap entries whose lastmod is older are not followed
    verified: bool = False

    def __post_init__(self) -> None:
        where = f"source {self.id or '?'}"
        if not _ID.match(self.id):
            raise SourceError(f"{where}: field 'id' must be lowercase letters, digits, - or _")
        if not self.name:
            raise SourceError(f"{where}: field 'name' is empty")
        if self.level not in LEVELS:
            raise SourceError(f"{where}: field 'level' is {self.level!r}; use one of {', '.join(LEVELS)}")
        if not (self.start_urls or self.sitemaps or self.feeds):
            raise SourceError(f"{where}: give at least one of 'start_urls', 'sitemaps', 'feeds'")
        for name in ("start_urls", "sitemaps", "feeds"):
            for url in getattr(self, name):
                if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                    raise SourceError(f"{where}: field '{name}' has {url!r}, not an http(s) URL")
        for name in ("article_url", "listing_url"):
            try:
                re.compile(getattr(self, name))
            except re.error as exc:
                raise SourceError(f"{where}: field '{name}' is not a valid regex: {exc}") from exc
        for name in ("max_pages", "max_listing_pages"):
            if getattr(self, name) < 1:
                raise SourceError(f"{where}: field '{name}' must be at least 1")

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        if self.domains:
            return self.domains
        hosts = {urlsplit(u).hostname or "" for u in (*self.start_urls, *self.sitemaps, *self.feeds)}
        return tuple(sorted(h for h in hosts if h))

    def is_article(self, url: str) -> bool:
        return bool(self.article_url) and re.search(self.article_url, urlsplit(url).path) is not None

    def selectors_for(self, when: dt.date) -> Selectors | None:
        """The selector set in force on ``when`` (the earliest whose valid_until is later)."""
        live = [s for s in self.selectors if s.valid_until is None or when <= s.valid_until]
        return min(live, key=lambda s: s.valid_until or dt.date.max) if live else None


def builtin_sources() -> dict[str, Source]:
    """Every ``SOURCE`` defined by a module of this package, by id."""
    out: dict[str, Source] = {}
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        src = getattr(module, "SOURCE", None)
        if isinstance(src, Source):
            out[src.id] = src
    return out


def _source_from_table(sid: str, table: dict[str, Any]) -> Source:
    known = {f.name for f in fields(Source)}
    unknown = set(table) - known - {"id"}
    if unknown:
        raise SourceError(f"source {sid}: unknown field(s) {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {"id": sid}
    for key, value in table.items():
        if key == "id":
            continue
        if key in ("start_urls", "sitemaps", "feeds", "domains"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SourceError(f"source {sid}: field '{key}' must be a list of strings")
            value = tuple(value)
        elif key == "since":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise SourceError(f"source {sid}: field 'since' must be a date such as 2020-01-01 (no quotes)")
        elif key == "selectors":
            items = value if isinstance(value, list) else [value]
            try:
                value = tuple(Selectors(**s) for s in items)
            except TypeError as exc:
                raise SourceError(f"source {sid}: field 'selectors': {exc}") from exc
        kwargs[key] = value
    for req in ("name", "level"):
        if req not in kwargs:
            raise SourceError(f"source {sid}: field '{req}' is missing")
    return Source(**kwargs)


def load_sources_file(path: Path) -> dict[str, Source]:
    """Read ``[sources.<id>]`` tables from a TOML file; errors name the entry and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceError(f"no sources file at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path} is not valid TOML: {exc}") from exc
    tables = data.get("sources")
    if not isinstance(tables, dict) or not tables:
        raise SourceError(f"{path} has no [sources.<id>] tables")
    return {sid: _source_from_table(sid, t) for sid, t in tables.items()}


__all__ = ["LEVELS", "Selectors", "Source", "builtin_sources", "load_sources_file"]
