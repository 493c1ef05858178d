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


def trie_pattern(words: list[str]) -> str:
    """One regex alternation of ``words`` as a prefix tree ("lao dong", "lao dong gioi" →
    "lao dong(?: gioi)?"-like): the engine then tries a few characters at a position, not
    every word."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)


@dataclass(frozen=True, slots=True)
class TopicRules:
    """Cues by topic, folded, as one prefix-tree pattern over a whole document."""

    topics: tuple[str, ...]
    # a cue → every (cue, topic) that it and the cues that are its whole-word beginnings give
    within: dict[str, tuple[tuple[str, str], ...]]
    # where a cue starts, capturing the longest cue there (zero-width: cues inside cues count too)
    starts: re.Pattern[str]

    @classmethod
    def from_file(cls, path: Path) -> TopicRules:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        pairs: set[tuple[str, str]] = set()
        topics = []
        for topic, table in data.items():
            cues = {fold_aligned(c.strip()) for c in table.get("cues", []) if c.strip()}
            if cues:
                topics.append(topic)
            pairs |= {(cue, topic) for cue in cues if WORD.search(cue)}
        every = sorted({cue for cue, _ in pairs})
        within = {
            longest: tuple(sorted(((c, t) for c, t in pairs if longest == c or longest.startswith(c + " ")), key=lambda ct: (-len(ct[0]), ct)))
            for longest in every
        }
        starts = re.compile(rf"(?<!\w)(?=({trie_pattern(every)})(?!\w))") if every else re.compile(r"(?!x)x")
        return cls(tuple(topics), within, starts)


def extract_topics(doc: Doc, rules: TopicRules) -> list[TopicHit]:
    """The first cue of each topic in each sentence: one regex pass (a prefix tree of every
    cue) finds where cues start and the longest cue there; that cue and the cues it begins
    with fire (whole words, marks and case folded)."""
    folded = fold_aligned(doc.text)
    hits: dict[tuple[int, str], TopicHit] = {}
    for m in rules.starts.finditer(folded):
        start = m.start()
        idx = doc.sentence_of(start)
        if idx < 0:
            continue
        sentence_end = doc.sentences[idx].end
        for cue, topic in rules.within[m.group(1)]:
            end = start + len(cue)
            if end > sentence_end or (idx, topic) in hits:
                continue
            hits[(idx, topic)] = TopicHit(start, end, doc.text[start:end], idx, NAME, topic=topic, cue=cue)
    order = {topic: i for i, topic in enumerate(rules.topics)}
    return sorted(hits.values(), key=lambda h: (h.sentence, order[h.topic]))
