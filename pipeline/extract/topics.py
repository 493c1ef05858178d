"""topics.v1 — codebook topics per sentence from an editable rule file, with the cue that fired."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.models import Doc, TopicHit
from pipeline.text.normalize import fold_aligned

NAME = "topics.v1"
WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class TopicRules:
    """Cues by topic, folded, indexed by their first word for one pass over a document."""

    topics: tuple[str, ...]
    by_first_word: dict[str, tuple[tuple[str, str], ...]]  # first word → ((cue, topic), ...) longest first

    @classmethod
    def from_file(cls, path: Path) -> TopicRules:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        index: dict[str, list[tuple[str, str]]] = {}
        topics = []
        for topic, table in data.items():
            cues = {fold_aligned(c.strip()) for c in table.get("cues", []) if c.strip()}
            if cues:
                topics.append(topic)
            for cue in cues:
                first = WORD.match(cue)
                if first is not None:
                    index.setdefault(first.group(0), []).append((cue, topic))
        by_first = {w: tuple(sorted(v, key=lambda ct: -len(ct[0]))) for w, v in index.items()}
        return cls(tuple(topics), by_first)


def extract_topics(doc: Doc, rules: TopicRules) -> list[TopicHit]:
    """The first cue of each topic in each sentence: one pass over the words of the text,
    each word looked up among the cues that start with it (whole words, marks and case folded)."""
    folded = fold_aligned(doc.text)
    hits: dict[tuple[int, str], TopicHit] = {}
    for w in WORD.finditer(folded):
        candidates = rules.by_first_word.get(w.group(0))
        if not candidates:
            continue
        start = w.start()
        for cue, topic in candidates:
            end = start + len(cue)
            if not folded.startswith(cue, start) or (end < len(folded) and (folded[end].isalnum() or folded[end] == "_")):
                continue
            idx = doc.sentence_of(start)
            if idx < 0 or end > doc.sentences[idx].end or (idx, topic) in hits:
                continue
            hits[(idx, topic)] = TopicHit(start, end, doc.text[start:end], idx, NAME, topic=topic, cue=cue)
    order = {topic: i for i, topic in enumerate(rules.topics)}
    return sorted(hits.values(), key=lambda h: (h.sentence, order[h.topic]))
