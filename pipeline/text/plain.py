"""A page saved as plain text (copied from a browser, a text dump) → main text and metadata.

Such text still carries the page's furniture: a site banner, menus, breadcrumbs and a clock
above the title, a byline and counters under it, "related articles" lists and visit
counters below the body. There is no markup to tell them apart, so the reader goes by the
shape of each line:

- furniture lines: menus and breadcrumbs (items between "|", "»", "›", ">", "/", or laid
  out with runs of spaces), a site banner (names a portal or newspaper, or sits right above
  a menu), date and clock lines, tools and counters ("Lượt xem", "Cỡ chữ", "Đăng nhập");
- the title is a line near the top that reads as a headline (enough words, no full stop,
  no clock, not furniture); one that stands as a paragraph of its own is preferred, and a
  short document-type line above it ("KẾ HOẠCH") joins it;
- the lines right under the title that are a byline, a date or counters are not body: the
  page's date and the author are read from them;
- the body ends at the first furniture heading after it starts (related, most read, other
  documents, attachments, counters ...) or at the first teaser card (a short line repeated
  right below itself, as news lists print a headline over its link);
- without a byline under the title, a short name on the last line of the body is one;
- the page date is a date near the top that a publishing cue introduces ("Cập nhật lúc",
  "Ngày đăng") or a date line under the title; a bare clock in a site header above the
  title is not the page's date.
"""
from __future__ import annotations

import datetime as dt
import re

from pipeline.text.html import MainText
from pipeline.text.normalize import clean_chars, clean_line

# Section headings of page furniture (matched on a whole short line).
FURNITURE_HEADING = re.compile(
    r"^(?:các |những )?(?:tin|bài|bài viết|bài tin|tin bài|tin tức|văn bản|thông báo|tin, bài|tin/bài|tin - bài)(?: \w+)?"
    r" (?:liên quan|cùng chuyên mục|khác|mới(?: nhất)?|đọc nhiều|xem nhiều|nổi bật|đã đưa|đã đăng|trước|tiếp theo)\b"
    r"|^(?:có thể bạn quan tâm|nên xem|xem thêm|đọc thêm|tin đọc nhiều|tin xem nhiều|đọc nhiều|xem nhiều|chia sẻ|share|bình luận"
    r"|ý kiến bạn đọc|gửi ý kiến|lượt truy cập|thống kê truy cập|số lượt truy cập|đang truy cập|view counter|views? today"
    r"|về đầu|lên đầu trang|in bài|in\b|liên kết website|liên kết|từ khóa|từ khoá|tags?|phiên bản di động|skip to content"
    r"|trở về|quay lại|bản quyền|copyright|©)",
    re.I,
)
ATTACHMENT = re.compile(r"^(?:file |tệp |tài liệu )?(?:đính kèm|tải về|download)\b", re.I)
HEADING_MAX_WORDS = 6
BODY_BEFORE_ATTACHMENT = 40  # words: an attachment line after fewer is above the text, after more it closes it
TITLE_MIN_WORDS = 5
TITLE_MAX_WORDS = 45
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b")
DATE = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")
TIME_ZONE = re.compile(r"\bGMT\s*[+-]\s*\d|\bUTC\s*[+-]\s*\d")
GREETING = re.compile(r"^(?:chào mừng|welcome|xin chào)\b", re.I)
DOC_TYPE = re.compile(r"^(?:kế hoạch|thông báo|chỉ thị|nghị quyết|quyết định|hướng dẫn|công văn|lời kêu gọi)$", re.I)
PUBLISH_CUE = re.compile(
    r"(?:cập nhật|đăng|ngày đăng|đăng ngày|đăng lúc|xuất bản|thời gian đăng|posted|published|updated)\D{0,20}?"
    r"(?:(\d{1,2}):(\d{2})\D{1,5})?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})",
    re.I,
)
NAME = r"[A-ZÀ-ỸĐ][\wÀ-ỹ]*(?: [A-ZÀ-ỸĐ][\wÀ-ỹ]*){1,3}"
BYLINE = re.compile(rf"^({NAME})(?: \([^()]{{2,60}}\))?$")
AUTHOR_CUE = re.compile(rf"(?:bài và ảnh|bài, ảnh|bài|tác giả|người viết|theo)\s*:\s*({NAME})\b", re.I)
AFTER_DATE_NAME = re.compile(rf"\d[\d:/.\s-]*(?:GMT\+?\d+)?\s*\|\s*({NAME})\s*$")
SIGNATURE = re.compile(r"\b(?:[Kk]ý|CHỦ TỊCH|TM\.|KT\.|TL\.|GIÁM ĐỐC|TRƯỞNG BAN)|^\(.*\)$")
# Separators of menu items and breadcrumbs, and words that name a site rather than an article.
MENU_SEP = re.compile(r"(?:^|\s)[|»›>/•·](?=\s|$)")
SITE_WORDS = re.compile(r"cổng thông tin|trang thông tin|trang tin|báo điện tử|tạp chí điện tử|website|\bportal\b", re.I)
TOOLS = re.compile(
    r"^(?:lượt xem|lượt đọc|số lần xem|cỡ chữ|đăng nhập|đăng ký|tìm kiếm|english|tiếng việt|bạn đang ở|hôm nay|"
    r"chia sẻ|in bài|gửi bài|lưu bài|font|a-|aa)\b",
    re.I,
)
TOP_LINES = 14  # the title and the date are looked for in this many non-empty lines
BODY_PARAGRAPH_WORDS = 25  # a line this long with a full stop is body text: the title is above it


def _words(line: str) -> int:
    """Words with a letter or digit in them ("Thi đua - Khen thưởng" has four)."""
    return sum(1 for w in line.split() if any(c.isalnum() for c in w))


def _is_attachment(line: str) -> bool:
    return ATTACHMENT.match(line.strip()) is not None


def _is_furniture_heading(line: str) -> bool:
    text = line.strip().rstrip(":：|").strip()
    if not text:
        return False
    if ATTACHMENT.match(text):
        return True
    return _words(text) <= HEADING_MAX_WORDS and not text.endswith(".") and FURNITURE_HEADING.match(text) is not None


def _teaser_at(lines: list[str], i: int) -> bool:
    """A headline printed twice in a row (image link, then text link) starts a teaser list."""
    line = lines[i].strip()
    if not line or _words(line) > 30 or line.endswith((".", ":")):
        return False
    nxt = [ln.strip() for ln in lines[i + 1 : i + 4] if ln.strip()]
    return bool(nxt) and nxt[0] == line


def _spaced_menu(raw: str) -> bool:
    """Items laid out with runs of spaces: "Trang chủ   Tin tức   Văn bản"."""
    items = [p for p in re.split(r"\s{2,}|\t", raw.strip()) if p.strip()]
    return len(items) >= 3 and all(_words(p) <= 5 for p in items)


def _is_menu(line: str, raw: str) -> bool:
    seps = len(MENU_SEP.findall(line))
    return seps >= 2 or (seps == 1 and _words(line) <= 8) or _spaced_menu(raw)


def _is_date_line(line: str) -> bool:
    """A clock or date with little else: "Thứ Tư, 20/12/2017 - 15:42", "14/02/2022 | Hà Anh"."""
    if not CLOCK.search(line):
        return False
    rest = CLOCK.sub(" ", line)
    return _words(rest) <= 10 and not rest.rstrip().endswith(".")


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


class _Lines:
    """The page's lines (cleaned) with what their shape says."""

    def __init__(self, raw: str) -> None:
        raws = clean_chars(raw).split("\n")
        self.lines = [clean_line(r) for r in raws]
        self.menu = [bool(ln) and _is_menu(ln, r) for ln, r in zip(self.lines, raws, strict=True)]
        self.nonempty = [i for i, ln in enumerate(self.lines) if ln]

    def next_nonempty(self, i: int) -> int | None:
        return next((j for j in self.nonempty if j > i), None)

    def standalone(self, i: int) -> bool:
        """The line is a paragraph of its own: blank (or the page's edge) above and below."""
        above = i == 0 or not self.lines[i - 1]
        below = i + 1 >= len(self.lines) or not self.lines[i + 1]
        return above and below

    def furniture(self, i: int) -> bool:
        line = self.lines[i]
        if self.menu[i] or SITE_WORDS.search(line) or TOOLS.match(line) or GREETING.match(line):
            return True
        nxt = i + 1 if i + 1 < len(self.lines) and self.lines[i + 1] else None
        # a banner in capitals sits right above the site's menu or clock
        return _is_caps(line) and nxt is not None and (self.menu[nxt] or _is_date_line(self.lines[nxt]))

    def headline(self, i: int) -> bool:
        line = self.lines[i]
        return (
            TITLE_MIN_WORDS <= _words(line) <= TITLE_MAX_WORDS
            and not line.endswith(".")  # a headline has no full stop; a paragraph does
            and not CLOCK.search(line[:40])
            and not _is_furniture_heading(line)
            and not self.furniture(i)
        )


def _title_index(pl: _Lines) -> int | None:
    top: list[int] = []
    for i in pl.nonempty[:TOP_LINES]:
        line = pl.lines[i]
        if _words(line) >= BODY_PARAGRAPH_WORDS and line.endswith((".", ":")):
            break  # the body has begun
        top.append(i)
    candidates = [i for i in top if pl.headline(i)]
    alone = [i for i in candidates if pl.standalone(i)]
    chosen = alone or candidates
    return chosen[0] if chosen else None


def _date(text: str) -> dt.date | None:
    m = DATE.search(text)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _cued_date(pl: _Lines, title: int | None) -> dt.date | None:
    """A date a publishing cue introduces, or a stamp with its time zone ("GMT+7"), near the
    top; or a date line right above the title. (A site's clock elsewhere in the header is
    the day the page was saved, not published.)"""
    for i in pl.nonempty[:TOP_LINES]:
        m = PUBLISH_CUE.search(pl.lines[i])
        if m:
            try:
                return dt.date(int(m.group(5)), int(m.group(4)), int(m.group(3)))
            except ValueError:
                continue
    for i in pl.nonempty[:TOP_LINES]:
        if title is not None and i >= title:
            break
        if _is_date_line(pl.lines[i]) and (TIME_ZONE.search(pl.lines[i]) or pl.next_nonempty(i) == title):
            return _date(pl.lines[i])
    return None


def _meta_under_title(pl: _Lines, t: int) -> tuple[int, dt.date | None, str]:
    """Lines under the title that are a byline, a date or counters: (first body line, date, author)."""
    published: dt.date | None = None
    author = ""
    i = t + 1
    while i < len(pl.lines):
        line = pl.lines[i]
        if not line:
            i += 1
            continue
        byline = BYLINE.match(line)
        if _is_date_line(line) or TOOLS.match(line) or pl.menu[i] or AUTHOR_CUE.search(line):
            published = published or _date(line)
            m = AFTER_DATE_NAME.search(line) or AUTHOR_CUE.search(line)
            author = author or (m.group(1) if m else "")
        elif byline and not _is_caps(line) and _words(line) <= 4:
            author = author or byline.group(1)
        else:
            break
        i += 1
    return i, published, author


def read_plain(raw: str) -> MainText:
    pl = _Lines(raw)
    lines = pl.lines
    t = _title_index(pl)
    title, start, published, author = "", 0, None, ""
    if t is not None:
        title = lines[t]
        above = [i for i in pl.nonempty if i < t]
        if above and DOC_TYPE.match(lines[above[-1]]):
            title = f"{lines[above[-1]]} {title}"
        start, published, author = _meta_under_title(pl, t)
    published = _cued_date(pl, t) or published
    end, dropped = len(lines), set()
    for i in range(start, len(lines)):
        if _is_attachment(lines[i]) and sum(_words(ln) for ln in lines[start:i]) < BODY_BEFORE_ATTACHMENT:
            dropped.add(i)  # a download link above the text (a plan posted as a file): not the end of the body
            continue
        if _is_furniture_heading(lines[i]) or _teaser_at(lines, i):
            end = i
            break
    body_lines = [ln for i, ln in enumerate(lines[start:end], start) if i not in dropped]
    while body_lines and not body_lines[-1]:
        body_lines.pop()
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(body_lines)).strip()
    return MainText(title, "", author or _byline(body_lines), published, body, "plain text")


def _byline(body_lines: list[str]) -> str:
    """A short name closing the body, unless it closes a signature block (then it is the signatory)."""
    filled = [ln for ln in body_lines if ln]
    m = BYLINE.match(filled[-1]) if len(filled) >= 2 else None
    if m is None or _words(m.group(1)) > 4:
        return ""
    above = filled[-2]
    if _words(above) <= 8 and SIGNATURE.search(above):
        return ""
    return m.group(1)
