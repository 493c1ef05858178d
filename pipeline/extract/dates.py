"""Vietnamese date expressions found on characters (tokenisers split them apart).

A parsed bound is an ISO date ("2021-06-30"), a month ("2021-01") or "launch"
("từ khi phát động", "từ nay"). "Hết năm 2024" is the year's last day. A missing year is
filled from a default year (a range's first bound takes its second bound's year).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_NUM_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?"
_WORD_DATE = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?"
_MONTH = r"tháng\s+(\d{1,2})(?:\s*[/.-]\s*|\s+năm\s+)(\d{4})"
_BARE_MONTH = r"tháng\s+(\d{1,2})(?!\s*[/.-]?\s*\d)(?!\s+năm\s+\d)"  # "từ tháng 3 đến tháng 7-2022"
_YEAR_END = r"hết\s+năm\s+(\d{4})"
_LAUNCH = r"(?:khi|ngày)\s+(?:phát động|ban hành|triển khai)|(?<=từ\s)nay"

BOUND = re.compile(
    rf"(?P<launch>{_LAUNCH})|(?P<yearend>{_YEAR_END})|(?P<month>{_MONTH})|(?P<bare_month>{_BARE_MONTH})"
    rf"|(?P<word>{_WORD_DATE})|(?:ngày\s+)?(?P<num>{_NUM_DATE})",
    re.I,
)
_ANY_BOUND = re.sub(r"\(\?P<\w+>", "(?:", BOUND.pattern)
RANGE = re.compile(
    rf"(?:từ\s+(?:ngày\s+)?)?(?P<a>{_ANY_BOUND})\s*(?:đến|tới|–|-|—)\s*(?:hết\s+(?!năm))?(?:ngày\s+)?(?P<b>{_ANY_BOUND})",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Bound:
    value: str  # ISO date, YYYY-MM, or "launch"
    precision: str  # day | month | launch
    year_given: bool


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_bound(s: str, default_year: int | None) -> Bound | None:
    if s.strip().lower() == "nay":  # "từ nay": from now, i.e. from the launch
        return Bound("launch", "launch", True)
    m = BOUND.fullmatch(s.strip())
    if not m:
        return None
    if m.group("launch"):
        return Bound("launch", "launch", True)
    nums = re.findall(r"\d+", m.group(0))
    if m.group("yearend"):
        return Bound(f"{int(nums[0]):04d}-12-31", "day", True)
    if m.group("bare_month"):
        month = int(nums[0])
        if default_year is None or not 1 <= month <= 12:
            return None
        return Bound(f"{default_year:04d}-{month:02d}", "month", False)
    if m.group("month"):
        month, month_year = int(nums[0]), int(nums[1])
        return Bound(f"{month_year:04d}-{month:02d}", "month", True) if 1 <= month <= 12 else None
    day, month = int(nums[0]), int(nums[1])
    year: int | None = int(nums[2]) if len(nums) > 2 else default_year
    if year is None:
        return None
    iso = _iso(year, month, day)
    return Bound(iso, "day", len(nums) > 2) if iso else None


def parse_range(s: str, default_year: int | None) -> tuple[Bound, Bound] | None:
    """'từ 01/7 đến 31/12/2021' → two bounds; a year missing on the first is taken from the second."""
    m = RANGE.search(s)
    if not m:
        return None
    # "đến hết tháng 6/2016" names a month, not a day: a month bound, as the codebook has it
    b = parse_bound(m.group("b"), default_year)
    a = parse_bound(m.group("a"), int(b.value[:4]) if b and b.value[:4].isdigit() else default_year)
    return (a, b) if a and b else None
