"""Grouping of movement names the registry does not know: proposals a person accepts.

For each unregistered name (a folded key the extractor found that no registry entry has),
compared with every registered name and alias:

- ``alias`` — the same movement written differently: equal once abbreviations are spelled
  out (CNVCLĐ, ATVSLĐ …), or a small spelling slip (a few characters, same words otherwise);
- ``variant`` — a movement of its own that belongs to a registered one (its parent): a local
  restatement (equal once place and scope words are set aside: "Bắc Kạn chung sức …" and
  "Cả nước chung sức …"), a local name that contains the registered one, a shortened form
  ("Lao động sáng tạo"), or wording close enough by character n-grams (TF-IDF cosine);
- ``group`` — unregistered names close to each other (same rules) become one new movement
  under the name most often used.

Proposals never merge two registered movements; the registry file is only appended to.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.canon.registry import Registry
from pipeline.text.normalize import fold
from pipeline.text.vn import districts, provinces_2025

# Abbreviations of union texts, spelled out in matching keys only (DOMAIN.md's list).
ABBREVIATIONS = {
    "cnvcld": "cong nhan vien chuc lao dong",
    "cbccvcld": "can bo cong chuc vien chuc lao dong",
    "cbcnvcld": "can bo cong nhan vien chuc lao dong",
    "cbcnv": "can bo cong nhan vien",
    "atvsld": "an toan ve sinh lao dong",
    "cdcs": "cong doan co so",
    "cdvc": "cong doan vien chuc",
    "ldld": "lien doan lao dong",
    "nld": "nguoi lao dong",
    "sxkd": "san xuat kinh doanh",
    "tdkt": "thi dua khen thuong",
}
# Words that say where or for whom, not what: set aside to compare a local restatement.
SCOPE = ("ca nuoc", "toan quoc", "viet nam", "thu do", "tren dia ban", "toan tinh", "toan thanh pho", "toan nganh",
         "tinh", "thanh pho", "huyen", "quan", "thi xa", "nganh", "cua")  # fmt: skip
TYPO_CHARS = 2  # a spelling slip: at most this many characters differ (same length ± this)
SIMILAR = 0.8  # TF-IDF cosine of character n-grams for "close wording"
MIN_SHORT_WORDS = 2


@dataclass(frozen=True, slots=True)
class Name:
    """One distinct movement name seen in documents, with what the store knows of it."""

    movement_id: str
    surface: str
    kind: str
    mentions: int
    registered: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    number: int
    action: str  # alias | variant | group
    names: tuple[str, ...]  # the unregistered names it concerns (most used first)
    target: str  # alias: the movement they are; variant: their parent; group: the new canonical name
    kind: str
    score: float
    reason: str


def key(name: str) -> str:
    """Folded, with abbreviations spelled out."""
    return " ".join(ABBREVIATIONS.get(w, w) for w in fold(name).split())


@functools.cache
def _places() -> re.Pattern[str]:
    names = {fold(p) for p in provinces_2025()} | {fold(d) for d in districts()} | set(SCOPE)
    alts = "|".join(sorted((re.escape(n) for n in names if n), key=len, reverse=True))
    return re.compile(rf"(?<!\S)(?:{alts})(?!\S)")


def scope_free(k: str) -> str:
    """A key with place names and scope words set aside."""
    return " ".join(_places().sub(" ", k).split())


def _contains(longer: str, shorter: str, min_words: int) -> bool:
    return len(shorter.split()) >= min_words and f" {shorter} " in f" {longer} "


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _compare(ku: str, kr: str, cosine: float) -> tuple[str, float, str] | None:
    """How an unregistered key relates to a registered one: (action, score, reason) or None."""
    if ku == kr:
        return "alias", 1.0, "the same words once abbreviations are spelled out"
    if cosine >= SIMILAR and (d := _edits(ku, kr, TYPO_CHARS)) <= TYPO_CHARS and len(ku.split()) == len(kr.split()):
        return "alias", 0.99 - 0.01 * d, f"spelling differs by {d} character(s)"
    su, sr = scope_free(ku), scope_free(kr)
    if su and su == sr:
        return "variant", 0.95, "a local restatement (equal once places and scope words are set aside)"
    if sr and _contains(su, sr, MIN_SHORT_WORDS + 1):
        return "variant", 0.9, "a longer local name that contains it"
    if su and _contains(sr, su, MIN_SHORT_WORDS):
        return "variant", 0.85, "a shortened form of it"
    if cosine >= SIMILAR:
        return "variant", round(cosine * 0.8, 3), f"close wording (character n-gram cosine {cosine:.2f})"
    return None


def _cosines(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
    """TF-IDF cosine of character n-grams (2–4, within words) between two lists of keys."""
    if not left or not right:
        return [[0.0] * len(right) for _ in left]
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))
    vec.fit([*left, *right])
    a, b = vec.transform(left), vec.transform(right)
    return (a @ b.T).toarray().tolist()  # rows are L2-normalised: the product is the cosine


def propose(names: Iterable[Name], registry: Registry) -> list[Proposal]:
    """Proposals for every unregistered name, best first within each action."""
    seen = list(names)
    unknown = sorted((n for n in seen if not n.registered and n.movement_id not in registry.movements), key=lambda n: (-n.mentions, n.surface))
    registered = [(m, name) for m in registry.movements.values() for name in (m.canonical, *m.aliases)]
    ukeys = [key(n.surface) for n in unknown]
    rkeys = [key(name) for _, name in registered]
    sims = _cosines(ukeys, rkeys)
    found: list[tuple[str, tuple[str, ...], str, str, float, str]] = []
    left: list[int] = []
    for i, n in enumerate(unknown):
        best: tuple[float, str, str, str] | None = None
        for j, (m, _) in enumerate(registered):
            hit = _compare(ukeys[i], rkeys[j], sims[i][j])
            if hit and (best is None or hit[1] > best[0]):
                best = (hit[1], hit[0], m.canonical, hit[2])
        if best is None:
            left.append(i)
            continue
        score, action, target, reason = best
        found.append((action, (n.surface,), target, n.kind, score, reason))
    found += _groups([unknown[i] for i in left], [ukeys[i] for i in left])
    order = {"alias": 0, "variant": 1, "group": 2}
    found.sort(key=lambda f: (order[f[0]], -f[4], f[2], f[1]))
    return [Proposal(k, *f) for k, f in enumerate(found, 1)]


def _groups(names: Sequence[Name], keys: Sequence[str]) -> list[tuple[str, tuple[str, ...], str, str, float, str]]:
    """Unregistered names close to each other: one new movement each, under the most used name."""
    sims = _cosines(keys, keys)
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    scores: dict[int, float] = {}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if names[i].kind != names[j].kind:
                continue
            hit = _compare(keys[i], keys[j], sims[i][j])
            if hit:
                a, b = root(i), root(j)
                parent[b] = a
                scores[a] = min(scores.get(a, 1.0), scores.pop(b, 1.0), hit[1])
    members: dict[int, list[int]] = {}
    for i in range(len(names)):
        members.setdefault(root(i), []).append(i)
    out = []
    for r, idx in members.items():
        if len(idx) < 2:
            continue
        ranked = sorted(idx, key=lambda i: (-names[i].mentions, names[i].surface))
        head = names[ranked[0]]
        out.append(("group", tuple(names[i].surface for i in ranked), head.surface, head.kind, scores.get(r, 1.0),
                    f"{len(idx)} unregistered names close to each other"))  # fmt: skip
    return out


def registry_entries(proposals: Sequence[Proposal], registry: Registry) -> str:
    """The TOML to append to the registry file for accepted proposals."""
    blocks = []
    for p in proposals:
        if p.action == "alias":
            blocks.append(f"[[alias]]  # proposal {p.number}: {p.reason}\nof = {_q(p.target)}\nnames = [{', '.join(_q(n) for n in p.names)}]\n")
        elif p.action == "variant":
            blocks.append(
                f"[[movement]]  # proposal {p.number}: {p.reason}\ncanonical = {_q(p.names[0])}\nkind = {_q(p.kind)}\nparent = {_q(p.target)}\n"
            )
        else:
            others = ", ".join(_q(n) for n in p.names[1:])
            blocks.append(f"[[movement]]  # proposal {p.number}: {p.reason}\ncanonical = {_q(p.target)}\nkind = {_q(p.kind)}\naliases = [{others}]\n")
    return "\n".join(blocks)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
