"""Frozen records passed between stages.

Every fact carries its provenance: the character span in ``Document.text`` (``start``,
``end``), the ``surface`` found there, the index of the sentence that holds it, and the
versioned name of the extractor that produced it. ``doc.text[r.start:r.end] == r.surface``
holds for every fact record (a test checks it over every fixture).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Span(NamedTuple):
    """A sentence's offsets. Spans and tokens are named tuples, not frozen dataclasses: a
    document has thousands, and a tuple is several times cheaper to make."""

    start: int
    end: int


class Token(NamedTuple):
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Doc:
    """A document's stored text (NFC) with its sentences and tokens as offsets into it."""

    doc_id: str
    text: str
    title: str = ""
    published: dt.date | None = None
    sentences: tuple[Span, ...] = ()
    tokens: tuple[Token, ...] = ()
    nlp: Any = field(default=None, compare=False, repr=False)  # the spaCy Doc over the same tokens

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence that holds character ``offset`` (-1 when none does)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return mid
        return -1


@dataclass(frozen=True, slots=True)
class Fact:
    """Common provenance of every extracted record."""

    start: int
    end: int
    surface: str
    sentence: int
    extractor: str


@dataclass(frozen=True, slots=True)
class Quote(Fact):
    """A quoted span and the role its context gives it."""

    role: str  # campaign_theme | year_theme | phase_theme | movement | campaign | motto | spirit | contest | activity | other
    closed: bool = True
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Theme(Fact):
    kind: str  # campaign | year


@dataclass(frozen=True, slots=True)
class MovementMention(Fact):
    kind: str  # movement | campaign
    canonical: str = ""
    parent: str = ""
    launched_by: str = ""


@dataclass(frozen=True, slots=True)
class Phase(Fact):
    n: int
    start_date: str  # ISO date, YYYY-MM, or "launch"
    end_date: str
    theme: str = ""
    flagged: str = ""  # why the range looks wrong, "" when sane


@dataclass(frozen=True, slots=True)
class Anniversary(Fact):
    years: int
    event: str
    from_date: str = ""
    to_date: str = ""


@dataclass(frozen=True, slots=True)
class LegalRef(Fact):
    ref: str  # normalised, no spaces: "81/KH-TLĐ"
    ref_type: str  # plan | resolution | decree | directive | decision | law | other


@dataclass(frozen=True, slots=True)
class TopicHit(Fact):
    topic: str
    cue: str


@dataclass(frozen=True, slots=True)
class MetaField(Fact):
    """One campaign metadata field (issuer, level, province, year ...) and where it came from."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything the extractors found in one document."""

    doc_id: str
    quotes: tuple[Quote, ...] = ()
    themes: tuple[Theme, ...] = ()
    movements: tuple[MovementMention, ...] = ()
    phases: tuple[Phase, ...] = ()
    anniversaries: tuple[Anniversary, ...] = ()
    legal_refs: tuple[LegalRef, ...] = ()
    topics: tuple[TopicHit, ...] = ()
    meta: tuple[MetaField, ...] = ()

    def meta_value(self, name: str) -> str:
        for m in self.meta:
            if m.name == name:
                return m.value
        return ""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One HTTP response as the crawler archived it."""

    source_id: str
    url: str
    canonical_url: str
    kind: str  # article | listing | feed | sitemap | other
    fetched_at: dt.datetime
    http_status: int
    content_type: str
    etag: str
    last_modified: str
    content_hash: str
    content_length: int
    warc_file: str
    warc_offset: int
    warc_length: int


@dataclass(frozen=True, slots=True)
class Document:
    """Main text and metadata of one article page."""

    doc_id: str
    source_id: str
    url: str
    canonical_url: str
    content_hash: str
    title: str
    sapo: str
    author: str
    published: dt.date | None
    text: str
    extraction_method: str
    status: str = "ok"  # ok | empty


@dataclass(frozen=True, slots=True)
class Relevance:
    """The relevance model's verdict on one document (pipeline/classify). ``probability``
    and ``relevant`` are None when it was not scored, and ``status`` says why."""

    probability: float | None
    relevant: bool | None
    status: str  # scored | too_short | the document's own status (empty, binary, other_language, ...)
    model: str


@dataclass(frozen=True, slots=True)
class PipelineError:
    stage: str
    source_id: str
    url: str
    message: str
    error_type: str = ""
    doc_id: str = ""
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class ProcessSummary:
    """What became of the article pages a run processed (pipeline.process.process_pages)."""

    pages: int
    documents: int
    empty: int
    errors: int
    no_date: int = 0
    listings: int = 0
    other: tuple[tuple[str, int], ...] = ()  # (status, count) of binary, too_large, other_language pages
    relevant: int = 0  # documents the relevance model labelled relevant
    not_relevant: int = 0  # … and not relevant (the rest were not scored)
    after: str = ""  # when it stopped at its page budget: the URL to go on after; "" = it went through

    def __add__(self, later: ProcessSummary) -> ProcessSummary:
        """This run's figures and a later one's on the pages after it, as one summary."""
        other = Counter(dict(self.other)) + Counter(dict(later.other))
        sums = {f: getattr(self, f) + getattr(later, f) for f in _COUNTS}
        return ProcessSummary(**sums, other=tuple(other.items()), after=later.after)

    def describe(self) -> str:
        """One line for a run summary: what became of every page."""
        parts = [f"{self.empty} empty", *(f"{n} {status.replace('_', ' ')}" for status, n in self.other)]
        if self.listings:
            parts.append(f"{self.listings} listing or index pages")
        parts.append(f"{self.errors} errors")
        line = f"{self.pages} article pages → {self.documents} documents ({', '.join(parts)})"
        if self.relevant or self.not_relevant:
            line += f"; {self.relevant} campaign plans, {self.not_relevant} other pages (relevance model)"
        return line


Cursor = tuple[int, str]  # where a long extraction goes on: the index of a group of sources, the URL to go on after ("" = its start)


@dataclass(frozen=True, slots=True)
class ProcessPart:
    """What one part of a long extraction did (pipeline.process.process_part)."""

    summaries: tuple[tuple[int, ProcessSummary], ...]  # (group index, its pages in this part)
    next: Cursor | None  # where the next part starts; None: all done
    cache_hits: int = 0  # token cache: texts found there
    cache_misses: int = 0  # … and segmented


_COUNTS = ("pages", "documents", "empty", "errors", "no_date", "listings", "relevant", "not_relevant")
