"""Everything that comes from underthesea: word and sentence tokenisation with character
offsets, and the bundled 63→34 province mapping (vietnamadminunits data). The only module
that imports underthesea."""
from __future__ import annotations

import functools
import json
import re
from importlib import resources

from pipeline.models import Span, Token


def _align(text: str, pieces: list[str], start: int = 0) -> list[tuple[int, int, str]]:
    """Find each piece in ``text`` in order: (start, end, the text there). underthesea may
    change spaces inside a piece; such a piece is found word by word."""
    spans = []
    pos = start
    find = text.find
    for piece in pieces:
        p = find(piece, pos)
        if p >= 0 and (p == pos or text[pos:p].isspace()):  # the usual case: the piece as it stands
            pos = p + len(piece)
            spans.append((p, pos, piece))
            continue
        words = piece.split()
        if not words:
            continue
        first = find(words[0], pos)
        if first < 0:
            continue
        end = first
        for w in words:
            j = find(w, end)
            if j < 0:
                break
            end = j + len(w)
        spans.append((first, end, text[first:end]))
        pos = end
    return spans


def word_tokens(text: str) -> tuple[Token, ...]:
    """underthesea word segmentation without its token normalisation, aligned to offsets."""
    from underthesea import word_tokenize

    out: list[Token] = []
    for para_start, para in _paragraphs(text):
        pieces = word_tokenize(para, use_token_normalize=False)
        out.extend(Token(para_start + s, para_start + e, surface) for s, e, surface in _align(para, pieces))
    return tuple(out)


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Lines of the text with their offsets (underthesea ignores newlines, so split first)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


_SENT_END = re.compile(r"[.?!]")


def sentences(text: str) -> tuple[Span, ...]:
    """Sentence spans: lines first, then underthesea's sentence splitter inside each line.
    A line with no sentence-ending mark before its end is one sentence (the splitter would
    say so too; it is not asked)."""
    from underthesea import sent_tokenize

    out: list[Span] = []
    for line_start, line in _paragraphs(text):
        body = line.rstrip().rstrip(".?!")
        if _SENT_END.search(body) is None:
            lead = len(line) - len(line.lstrip())
            out.append(Span(line_start + lead, line_start + len(line.rstrip())))
            continue
        out.extend(Span(line_start + s, line_start + e) for s, e, _ in _align(line, sent_tokenize(line)))
    return tuple(out)


@functools.cache
def _admin_data() -> dict:
    path = resources.files("underthesea").joinpath("address/data/mapping.json")
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def provinces_2025() -> dict[str, str]:
    """Old province short name (63 of them) → the post-1 July 2025 province short name."""
    data = _admin_data()
    new_names = data["province_names"]
    return {
        info["short"]: new_names[data["province_mapping"][key]]["short"]
        for key, info in data["old_province_names"].items()
        if key in data["province_mapping"]
    }


@functools.cache
def districts() -> dict[str, tuple[str, ...]]:
    """Old district name without its prefix → the old provinces that had one by that name."""
    out: dict[str, set[str]] = {}
    olds = _admin_data()["old_province_names"]
    for rec in _admin_data()["ward_mapping"]:
        name = rec.get("old_district") or ""
        for prefix in ("Quận ", "Huyện ", "Thị xã ", "Thành phố "):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        prov = olds.get(rec["old_province_key"], {}).get("short", "")
        if name and prov:
            out.setdefault(name, set()).add(prov)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@functools.cache
def version() -> str:
    """underthesea's version: cached segmentations are keyed by it."""
    from importlib.metadata import version as dist_version

    return dist_version("underthesea")
