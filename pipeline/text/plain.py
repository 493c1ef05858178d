"""A page saved as plain text (copied from a browser, a text dump) → main text and metadata.

Such text still carries the page's furniture: a site header and clock above the title,
share buttons, "related articles" teasers, visit counters below the body. There is no
markup to tell them apart, so the reader goes by the shape of the lines:

- the body ends at the first furniture heading after it starts (a short line without
  sentence punctuation naming a page section: related, most read, share, counters ...) or
  at the first teaser card (a short line repeated right below itself, as news lists print
  a headline over its link);
- the title is the first line near the top that reads as a headline (enough words, no
  clock or date, not a greeting); a short document-type line above it ("KẾ HOẠCH") joins it;
- a byline is a short name on the last line of the body;
- the page date is a date near the top that a publishing cue introduces ("Cập nhật lúc",
  "Ngày đăng"); a bare clock in a site header is not the page's date.
"""
from __future__ import annotations

import datetime as dt
import re

from pipeline.text.html import MainText
from pipeline.text.normalize import clean

# Section headings of page furniture (matched on a whole short line).
FURNITURE_HEADING = re.compile(
    r"^(?:các |những )?(?:tin|bài|bài viết|bài tin)(?: \w+)? (?:liên quan|cùng chuyên mục|khác|mới(?: nhất)?|đọc nhiều|xem nhiều|nổi bật)\b"
    r"|^(?:có thể bạn quan tâm|nên xem|xem thêm|đọc thêm|tin đọc nhiều|tin xem nhiều|đọc nhiều|xem nhiều|chia sẻ|share|bình luận"
    r"|ý kiến bạn đọc|gửi ý kiến|lượt truy cập|thống kê truy cập|số lượt truy cập|đang truy cập|view counter|views? today"
    r"|về đầu|lên đầu trang|in bài|in\b|liên kết website|liên kết|từ khóa|từ khoá|tags?|phiên bản di động|skip to content"
    r"|trở về|quay lại|bản quyền|copyright)\b",
    re.I,
)
HEADING_MAX_WORDS = 6
TITLE_MIN_WORDS = 5
TITLE_MAX_WORDS = 45
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b")
GREETING = re.compile(r"^(?:chào mừng|welcome|xin chào)\b", re.I)
DOC_TYPE = re.compile(r"^(?:kế hoạch|thông báo|chỉ thị|nghị quyết|quyết định|hướng dẫn|công văn|lời kêu gọi)$", re.I)
PUBLISH_CUE = re.compile(
    r"(?:cập nhật|đăng|ngày đăng|đăng ngày|đăng lúc|xuất bản|thời gian đăng|posted|published|updated)\D{0,20}?"
    r"(?:(\d{1,2}):(\d{2})\D{1,5})?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})",
    re.I,
)
BYLINE = re.compile(r"^[A-ZÀ-Ỹ][\wÀ-ỹ]*(?: [A-ZÀ-Ỹ][\wÀ-ỹ]*){1,3}$")
SIGNATURE = re.compile(r"\b(?:[Kk]ý|CHỦ TỊCH|TM\.|KT\.|TL\.|GIÁM ĐỐC|TRƯỞNG BAN)|^\(.*\)$")
TOP_LINES = 8  # the title and the date are looked for in this many non-empty lines


def _words(line: str) -> int:
    """Words with a letter or digit in them ("Thi đua - Khen thưởng" has four)."""
    return sum(1 for w in line.split() if any(c.isalnum() for c in w))


def _is_furniture_heading(line: str) -> bool:
    text = line.strip().rstrip(":：|").strip()
    return bool(text) and _words(text) <= HEADING_MAX_WORDS and not text.endswith(".") and FURNITURE_HEADING.match(text) is not None


def _teaser_at(lines: list[str], i: int) -> bool:
    """A headline printed twice in a row (image link, then text link) starts a teaser list."""
    line = lines[i].strip()
    if not line or _words(line) > 30 or line.endswith((".", ":")):
        return False
    nxt = [ln.strip() for ln in lines[i + 1 : i + 4] if ln.strip()]
    return bool(nxt) and nxt[0] == line


def _title_index(lines: list[str], top: list[int]) -> int | None:
    for i in top:
        line = lines[i].strip()
        if (
            TITLE_MIN_WORDS <= _words(line) <= TITLE_MAX_WORDS
            and not line.endswith(".")  # a headline has no full stop; a paragraph does
            and not CLOCK.search(line[:40])
            and not GREETING.match(line)
            and not _is_furniture_heading(line)
        ):
            return i
    return None


def _published(lines: list[str], top: list[int]) -> dt.date | None:
    for i in top:
        m = PUBLISH_CUE.search(lines[i])
        if m:
            try:
                return dt.date(int(m.group(5)), int(m.group(4)), int(m.group(3)))
            except ValueError:
                continue
    return None


def read_plain(raw: str) -> MainText:
    lines = clean(raw).split("\n")
    nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
    top = nonempty[:TOP_LINES]
    published = _published(lines, top)
    t = _title_index(lines, top)
    title = ""
    start = 0
    if t is not None:
        title = lines[t].strip()
        start = t + 1
        above = [i for i in nonempty if i < t]
        if above and DOC_TYPE.match(lines[above[-1]].strip()):
            title = f"{lines[above[-1]].strip()} {title}"
    end = len(lines)
    for i in range(start, len(lines)):
        if _is_furniture_heading(lines[i]) or _teaser_at(lines, i):
            end = i
            break
    body_lines = lines[start:end]
    while body_lines and not body_lines[-1].strip():
        body_lines.pop()
    body = "\n".join(body_lines).strip()
    return MainText(title, "", _byline(body_lines), published, body, "plain text")


def _byline(body_lines: list[str]) -> str:
    """A short name closing the body, unless it closes a signature block (then it is the signatory)."""
    filled = [ln.strip() for ln in body_lines if ln.strip()]
    if len(filled) < 2 or not BYLINE.match(filled[-1]) or _words(filled[-1]) > 4:
        return ""
    above = filled[-2]
    if _words(above) <= 8 and SIGNATURE.search(above):
        return ""
    return filled[-1]
