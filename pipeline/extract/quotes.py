"""quotes.v1 — every quoted span, however it is quoted, and the role its context gives it.

Handles “…”, "…", “…", ‘…”, quotes left unclosed (they run to the end of their clause),
quotes nested in a quoted statement, and lists after one cue: phong trào “A”; “B” và “C”.
Roles: campaign_theme, year_theme, phase_theme, movement, campaign, motto, spirit, contest,
activity, other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.models import Doc, Quote
from pipeline.text.normalize import fold_aligned

NAME = "quotes.v1"
OPENERS = "“‘"
CLOSERS = "”’"
STRAIGHT = '"'
QUOTE_CHARS = re.compile("[“‘”’\"]")

# Cues, in folded form (lower case, no marks), and the role each gives a quote after it.
CUES: tuple[tuple[str, str], ...] = (
    ("cuoc van dong", "campaign"),
    ("phong trao", "movement"),
    ("phuong cham", "motto"),
    ("muc tieu", "motto"),
    ("khau hieu", "motto"),
    ("thong diep", "motto"),
    ("tinh than", "spirit"),
    ("hoi thi", "contest"),
    ("cuoc thi", "contest"),
    ("hoi thao", "contest"),
    ("giai thuong", "other"),
    ("danh hieu", "other"),
    ("chuong trinh", "activity"),
    ("ngay hoi", "activity"),
    ("thang hanh dong", "activity"),
    ("chu de", "theme"),
)
THEME_REACH = 90  # a "chủ đề" cue this close before the quote wins over nearer cues
LIST_GAP = re.compile(r"^[\s;,:\-–—”\"’]*(?:(?:và|cùng|hoặc)\s*)?[\s;,:\-–—]*$", re.I)
PHASE_CUE = re.compile(r"\b(dot|giai doan)\s*(\d+|[ivx]+\d?)\b")
YEAR_THEME_AFTER = re.compile(r"^\s*(cua\s+)?(nam|cong tac|hoat dong)\b")
CLAUSE_END = re.compile(r"[;.!?\n“]")
# An unclosed quote also ends where the sentence moves on: to another cue ("và chủ đề năm
# ...") or to the body the quoted words belong to ("... của Tổng Liên đoàn ...").
UNCLOSED_END = re.compile(
    r"\s+(?:(?:và|cùng|với|gắn với)\s+(?:chủ đề|phong trào|cuộc vận động|khẩu hiệu|phương châm)\b"
    r"|của\s+(?:Tổng Liên đoàn|Liên đoàn|Công đoàn|Đảng bộ|Thành ủy|Tỉnh ủy|Huyện ủy|Quận ủy|Ủy ban|UBND|Ban Thường vụ|Ban Chấp hành|"
    r"thành phố|tỉnh|quận|huyện|ngành)\b)",
    re.I,
)
# A movement cue right before the quote ("phong trào thi đua như: “") beats a theme cue further back.
ADJACENT_MOVEMENT = re.compile(r"(?:phong trao|cuoc van dong)(?:\s+thi dua)?(?:\s+yeu nuoc)?\s*(?:nhu|gom|sau day|sau)?\s*:?\s*$")
# "Thi đua “A”, “B”": the verb alone names movements when it stands right before the quote.
ADJACENT_EMULATION = re.compile(r"(?:^|[\s.;:(])thi dua\s*:?\s*$")
MAX_NAME_WORDS = 40


@dataclass(slots=True)
class _Open:
    pos: int
    char: str


def _is_word(c: str) -> bool:
    return c.isalnum()


def _straight_is_opener(text: str, i: int, stack: list[_Open]) -> bool:
    """A straight quote opens after a space, bracket or colon and before a letter; it
    closes after a letter or punctuation; otherwise it closes whatever is open."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if _is_word(before) or before in ".,;!?)…":
        return False
    if _is_word(after):
        return True
    return not stack


def find_spans(text: str) -> list[tuple[int, int, bool]]:
    """(content start, content end, closed) of every quote, in text order."""
    spans: list[tuple[int, int, bool]] = []
    pos = 0
    for para in text.split("\n"):
        stack: list[_Open] = []
        for qm in QUOTE_CHARS.finditer(para):
            j, c = qm.start(), qm.group(0)
            i = pos + j
            if c in OPENERS:
                stack.append(_Open(i, c))
            elif c in CLOSERS or c == STRAIGHT:
                if c == STRAIGHT and _straight_is_opener(text, i, stack):
                    stack.append(_Open(i, c))
                elif stack:
                    o = stack.pop()
                    spans.append((o.pos + 1, i, True))
                elif c == "’" and j > 0 and _is_word(para[j - 1]):
                    continue  # an apostrophe
        for o in stack:  # unclosed: run to the end of the clause
            rest = text[o.pos + 1 : pos + len(para)]
            cut = [m.start() for m in (CLAUSE_END.search(rest), UNCLOSED_END.search(rest)) if m is not None]
            end = o.pos + 1 + min(cut, default=len(rest))
            spans.append((o.pos + 1, end, False))
        pos += len(para) + 1
    out = []
    for s, e, closed in sorted(spans):
        while s < e and text[s].isspace():
            s += 1
        while e > s and (text[e - 1].isspace() or (not closed and text[e - 1] in ",")):
            e -= 1
        if e - s >= 2:
            out.append((s, e, closed))
    return out


def _role(folded: str, text: str, start: int, window_start: int, prev: Quote | None, quote_text: str) -> str:
    before = folded[window_start : start - 1]
    before = before[before.rfind(";") + 1 :]  # a cue speaks for its own clause only
    if prev is not None and prev.role in ("movement", "campaign", "motto", "contest", "activity"):
        if LIST_GAP.match(text[prev.end : start - 1]):
            return prev.role
    if quote_text[:6].lower().startswith("tháng "):
        return "activity"
    best, best_pos = "other", -1
    theme_pos = before.rfind("chu de")
    for cue, role in CUES:
        p = before.rfind(cue)
        if p > best_pos:
            best, best_pos = role, p
    if ADJACENT_MOVEMENT.search(before):
        return best if best in ("movement", "campaign") and len(quote_text.split()) <= MAX_NAME_WORDS else "other"
    if best == "other" and ADJACENT_EMULATION.search(before) and len(quote_text.split()) <= MAX_NAME_WORDS:
        return "movement"
    if theme_pos >= 0 and len(before) - theme_pos <= THEME_REACH:
        best, best_pos = "theme", theme_pos
    if best == "theme":
        if PHASE_CUE.search(before) or PHASE_CUE.search(folded[max(0, window_start - 40) : window_start]):
            return "phase_theme"
        return "year_theme" if YEAR_THEME_AFTER.match(before[best_pos + len("chu de") :]) else "campaign_theme"
    if best in ("movement", "campaign") and len(quote_text.split()) > MAX_NAME_WORDS:
        return "other"
    return best


def extract_quotes(doc: Doc) -> list[Quote]:
    text = doc.text
    folded = fold_aligned(text)  # same length as text: offsets carry over
    spans = find_spans(text)
    quotes: list[Quote] = []
    for s, e, closed in spans:
        depth = sum(1 for s2, e2, _ in spans if s2 < s and e <= e2 and (s2, e2) != (s, e))
        sent = doc.sentence_of(s)
        sent_start = doc.sentences[sent].start if sent >= 0 else text.rfind("\n", 0, s) + 1
        outer = [s2 for s2, e2, _ in spans if s2 < s and e <= e2]
        window_start = max([sent_start, *outer, *(q.end + 1 for q in quotes if q.end < s)])
        prev = next((q for q in reversed(quotes) if q.end < s), None)
        role = _role(folded, text, s, window_start, prev, text[s:e])
        quotes.append(Quote(s, e, text[s:e], sent, NAME, role=role, closed=closed, depth=depth))
    return quotes
