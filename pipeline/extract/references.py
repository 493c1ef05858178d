"""anniversaries.v1 and legal_refs.v1 — commemorations saluted and documents cited."""
from __future__ import annotations

import re

from pipeline.extract.dates import parse_bound
from pipeline.models import Anniversary, Doc, LegalRef

ANNIV_NAME = "anniversaries.v1"
LEGAL_NAME = "legal_refs.v1"

ANNIV = re.compile(
    r"(?P<years>\d{1,4})\s+năm\s+(?P<event>(?:Ngày|ngày|thành lập|Cách mạng|Chiến thắng|giải phóng|Giải phóng|"
    r"Thăng Long|Quốc khánh|Khởi nghĩa|Tổng tuyển cử|sinh|truyền thống)[^(;,\n]{0,110}?)"
    r"\s*(?:\((?P<range>[^()]{6,40})\)|(?=[;,.\n]|\s+và\s|$))"
)
# an event name that runs on past a comma or "và" to its dates: "Ngày giải phóng miền Nam, thống nhất đất nước (30/4/1975 – 30/4/2020)"
EXTEND = re.compile(r"(?P<more>[^();\n]{0,90}?)\s*\((?P<range>[^()]*\d[^()]{4,38})\)")
ANOTHER = re.compile(r"\d{1,4}\s+năm\s")
CELEBRATE = re.compile(r"kỷ niệm|chào mừng|mừng|hướng tới|lập thành tích", re.I)
RANGE_SPLIT = re.compile(r"\s*[–\-—]\s*")

# Document type codes of Vietnamese official numbering (NN/YYYY/TYPE-ISSUER).
TYPES = {"KH": "plan", "NQ": "resolution", "NĐ": "decree", "CT": "directive", "QĐ": "decision",
         "HD": "guidance", "TT": "circular", "TB": "notice", "QH": "law", "CV": "letter", "KL": "conclusion"}  # fmt: skip
LEGAL = re.compile(
    r"(?<![\w/])(?P<num>\d{1,4})\s*(?:/\s*(?P<year>(?:19|20)\d\d))?\s*[/-]\s*"
    r"(?P<code>(?:KH|NQ|NĐ|CT|QĐ|HD|TT|TB|QH|CV|KL)\d{0,2}(?:\s*[-/]\s*[A-ZĐ][A-ZĐa-zđ0-9]*){0,3})(?![\w])"
)


def extract_anniversaries(doc: Doc) -> list[Anniversary]:
    """Each (years, event) once: the mention that prints its dates, else the first."""
    found = _anniversary_mentions(doc)
    best: dict[tuple[int, str], Anniversary] = {}
    for a in found:
        key = (a.years, a.event.lower())
        if key not in best or (a.to_date and not best[key].to_date):
            best[key] = a
    return sorted(best.values(), key=lambda a: a.start)


def _anniversary_mentions(doc: Doc) -> list[Anniversary]:
    out: list[Anniversary] = []
    for m in ANNIV.finditer(doc.text):
        sent = doc.sentence_of(m.start())
        s_start = doc.sentences[sent].start if sent >= 0 else 0
        if not CELEBRATE.search(doc.text[s_start : m.start()]) and not m.group("event").startswith("Ngày"):
            continue
        years = int(m.group("years"))
        if years < 1 or years > 2000:
            continue
        frm = to = ""
        rng, event_end, end = m.group("range"), m.end("event"), m.end()
        if not rng and (x := EXTEND.match(doc.text, event_end)) and not ANOTHER.search(x.group("more")):
            rng, event_end, end = x.group("range"), x.end("more"), x.end()
        if rng:
            parts = RANGE_SPLIT.split(rng.strip())
            if len(parts) == 2:
                a, b = parse_bound(parts[0], None), parse_bound(parts[1], None)
                to = b.value if b and b.precision == "day" else ""
                frm = a.value if a and a.precision == "day" else ""
                if frm and to and int(to[:4]) - int(frm[:4]) != years:
                    frm = f"{int(to[:4]) - years:04d}{frm[4:]}"  # a typo in the year ("28/7/2929")
        event = doc.text[m.start("event") : event_end].strip()
        out.append(Anniversary(m.start(), end, doc.text[m.start() : end], sent, ANNIV_NAME,
                               years=years, event=event, from_date=frm, to_date=to))
    return out


OWN_NUMBER = re.compile(r"(?:^|\n)[ \t]*Số\s*:?\s*$")  # the header line "Số: 12/KH-LĐLĐ" numbers the document itself


def extract_legal_refs(doc: Doc) -> list[LegalRef]:
    """Documents cited: every official number except the document's own on its "Số:" header
    line (that is its doc_number; cited in the body, it counts like any other)."""
    out: list[LegalRef] = []
    for m in LEGAL.finditer(doc.text):
        if OWN_NUMBER.search(doc.text, max(0, m.start() - 12), m.start()):
            continue
        ref = re.sub(r"\s+", "", m.group(0))
        code = re.match(r"[A-ZĐ]+", m.group("code"))
        ref_type = TYPES.get(code.group(0)[:2] if code else "", "other")
        out.append(LegalRef(m.start(), m.end(), m.group(0), doc.sentence_of(m.start()), LEGAL_NAME,
                            ref=ref, ref_type=ref_type))
    return out
