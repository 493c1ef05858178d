"""campaign.v1 — campaign metadata: issuer, level, province, district, post-2025 province,
campaign year, the plan's own number, signatory. Each field keeps the span it came from."""
from __future__ import annotations

import re
from collections import Counter

from pipeline.extract.issuer import CAP, SURNAMES, best_issuer, main_province, trim_place
from pipeline.models import Doc, MetaField
from pipeline.text.vn import districts, provinces_2025

NAME = "campaign.v1"
_PLACE = rf"{CAP}(?:(?:\s+|\s*-\s*){CAP}){{0,3}}"
PROVINCE_MENTION = re.compile(rf"\b(?:tỉnh|thành phố|TP\.?)\s+(?P<place>{_PLACE})")
ANY_YEAR = re.compile(r"\bnăm\s+(20\d\d)\b")
DOC_NUMBER = re.compile(r"(?:Kế hoạch\s+(?:số\s*)?|\bSố\s*:\s*)(\d{1,4}\s*(?:/\s*\d{4})?\s*[/-]\s*KH(?:\s*[-/]\s*[A-ZĐ][\wĐ]*){0,3})")
SIGN_BLOCK = re.compile(r"(?:CHỦ TỊCH|TRƯỞNG BAN|BAN THƯỜNG VỤ)\s*\n(?:[^\n]{0,40}\n\s*){0,3}?(?P<name>(?![^\n]*[A-ZĐ][A-ZĐ])" + CAP + r"(?: " + CAP + r"){1,4})\s*$", re.M)
SIGN_INLINE = re.compile(r"(?:Phó\s+)?Chủ tịch[^,.;\n]{0,60}?\s(?P<name>" + CAP + r"(?: " + CAP + r"){1,4})\s+(?:đã|vừa)\s+k[ýí]")
CITED = re.compile(r"thực hiện|căn cứ|theo\s|hướng dẫn|của Tổng|cụ thể hóa|cụ thể hoá", re.I)
OWN_PLAN = re.compile(r"\s*,?\s*(?:vừa|mới)\s+(?:được\s+)?(?:ban hành|ký|kí|phát động)")  # "Theo Kế hoạch số 14/KH-LĐLĐ vừa ban hành"
HANOI_HINT = re.compile(r"Thủ đô|Hà Nội")


def _person(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a capitalised run to the person's name: from its last family name, at most 4 words."""
    words = [(m.start() + start, m.end() + start, m.group(0)) for m in re.finditer(r"\S+", text[start:end])]
    firsts = [i for i, (_, _, w) in enumerate(words) if w in SURNAMES and 2 <= len(words) - i <= 4]
    i = firsts[0] if firsts else max(0, len(words) - 3)
    if len(words) - i > 4:
        i = len(words) - 4
    return words[i][0], words[-1][1]


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
        p = trim_place(place)
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
    best = best_issuer(doc)
    if best is not None:
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
            if best.place:  # a header gave the province of the body above it
                province = (best.place, best.start, best.end)
            elif m:
                p = trim_place(m.group("place"))
                province = (p, m.start("place"), m.start("place") + len(p))
            elif (main := main_province(doc)) is not None:
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
