"""Crawler traps: URLs a polite crawler does not follow (calendars, endless query strings,
self-repeating paths). Each rule is generic; none names a site."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

MAX_URL = 400
MAX_PARAMS = 4
MAX_DEPTH = 10
CALENDAR_KEYS = {"date", "day", "month", "year", "ngay", "thang", "nam", "cal", "calendar", "lich", "d", "m", "y", "week", "tuan"}
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


def trap_reason(url: str, this_year: int) -> str:
    """Why ``url`` looks like a trap, or "" when it does not."""
    if len(url) > MAX_URL:
        return "URL too long"
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if len(params) > MAX_PARAMS:
        return "too many query parameters"
    if any(k.lower() in CALENDAR_KEYS for k, _ in params):
        return "calendar parameter"
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > MAX_DEPTH:
        return "path too deep"
    if any(segments.count(s) >= 3 for s in set(segments)):
        return "repeating path"
    # a path segment or query value that is a bare year: /su-kien/2099/, ?p=2099 (ids like -1225.html are not)
    years = [int(v) for v in [*segments, *(v for _, v in params)] if _YEAR.fullmatch(v)]
    if any(y > this_year + 1 or y < 1945 for y in years):
        return "implausible year (calendar?)"
    return ""
