"""A small database built fact by fact (no extractor in the way), so every figure of every
mart on it is known. Shared by the analysis, registry-review, notebook and report tests.

The five plans of DOCS are scored relevant; NOT_RELEVANT are pages the relevance model
turned down (a Tháng Công nhân plan that names a movement): the marts leave them out
unless the relevance policy counts every document."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.canon import Registry
from pipeline.models import Document, Extraction, FetchedPage, MetaField, MovementMention, Phase, Relevance, TopicHit
from pipeline.canon.sync import refresh
from pipeline.store import connect, load
from pipeline.store.load import DocumentFacts

REGISTRY = """
[[movement]]
canonical = "Lao động giỏi, Lao động sáng tạo"
kind = "movement"
launched_by = "Tổng Liên đoàn Lao động Việt Nam"

[[movement]]
canonical = "Cả nước chung sức xây dựng nông thôn mới"
kind = "movement"
launched_by = "Thủ tướng Chính phủ"
launched_on = 2011-06-04
"""

# (doc_id, source, published, campaign year, level, issuer, province, district, province_2025, movements, topics, phases)
DOCS: list[tuple[Any, ...]] = [
    ("n2020", "s1", "2019-12-20", 2020, "national", "Tổng Liên đoàn Lao động Việt Nam", None, None, None,
     ["Lao động giỏi, Lao động sáng tạo"], ["productivity_innovation"], [(1, "2020-01-01", "2020-06-30"), (2, "2020-07-01", "2020-12-31")]),
    ("p2020", "s1", "2020-01-15", 2020, "province", "Liên đoàn Lao động tỉnh Bắc Kạn", "Bắc Kạn", None, "Thái Nguyên",
     ["Lao động giỏi, Lao động sáng tạo", "Bắc Kạn chung sức xây dựng nông thôn mới"], ["productivity_innovation", "new_rural_poverty"],
     [(1, "launch", "2020-06-30"), (2, "2020-07-01", "2020-12-31")]),
    ("d2021", "s2", "2021-01-10", 2021, "district", "Liên đoàn Lao động huyện Chợ Mới", "Bắc Kạn", "Chợ Mới", "Thái Nguyên",
     ["Lao động giỏi, Lao động sáng tạo", "Chợ Mới sạch đẹp"], ["new_rural_poverty"], [(1, "2021-01", "2021-06-30")]),
    ("q2021", "s1", "2021-03-05", 2021, "province", "Liên đoàn Lao động tỉnh Thái Nguyên", "Thái Nguyên", None, "Thái Nguyên",
     ["Cả nước chung sức xây dựng nông thôn mới"], [], []),
    ("s2021", "s1", "2021-03-20", 2021, "sector", "Công đoàn Viên chức tỉnh Thái Nguyên", "Thái Nguyên", None, "Thái Nguyên",
     [], ["productivity_innovation"], []),
]  # fmt: skip
NOT_RELEVANT: list[tuple[Any, ...]] = [
    ("x2021", "s2", "2021-04-20", 2021, "province", "Liên đoàn Lao động tỉnh Bắc Kạn", "Bắc Kạn", None, "Thái Nguyên",
     ["Lao động giỏi, Lao động sáng tạo"], ["worker_welfare"], []),
]  # fmt: skip
RELEVANT_P, NOT_RELEVANT_P = 0.93, 0.08


def build(path: Path, registry_text: str = REGISTRY) -> None:
    con = connect(path)
    registry = Registry.from_text(registry_text, Path("test-registry.toml"))
    items = []
    for doc_id, source, published, year, level, issuer, province, district, p2025, movements, topics, phases in DOCS + NOT_RELEVANT:
        parts: list[str] = [f"Kế hoạch thi đua năm {year} của {issuer}."]
        spans: dict[str, tuple[int, int]] = {}

        def add(text: str) -> tuple[int, int]:
            start = len(" ".join(parts)) + 1
            parts.append(text)
            return start, start + len(text)

        for name in movements:
            spans["m:" + name] = add(f"“{name}”.")
        for topic in topics:
            spans["t:" + topic] = add(f"Chủ đề {topic}.")
        for n, a, b in phases:
            spans[f"p:{n}"] = add(f"Đợt {n} từ {a} đến {b}.")
        text = " ".join(parts)
        sentence_of = {s: i + 1 for i, s in enumerate(spans.values())}
        sentences = [(0, len(parts[0])), *spans.values()]
        meta = [MetaField(0, 5, text[0:5], 0, "campaign.v1", name=k, value=str(v)) for k, v in
                (("issuer", issuer), ("level", level), ("province", province), ("district", district),
                 ("province_2025", p2025), ("year", year)) if v is not None]  # fmt: skip
        mentions = [MovementMention(s + 1, e - 2, text[s + 1 : e - 2], sentence_of[(s, e)], "movements.v1", kind="movement")
                    for key, (s, e) in spans.items() if key.startswith("m:")]  # fmt: skip
        hits = [TopicHit(s, e, text[s:e], sentence_of[(s, e)], "topics.v1", topic=key[2:], cue="chủ đề")
                for key, (s, e) in spans.items() if key.startswith("t:")]  # fmt: skip
        phase_rows = [Phase(s, e, text[s:e], sentence_of[(s, e)], "phases.v1", n=int(key[2:]), start_date=a, end_date=b)
                      for (key, (s, e)), (_, a, b) in zip([kv for kv in spans.items() if kv[0].startswith("p:")], phases, strict=True)]  # fmt: skip
        url = f"http://{source}.example/{doc_id}.html"
        fetched = dt.datetime(2026, 1, 1)
        load.insert_page(con, FetchedPage(source, url, url, "article", fetched, 200, "text/html", "", "", doc_id, 1, "w.warc.gz", 0, 1), None)
        document = Document(doc_id, source, url, url, doc_id, f"Tin {doc_id}", "", "", dt.date.fromisoformat(published), text, "test")
        ex = Extraction(doc_id, movements=tuple(mentions), topics=tuple(hits), phases=tuple(phase_rows), meta=tuple(meta))
        ids = [registry.resolve(m.surface).movement_id for m in mentions]
        p = NOT_RELEVANT_P if doc_id in {d[0] for d in NOT_RELEVANT} else RELEVANT_P
        items.append(DocumentFacts(document, sentences, ex, ids, Relevance(p, p >= 0.5, "scored", "test-model")))
    load.write_documents(con, items)
    refresh(con, registry)
    con.close()
