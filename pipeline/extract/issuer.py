"""Who issues a campaign plan: candidates for the issuing body, each with its level and
locality, scored by where they stand and what the sentence does with them.

Three places name an issuer:

- the header of an official document (a block of capitalised lines above "Số: …": the
  parent body, then the issuing body) — the strongest evidence;
- the title and sentences that launch or issue something ("LĐLĐ tỉnh X phát động …");
- bare forms ("Ban Thường vụ LĐLĐ thị xã xây dựng kế hoạch") that take the locality the
  document itself names.

Organisation names run as long as their words are capitalised or are the lower-case words
such names are made of ("tỉnh", "ngành", "công ty", "cơ sở" …) and stop before a verb or a
person's name. A bare candidate that a fuller one of the same body extends is read as the
fuller one.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

from pipeline.models import Doc
from pipeline.text.vn import provinces_2025

LEVEL_RANK = {"grassroots": 5, "sector": 4, "district": 3, "province": 2, "national": 1}

_LATIN = [chr(c) for c in range(0x41, 0x1EFA)]
_UP = "".join(c for c in _LATIN if unicodedata.category(c) == "Lu")
_LOW = "".join(c for c in _LATIN if unicodedata.category(c) == "Ll")
CAP = rf"(?:[{_UP}][{_LOW}{_UP}]*)"  # a capitalised word
_PLACE = rf"{CAP}(?:(?:\s+|\s*-\s*){CAP}){{0,3}}"
LDLD = r"(?:Liên đoàn Lao động|Liên đoàn lao động|LĐLĐ)(?:\s*\(LĐLĐ\))?"
KIND = r"(?P<kind>quận|huyện|thị xã|thành phố|tỉnh|TP\.?)"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # national: also the capitalised header and the short "Tổng Liên đoàn"
    ("national", re.compile(r"Tổng\s+(?:Liên đoàn(?:\s+Lao động)?|LĐLĐ)(?:\s*(?:Việt Nam|VN))?|Tổng LĐLĐVN", re.I)),
    ("local", re.compile(rf"{LDLD}\s+{KIND}\s+(?P<place>{_PLACE})")),
    ("local_bare", re.compile(rf"{LDLD}\s+{KIND}(?=\s+[{_LOW}]|\s*[,.;:]|$)")),
    ("sector", re.compile(r"Công đoàn\s+(?=(?:Viên chức|viên chức|[Nn]gành|Tổng [Cc]ông ty|[Cc]ác [Kk]hu|Khu công nghiệp|Khu kinh tế|Khu chế xuất)\b)")),
    ("grassroots", re.compile(rf"(?:Công đoàn cơ sở|CĐCS)\s+(?=[{_UP}])")),
)
LAUNCH_VERB = re.compile(r"phát động|ban hành|triển khai kế hoạch|kế hoạch|xây dựng kế hoạch", re.I)
CENTRAL_CITIES = frozenset({"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Huế"})
# Common family names: where a run of capitalised words (“… Việt Nam Trần Quang Huy”) has
# one, the person's name starts there.
SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương "
    "Đinh Lâm Phùng Mai Tô Hà Tạ Lục Nông Lương Cao Chu Thái Kiều Quách Triệu Lưu Văn Đàm Hứa Khổng Thân".split()
)
# Lower-case words that organisation names are made of; any other lower-case word ends one.
ORG_WORDS = frozenset(
    "tỉnh thành phố huyện quận thị xã ngành cơ sở công ty tổng cổ phần trách nhiệm hữu hạn một viên chức "
    "miền khu nghiệp kinh tế chế xuất và đào tạo các trường bệnh viện đa khoa số".split()
)
ORG_TRAILING = frozenset({"và", "số", "các"})
# Words that follow a name but are not a second syllable of its last word ("Giáo dục",
# "Điện lực" are; "… Đồng Nai vừa ký", "… Quảng Trị phối hợp" are not).
NOT_SYLLABLE = frozenset(
    "đã vừa sẽ đang phát tổ ban triển xây ký kí phối thực tham có là được cho với về tại trong năm nhằm theo "
    "đến từ hướng chào kỷ tiếp đề yêu giao hưởng chỉ đạt mở trao tặng gửi quyết lựa cùng của do nay này mới "
    "luôn ra đồng vào sau trước khi nêu cũng đều đối".split()
)
PERSON_VERB = re.compile(r"\s+(?:đã|vừa|ký|kí|cho biết|phát biểu|nhấn mạnh|khẳng định)\b")
# The header of an official document: capitalised lines naming union bodies, above "Số:".
HEADER_END = re.compile(r"^(?:Số\s*:|CỘNG HÒA|CỘNG HOÀ|KẾ HOẠCH\b)")
REPUBLIC = re.compile(r"\s+CỘNG H[OÒ]À? X[AÃ] HỘI.*$")
HEADER_SCORE = 6.0
TITLE_SCORE = 3.0
LAUNCH_SCORE = 2.0


@dataclass(frozen=True, slots=True)
class Candidate:
    level: str
    start: int
    end: int
    issuer: str
    place: str
    score: float = 0.0


def trim_place(place: str) -> str:
    words = place.split()
    stop = {"Năm", "Kế", "Về", "Phát", "Ban", "Tổ", "Trong", "Lần", "Đã", "Vừa", "Nhiệm"}
    out: list[str] = []
    for w in words:
        if w in stop or (len(out) >= 2 and w in SURNAMES):  # "quận Đống Đa Nguyễn Khương Anh"
            break
        out.append(w)
    return " ".join(out)


@functools.cache
def _province_names() -> re.Pattern[str]:
    """Every old province name as one pattern, longest first ("Hồ Chí Minh" is mostly the
    President in these texts: only "Thành phố Hồ Chí Minh" counts)."""
    names = sorted((p for p in provinces_2025() if p != "Hồ Chí Minh"), key=len, reverse=True)
    alts = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)|(?:Thành phố|thành phố|TP\.?)\s+(?P<hcm>Hồ Chí Minh)")


def main_province(doc: Doc) -> str | None:
    """The province the document is about: the one named most often (after tỉnh/thành phố or bare)."""
    return _main_province(doc.text)


@functools.lru_cache(maxsize=4)  # asked several times per document; keyed by the text itself
def _main_province(text: str) -> str | None:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in _province_names().finditer(text):
        name = "Hồ Chí Minh" if m.group("hcm") else m.group(0)
        counts[name] += 1
        first.setdefault(name, m.start())
    if not counts:
        return None
    return max(counts, key=lambda n: (counts[n], -first[n]))


def _with_unit(doc: Doc, name: str) -> str:
    """Canonical sector/grassroots name: a bare trailing province gets its "tỉnh"/"thành phố";
    "Viên chức tỉnh" with no name gets the document's province."""
    words = name.split()
    if words and words[-1] in ("tỉnh", "thành phố"):
        main = main_province(doc)
        return f"{name} {main}" if main else name
    if "công ty" in name.lower():  # a company's name may end with a place: it is the name
        return name
    for prov in provinces_2025():
        if name.endswith(" " + prov) and not re.search(rf"(?:tỉnh|thành phố|TP\.?)\s+{re.escape(prov)}$", name):
            unit = "thành phố" if prov in CENTRAL_CITIES else "tỉnh"
            return f"{name[: -len(prov)]}{unit} {prov}"
    return name


_WORD = re.compile(r"[\wĐđ]+(?:-[\wĐđ]+)*|\S")


def _ends_with_place(words: list[tuple[int, int, str]]) -> bool:
    tail = [w for _, _, w in words[-3:]]
    return any(" ".join(tail[i:]) in provinces_2025() for i in range(len(tail)))


def org_end(text: str, pos: int, limit: int = 120) -> int:
    """End of an organisation name that starts at ``pos``: capitalised words, digits and the
    lower-case words of ``ORG_WORDS``; trailing connectors and a person's name dropped."""
    words: list[tuple[int, int, str]] = []
    line_end = text.find("\n", pos)
    stop = min(len(text), pos + limit, line_end if line_end >= 0 else len(text))
    for m in _WORD.finditer(text, pos, stop):
        w = m.group(0)
        if not w[0].isalnum():
            break
        syllable = (
            bool(words) and words[-1][2][0].isupper() and w.lower() not in NOT_SYLLABLE
            and not _ends_with_place(words)  # "… Quảng Nam gắn với": a place name is whole
        )
        if not (w[0].isupper() or w[0].isdigit() or w.lower() in ORG_WORDS or syllable):
            break
        words.append((m.start(), m.end(), w))
    while words and words[-1][2] in ORG_TRAILING:
        words.pop()
    for i in range(2, len(words)):  # "… Cao su Đồng Nai Trần Văn Nam vừa ký": the person is not the body
        if words[i][2] in SURNAMES and 2 <= len(words) - i <= 4 and all(w[2][0].isupper() for w in words[i:]):
            if PERSON_VERB.match(text, words[-1][1]):
                words = words[:i]
                break
    return words[-1][1] if words else pos


def _local(doc: Doc, kind: str, place: str, start: int, end: int) -> Candidate | None:
    """A "Liên đoàn Lao động <kind> <place>" candidate; a city that is not a centrally run one is a district."""
    kind = kind.replace("TP.", "thành phố").replace("TP", "thành phố")
    if kind in ("quận", "huyện", "thị xã") or (kind == "thành phố" and place not in CENTRAL_CITIES):
        level = "district"
    else:
        level = "province"
    return Candidate(level, start, end, f"Liên đoàn Lao động {kind} {place}", place)


@functools.cache
def _after_kind(kind: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(kind)}\s+(?P<place>{_PLACE})")


def _own_locality(doc: Doc, kind: str) -> str | None:
    """The place the document names most often after ``kind`` ("thị xã Quảng Yên")."""
    return _own_locality_in(doc.text, kind)


@functools.lru_cache(maxsize=8)
def _own_locality_in(text: str, kind: str) -> str | None:
    counts: Counter[str] = Counter()
    for m in _after_kind(kind).finditer(text):
        place = trim_place(m.group("place"))
        if place:
            counts[place] += 1
    if not counts:
        return _main_province(text) if kind in ("tỉnh", "thành phố") else None
    return counts.most_common(1)[0][0]


def _from_match(doc: Doc, level: str, m: re.Match[str]) -> Candidate | None:
    if level == "national":
        return Candidate("national", m.start(), m.end(), "Tổng Liên đoàn Lao động Việt Nam", "")
    if level == "local":
        place = trim_place(m.group("place"))
        return _local(doc, m.group("kind"), place, m.start(), m.end()) if place else None
    if level == "local_bare":  # "LĐLĐ tỉnh đã ban hành": the document's own locality
        kind = m.group("kind").replace("TP.", "thành phố").replace("TP", "thành phố")
        own = _own_locality(doc, kind)
        return _local(doc, kind, own, m.start(), m.end()) if own else None
    end = org_end(doc.text, m.end())
    name = doc.text[m.end() : end].strip()
    if len(name.split()) < (1 if level == "sector" else 2):
        return None
    prefix = "Công đoàn " if level == "sector" else "Công đoàn cơ sở "
    return Candidate(level, m.start(), end, prefix + _with_unit(doc, name), "")


HEADER_LINE = re.compile(
    r"^[ \t]*(?:TỔNG LIÊN ĐOÀN|LIÊN ĐOÀN LAO ĐỘNG|LĐLĐ|CÔNG ĐOÀN|BAN CHẤP HÀNH CÔNG ĐOÀN|BCH CÔNG ĐOÀN)\b[^\n]*(?:\n|$)", re.M
)


def _header_candidates(doc: Doc) -> list[Candidate]:
    """The issuing body of an official header: the last union body of a capitalised block
    that runs down to "Số:", the national motto or the document type. A sector or
    grassroots body under a provincial federation takes that province."""
    text = doc.text
    out: list[Candidate] = []
    block: list[tuple[int, int, int]] = []  # (name start, name end, line end) of consecutive header lines
    for m in HEADER_LINE.finditer(text):
        line = m.group(0).rstrip("\n")
        body = REPUBLIC.sub("", line).strip()
        if not body.isupper():
            block = []
            continue
        if block and m.start() != block[-1][2]:
            block = []  # not the line right below the last one
        lead = m.start() + len(line) - len(line.lstrip())
        block.append((lead, lead + len(body), m.end()))
        next_end = text.find("\n", m.end())
        after = text[m.end() : next_end if next_end >= 0 else len(text)].strip()
        if HEADER_END.match(after):
            out += _read_header(doc, [(a, b) for a, b, _ in block])
            block = []
    return out


def _read_header(doc: Doc, block: list[tuple[int, int]]) -> list[Candidate]:
    parent: Candidate | None = None
    found: list[Candidate] = []
    for start, end in block:
        surface = _mixed_case(doc.text, start, end)
        found_here = _candidates_in(doc, surface, start)
        if found_here:
            parent, cand = (found[-1] if found else None), found_here[0]
            if cand.level in ("sector", "grassroots") and parent is not None and parent.level == "province":
                unit = "thành phố" if parent.place in CENTRAL_CITIES else "tỉnh"
                if parent.place not in cand.issuer:
                    bare = cand.issuer.endswith((" tỉnh", " thành phố"))
                    cand = replace(cand, issuer=f"{cand.issuer} {'' if bare else unit + ' '}{parent.place}", place=parent.place)
            found.append(cand)
    return [replace(found[-1], score=HEADER_SCORE)] if found else []


UNION_WORDS = (("Liên Đoàn Lao Động", "Liên đoàn Lao động"), ("Công Đoàn", "Công đoàn"), ("Viên Chức", "Viên chức"),
               ("Công Ty", "công ty"))  # fmt: skip
LOWER_WORDS = frozenset({"Tỉnh", "Huyện", "Quận", "Thị", "Xã", "Thành", "Phố", "Ngành", "Cơ", "Sở"})


def _mixed_case(text: str, start: int, end: int) -> str:
    """A capitalised header line as the body writes the same name (a match that ignores case
    and is not itself in capitals); else each word capitalised, union words in their usual case."""
    for m in re.finditer(re.escape(text[start:end]), text, re.I):
        if not m.group(0).isupper():
            return m.group(0)
    out = " ".join(w.lower() if (c := w.capitalize()) in LOWER_WORDS else c for w in text[start:end].split())
    for caps, usual in UNION_WORDS:
        out = out.replace(caps, usual)
    return out


def _candidates_in(doc: Doc, surface: str, offset: int) -> list[Candidate]:
    """Candidates in a header line rewritten in mixed case; spans point at the header line."""
    sub = Doc(doc_id=doc.doc_id, text=surface)
    out = []
    for level, pat in PATTERNS:
        m = pat.search(surface)
        if m and m.start() == 0:
            if level in ("sector", "grassroots"):
                end = org_end(surface, m.end())
                name = surface[m.end() : end].strip()
                if name:
                    prefix = "Công đoàn " if level == "sector" else "Công đoàn cơ sở "
                    out.append(Candidate(level, offset, offset + len(surface), prefix + name, ""))
                continue
            c = _from_match(sub if level != "local_bare" else doc, level, m)
            if c is not None:
                out.append(replace(c, start=offset, end=offset + len(surface)))
    if not out and surface.startswith("Công đoàn "):  # "CÔNG ĐOÀN BỆNH VIỆN …": a grassroots union
        end = org_end(surface, len("Công đoàn "))
        if end > len("Công đoàn "):
            out.append(Candidate("grassroots", offset, offset + len(surface), surface[:end], ""))
    return out


def candidates(doc: Doc) -> list[Candidate]:
    text = doc.text
    title_end = text.find("\n")
    title_end = len(text) if title_end < 0 else title_end
    found = [c for level, pat in PATTERNS for m in pat.finditer(text) if (c := _from_match(doc, level, m)) is not None]
    scored = _header_candidates(doc)
    for c in found:
        score = 0.0
        if c.start < title_end:
            score += TITLE_SCORE
        sentence = doc.sentence_of(c.start)
        if sentence >= 0:
            s = doc.sentences[sentence]
            window = text[c.start : s.end]
            before = text[max(s.start, c.start - 25) : c.start]
            if LAUNCH_VERB.search(window) and "do " not in before and "của " not in before[-6:]:
                score += LAUNCH_SCORE
        score += LEVEL_RANK[c.level] * 0.3
        score -= c.start / max(len(text), 1)  # earlier is likelier
        scored.append(replace(c, score=score))
    return scored


def best_issuer(doc: Doc) -> Candidate | None:
    """The likeliest issuer; a shorter name that a fuller one of the same level extends
    ("Công đoàn Tổng công ty" → "Công đoàn Tổng công ty Cao su Đồng Nai") is read as it."""
    cands = candidates(doc)
    if not cands:
        return None
    best = max(cands, key=lambda c: c.score)
    key = best.issuer.lower()
    fuller = [c for c in cands if c.level == best.level and len(c.issuer) > len(best.issuer) and c.issuer.lower().startswith(key)]
    if fuller:
        longest = max(fuller, key=lambda c: (len(c.issuer), -c.start))
        best = replace(longest, score=best.score)
    return best
