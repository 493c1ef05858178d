"""Extractors: pure functions Doc → records, registered under versioned names.

``extract_all`` runs them in order (metadata first: phases need the campaign year) and
returns one Extraction. No I/O here; rules are passed in.
"""
from __future__ import annotations

from pipeline.extract.campaign import NAME as CAMPAIGN
from pipeline.extract.campaign import extract_campaign
from pipeline.extract.phases import NAME as PHASES
from pipeline.extract.phases import extract_phases
from pipeline.extract.quotes import NAME as QUOTES
from pipeline.extract.quotes import extract_quotes
from pipeline.extract.references import (
    ANNIV_NAME,
    LEGAL_NAME,
    extract_anniversaries,
    extract_legal_refs,
)
from pipeline.extract.topics import NAME as TOPICS
from pipeline.extract.topics import TopicRules, extract_topics
from pipeline.models import Doc, Extraction, MovementMention, Quote, Theme

MOVEMENTS = "movements.v1"
THEMES = "themes.v1"
EXTRACTORS = (QUOTES, MOVEMENTS, THEMES, PHASES, CAMPAIGN, ANNIV_NAME, LEGAL_NAME, TOPICS)

THEME_ROLES = {"campaign_theme": "campaign", "year_theme": "year"}
MOVEMENT_ROLES = {"movement": "movement", "campaign": "campaign"}


def movements_from_quotes(quotes: list[Quote]) -> list[MovementMention]:
    return [
        MovementMention(q.start, q.end, q.surface, q.sentence, MOVEMENTS, kind=MOVEMENT_ROLES[q.role])
        for q in quotes
        if q.role in MOVEMENT_ROLES
    ]


def themes_from_quotes(quotes: list[Quote]) -> list[Theme]:
    return [Theme(q.start, q.end, q.surface, q.sentence, THEMES, kind=THEME_ROLES[q.role]) for q in quotes if q.role in THEME_ROLES]


def extract_all(doc: Doc, topic_rules: TopicRules) -> Extraction:
    meta = extract_campaign(doc)
    year_field = next((m.value for m in meta if m.name == "year"), "")
    year = int(year_field) if year_field.isdigit() else None
    quotes = extract_quotes(doc)
    return Extraction(
        doc_id=doc.doc_id,
        quotes=tuple(quotes),
        themes=tuple(themes_from_quotes(quotes)),
        movements=tuple(movements_from_quotes(quotes)),
        phases=tuple(extract_phases(doc, year, quotes)),
        anniversaries=tuple(extract_anniversaries(doc)),
        legal_refs=tuple(extract_legal_refs(doc)),
        topics=tuple(extract_topics(doc, topic_rules)),
        meta=tuple(meta),
    )


__all__ = ["EXTRACTORS", "TopicRules", "extract_all"]
