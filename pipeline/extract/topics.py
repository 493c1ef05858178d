"""topics.v1 — codebook topics per sentence from an editable rule file, with the cue that fired."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.models import Doc, TopicHit
from pipeline.text.normalize import fold_aligned, strip_marks

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
                pats.append((topic, re.compile(rf"\b{_trie_pattern(cues)}(?!\w)")))
        return cls(tuple(pats))


def _trie_pattern(words: list[str]) -> str:
    """One regex for many cues, as a prefix tree: ``re`` tries a flat alternation branch by
    branch at every position, a tree only along the text's own prefix. Longest cue first."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + build(trie) + ")"


def extract_topics(doc: Doc, rules: TopicRules) -> list[TopicHit]:
    """The first cue of each topic in each sentence."""
    folded = fold_aligned(doc.text)
    hits: dict[tuple[int, str], TopicHit] = {}
    for topic, pat in rules.patterns:
        for m in pat.finditer(folded):
            idx = doc.sentence_of(m.start())
            if idx < 0 or m.end() > doc.sentences[idx].end or (idx, topic) in hits:
                continue
            start, end = m.start(), m.end()
            hits[(idx, topic)] = TopicHit(start, end, doc.text[start:end], idx, NAME, topic=topic, cue=m.group(0))
    order = {topic: i for i, (topic, _) in enumerate(rules.patterns)}
    return sorted(hits.values(), key=lambda h: (h.sentence, order[h.topic]))
