"""campaign.v1 — campaign metadata: issuer, level, province, district, post-2025 province,
campaign year, the plan's own number, signatory. Each field keeps the span it came from."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from pipeline.models import Doc, MetaField
from pipeline.text.vn import districts, provinces_2025

NAME = "campaign.v1"
LEVEL_RANK = {"grassroots": 5, "sector": 4, "district": 3, "province": 2, "national": 1}

_LATIN = [chr(c) for c in range(0x41, 0x1EFA)]
_UP = "".join(c for c in _LATIN if unicodedata.category(c) == "Lu")
_LOW = "".join(c for c in _LATIN if unicodedata.category(c) == "Ll")
_CAP = rf"(?:[{_UP}][{_LOW}{_UP}]*)"  # a capitalised word
_PLACE = rf"{_CAP}(?:(?:\s+|\s*-\s*){_CAP}){{0,3}}"
LDLD = r"(?:Liên đoàn Lao động|Liên đoàn lao động|LĐLĐ)(?:\s*\(LĐLĐ\))?"
_NAME_END = (
    r"(?=\s*(?:[,.;:()\n“”\"]|đã|vừa|ban hành|phát động|tổ chức|triển khai|năm|theo|hướng tới|kỷ niệm|về|với|"
    r"trong|và|cho|tại|nhằm|thực hiện|$))"
)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # national: also the capitalised header and the short "Tổng Liên đoàn"
    ("national", re.compile(r"Tổng\s+(?:Liên đoàn(?:\s+Lao động)?|LĐLĐ)(?:\s*(?:Việt Nam|VN))?|Tổng LĐLĐVN", re.I)),
    ("district", re.compile(rf"{LDLD}\s+(?P<kind>quận|huyện|thị xã|thành phố)\s+(?P<place>{_PLACE})")),
    ("province", re.compile(rf"{LDLD}\s+(?P<kind>tỉnh|thành phố|TP\.?)\s+(?P<place>{_PLACE})")),
    ("province_bare", re.compile(rf"{LDLD}\s+(?P<kind>tỉnh|thành phố)(?=\s+[{_LOW}])")),
    ("sector", re.compile(rf"Công đoàn\s+(?P<name>(?:Viên chức|viên chức|ngành|Ngành|Tổng [Cc]ông ty)(?:\s+[^,.;:()\n“”\"]{{2,80}}?)?){_NAME_END}")),
    ("grassroots", re.compile(rf"(?:Công đoàn cơ sở|CĐCS)\s+(?P<name>{_CAP}[^,.;:()\n“”\"]{{2,80}}?){_NAME_END}")),
)
LAUNCH_VERB = re.compile(r"phát động|ban hành|triển khai kế hoạch|kế hoạch", re.I)
PROVINCE_MENTION = re.compile(rf"\b(?:tỉnh|thành phố|TP\.?)\s+(?P<place>{_PLACE})")
YEAR_AFTER_CUE = re.compile(r"(?:thi đua|phong trào)[^.\n]{0,120}?năm\s+(20\d\d)", re.I)
ANY_YEAR = re.compile(r"\bnăm\s+(20\d\d)\b")
DOC_NUMBER = re.compile(r"(?:Kế hoạch\s+(?:số\s*)?|\bSố\s*:\s*)(\d{1,4}\s*(?:/\s*\d{4})?\s*[/-]\s*KH(?:\s*[-/]\s*[A-ZĐ][\wĐ]*){0,3})")
SIGN_BLOCK = re.compile(r"(?:CHỦ TỊCH|TRƯỞNG BAN|BAN THƯỜNG VỤ)\s*\n(?:[^\n]{0,40}\n\s*){0,3}?(?P<name>(?![^\n]*[A-ZĐ][A-ZĐ])" + _CAP + r"(?: " + _CAP + r"){1,4})\s*$", re.M)
SIGN_INLINE = re.compile(r"(?:Phó\s+)?Chủ tịch[^,.;\n]{0,60}?\s(?P<name>" + _CAP + r"(?: " + _CAP + r"){1,4})\s+(?:đã|vừa)\s+k[ýí]")
CITED = re.compile(r"thực hiện|căn cứ|theo\s|hướng dẫn|của Tổng|cụ thể hóa|cụ thể hoá", re.I)
OWN_PLAN = re.compile(r"\s*,?\s*(?:vừa|mới)\s+(?:được\s+)?(?:ban hành|ký|kí|phát động)")  # "Theo Kế hoạch số 14/KH-LĐLĐ vừa ban hành"
HANOI_HINT = re.compile(r"Thủ đô|Hà Nội")


@dataclass(frozen=True, slots=True)
class _Candidate:
    level: str
    start: int
    end: int
    issuer: str
    place: str
    score: float


def _trim_place(place: str) -> str:
    words = place.split()
    stop = {"Năm", "Kế", "Về", "Phát", "Ban", "Tổ", "Trong", "Lần", "Đã", "Vừa", "Nhiệm"}
    out: list[str] = []
    for w in words:
        if w in stop or (len(out) >= 2 and w in SURNAMES):  # "quận Đống Đa Nguyễn Khương Anh"
            break
        out.append(w)
    return " ".join(out)


def _candidates(doc: Doc) -> list[_Candidate]:
    text = doc.text
    title_end = text.find("\n")
    title_end = len(text) if title_end < 0 else title_end
    out = []
    for level, pat in PATTERNS:
        for m in pat.finditer(text):
            place = ""
            if level == "national":
                issuer = "Tổng Liên đoàn Lao động Việt Nam"
            elif level == "province_bare":  # "LĐLĐ tỉnh đã ban hành": the document's own province
                main = _main_province(doc)
                if main is None:
                    continue
                place = main
                issuer = f"Liên đoàn Lao động {m.group('kind')} {place}"
                out.append(_Candidate("province", m.start(), m.end(), issuer, place, 0.0))
                continue
            elif level in ("district", "province"):
                place = _trim_place(m.group("place"))
                if not place:
                    continue
                kind = m.group("kind").replace("TP.", "thành phố").replace("TP", "thành phố")
                issuer = f"Liên đoàn Lao động {kind} {place}"
                if level == "district" and kind == "thành phố" and place in provinces_2025():
                    continue  # a province-level city, matched by the province pattern
                if level == "province" and kind == "thành phố" and place not in provinces_2025():
                    level_here = "district"
                    out.append(_Candidate(level_here, m.start(), m.end(), issuer, place, 0.0))
                    continue
            else:
                issuer = ("Công đoàn " if level == "sector" else "Công đoàn cơ sở ") + _with_unit(doc, m.group("name").strip())
            out.append(_Candidate(level, m.start(), m.end(), issuer, place, 0.0))
    scored = []
    for c in out:
        score = 0.0
        if c.start < title_end:
            score += 3
        sentence = doc.sentence_of(c.start)
        if sentence >= 0:
            s = doc.sentences[sentence]
            window = text[c.start : s.end]
            before = text[max(s.start, c.start - 25) : c.start]
            if LAUNCH_VERB.search(window) and "do " not in before and "của " not in before[-6:]:
                score += 2
        score += LEVEL_RANK[c.level] * 0.3
        score -= c.start / max(len(text), 1)  # earlier is likelier
        scored.append(_Candidate(c.level, c.start, c.end, c.issuer, c.place, score))
    return scored


# Common family names: where a run of capitalised words (“… Việt Nam Trần Quang Huy”) has
# one, the person's name starts there.
SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương "
    "Đinh Lâm Phùng Mai Tô Hà Tạ Lục Nông Lương Cao Chu Thái Kiều Quách Triệu Lưu Văn Đàm Hứa Khổng Thân".split()
)


def _person(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a capitalised run to the person's name: from its last family name, at most 4 words."""
    words = [(m.start() + start, m.end() + start, m.group(0)) for m in re.finditer(r"\S+", text[start:end])]
    firsts = [i for i, (_, _, w) in enumerate(words) if w in SURNAMES and 2 <= len(words) - i <= 4]
    i = firsts[0] if firsts else max(0, len(words) - 3)
    if len(words) - i > 4:
        i = len(words) - 4
    return words[i][0], words[-1][1]


CENTRAL_CITIES = frozenset({"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Huế"})


@functools.cache
def _province_names() -> re.Pattern[str]:
    """Every old province name as one pattern, longest first ("Hồ Chí Minh" is mostly the
    President in these texts: only "Thành phố Hồ Chí Minh" counts)."""
    names = sorted((p for p in provinces_2025() if p != "Hồ Chí Minh"), key=len, reverse=True)
    alts = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)|(?:Thành phố|thành phố|TP\.?)\s+(?P<hcm>Hồ Chí Minh)")


def _main_province(doc: Doc) -> str | None:
    """The province the document is about: the one named most often (after tỉnh/thành phố or bare)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in _province_names().finditer(doc.text):
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
        main = _main_province(doc)
        return f"{name} {main}" if main else name
    for prov in provinces_2025():
        if name.endswith(" " + prov) and not re.search(rf"(?:tỉnh|thành phố|TP\.?)\s+{re.escape(prov)}$", name):
            unit = "thành phố" if prov in CENTRAL_CITIES else "tỉnh"
            return f"{name[: -len(prov)]}{unit} {prov}"
    return name


YEAR_CUE = re.compile(r"thi đua|phong trào|phát động|kế hoạch", re.I)


def _campaign_year(doc: Doc) -> re.Match[str] | None:
    """The year the campaign runs for: named in the title, in a sentence about the campaign,
    and often; a later year wins a tie (a December plan names the coming year)."""
    text = doc.text
    title_end = text.find("\n") if "\n" in text else len(text)
    found = list(ANY_YEAR.finditer(text))
    if not found:
        return None
    counts = Counter(m.group(1) for m in found)
    top = max(counts.values())
    best: tuple[float, int, re.Match[str]] | None = None
    for m in found:
        sent = doc.sentence_of(m.start())
        s = doc.sentences[sent] if sent >= 0 else None
        cue = bool(s and YEAR_CUE.search(text[s.start : s.end]))
        score = 3.0 * (m.start() < title_end) + 1.0 * cue + 2.0 * counts[m.group(1)] / top
        key = (score, int(m.group(1)), m)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def _field(doc: Doc, name: str, value: str, start: int, end: int) -> MetaField:
    return MetaField(start, end, doc.text[start:end], doc.sentence_of(start), NAME, name=name, value=value)


def _province_of_district(doc: Doc, district: str) -> tuple[str, int, int] | None:
    options = districts().get(district, ())
    mentions = [(m.group("place"), m.start("place"), m.end("place")) for m in PROVINCE_MENTION.finditer(doc.text)]
    for place, s, e in mentions:
        p = _trim_place(place)
        if p in options:
            return p, s, s + len(p)
    if "Hà Nội" in options:
        m = HANOI_HINT.search(doc.text)
        if m:
            return "Hà Nội", m.start(), m.end()
    if len(options) == 1 and (at := doc.text.find(district)) >= 0:  # one province has a district of that name
        return options[0], at, at + len(district)
    return None


def extract_campaign(doc: Doc) -> list[MetaField]:
    text = doc.text
    fields: list[MetaField] = []
    cands = _candidates(doc)
    if cands:
        best = max(cands, key=lambda c: c.score)
        fields.append(_field(doc, "issuer", best.issuer, best.start, best.end))
        fields.append(_field(doc, "level", best.level, best.start, best.end))
        province = None
        if best.level == "province":
            province = (best.place, best.end - len(best.place), best.end)
        elif best.level == "district":
            fields.append(_field(doc, "district", best.place, best.end - len(best.place), best.end))
            province = _province_of_district(doc, best.place)
        elif best.level in ("sector", "grassroots"):
            m = PROVINCE_MENTION.search(text, best.start, best.end + 1)
            if m:
                p = _trim_place(m.group("place"))
                province = (p, m.start("place"), m.start("place") + len(p))
            elif (main := _main_province(doc)) is not None:
                at = text.find(main)
                province = (main, at, at + len(main))
        if province and province[0] in provinces_2025():
            fields.append(_field(doc, "province", province[0], province[1], province[2]))
            fields.append(_field(doc, "province_2025", provinces_2025()[province[0]], province[1], province[2]))
    year = _campaign_year(doc)
    if year:
        fields.append(_field(doc, "year", year.group(1), year.start(1), year.end(1)))
    num = next(
        (m for m in DOC_NUMBER.finditer(text) if not CITED.search(text[max(0, m.start() - 45) : m.start()]) or OWN_PLAN.match(text, m.end())),
        None,
    )
    if num:
        fields.append(_field(doc, "doc_number", re.sub(r"\s+", "", num.group(1)), num.start(1), num.end(1)))
    tail_start = max(0, len(text) - 600)
    for sign in (*SIGN_BLOCK.finditer(text, tail_start), *SIGN_INLINE.finditer(text)):
        start, end = _person(text, sign.start("name"), sign.end("name"))
        name = text[start:end]
        if name.istitle() and len(name.split()) >= 2:  # a person's name, not a heading in capitals
            fields.append(_field(doc, "signatory", name, start, end))
            break
    return fields
