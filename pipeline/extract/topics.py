"""topics.v1 — codebook topics per sentence from an editable rule file, with the cue that fired."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.models import Doc, TopicHit
from pipeline.text.normalize import strip_marks

NAME = "topics.v1"


@dataclass(frozen=True, slots=True)
class TopicRules:
    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def from_file(cls, path: Path) -> TopicRules:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        pats = []
        for topic, table in data.items():
            cues = sorted({strip_marks(c).lower() for c in table.get("cues", [])}, key=len, reverse=True)
            if cues:
                alt = "|".join(re.escape(c) for c in cues)
                pats.append((topic, re.compile(rf"(?<!\w)(?:{alt})(?!\w)")))
        return cls(tuple(pats))


def extract_topics(doc: Doc, rules: TopicRules) -> list[TopicHit]:
    """The first cue of each topic in each sentence."""
    folded = strip_marks(doc.text).lower()  # same length as the text
    out: list[TopicHit] = []
    spans = doc.sentences or ()
    for idx, s in enumerate(spans):
        chunk = folded[s.start : s.end]
        for topic, pat in rules.patterns:
            m = pat.search(chunk)
            if m:
                start, end = s.start + m.start(), s.start + m.end()
                out.append(TopicHit(start, end, doc.text[start:end], idx, NAME, topic=topic, cue=m.group(0)))
    return out
