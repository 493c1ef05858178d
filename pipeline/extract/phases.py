"""phases.v1 — the campaign's phases (đợt, giai đoạn): ordinal, start and end, the phase theme."""
from __future__ import annotations

import re

from pipeline.extract.dates import RANGE, parse_range
from pipeline.models import Doc, Phase, Quote

NAME = "phases.v1"
MARKER = re.compile(r"\b(?:[Đđ]ợt|[Gg]iai đoạn)\s*(?:thi đua\s*)?(?:thứ\s*)?(\d{1,2}|[IVX]{1,4}\d?|một|hai|ba)\b")
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
WORDS = {"một": 1, "hai": 2, "ba": 3}
REACH = 260  # characters after the marker in which its date range must start


def _ordinal(token: str, previous: int) -> int:
    if token.isdigit():
        return int(token)
    if token.lower() in WORDS:
        return WORDS[token.lower()]
    if token in ROMAN:
        return ROMAN[token]
    return previous + 1  # a typo such as "I1": the next phase


def extract_phases(doc: Doc, year: int | None, quotes: list[Quote]) -> list[Phase]:
    text = doc.text
    markers = list(MARKER.finditer(text))
    phases: list[Phase] = []
    seen: set[int] = set()
    for k, m in enumerate(markers):
        stop = markers[k + 1].start() if k + 1 < len(markers) else len(text)
        line_end = text.find("\n", m.end())
        stop = min(stop, m.end() + REACH, line_end if line_end >= 0 else len(text))
        segment = text[m.end() : stop]
        found = RANGE.search(segment)
        if not found or found.start() > 80:
            continue
        bounds = parse_range(found.group(0), year)
        if bounds is None:
            continue
        n = _ordinal(m.group(1), phases[-1].n if phases else 0)
        if n in seen:
            continue
        seen.add(n)
        a, b = bounds
        end = m.end() + found.end()
        theme = next(
            (q.surface for q in quotes if m.start() <= q.start < stop and q.role in ("phase_theme", "campaign_theme")),
            "",
        )
        flag = ""
        if a.value != "launch" and a.value[:7] > b.value[:7]:
            flag = "start after end"
        elif year is not None and not (year - 1 <= int(b.value[:4]) <= year + 1):
            flag = f"end outside campaign year {year}"
        phases.append(Phase(m.start(), end, text[m.start() : end], doc.sentence_of(m.start()), NAME,
                            n=n, start_date=a.value, end_date=b.value, theme=theme, flagged=flag))
    return phases
