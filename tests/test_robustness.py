"""Bad input never stops a batch: every page gets a status, the summary says what became of
it. And the extractors, fuzzed over random and mutated Vietnamese text, never raise and
keep every span on its surface."""
from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.archive import WarcArchive
from pipeline import process
from pipeline.canon import Registry
from pipeline.extract import TopicRules, extract_all
from pipeline.models import Doc, Extraction, FetchedPage
from pipeline.process import process_pages
from pipeline.record import extract_file
from pipeline.settings import Settings
from pipeline.store import connect, load
from pipeline.text import make_doc
from pipeline.text.normalize import normalize_text
from tests.conftest import REPO

S = Settings()
RULES = TopicRules.from_file(S.topics)
REGISTRY = Registry.from_file(S.registry)
VI = ("Ngày 12/01/2024, Liên đoàn Lao động tỉnh Bắc Giang ban hành Kế hoạch số 05/KH-LĐLĐ phát động phong trào thi đua "
      "“Lao động giỏi, Lao động sáng tạo” trong công nhân, viên chức, lao động. Đợt 1 từ khi phát động đến 30/6/2024.")  # fmt: skip
PAGES = {
    "ok": f"<html><body><article><h1>Phát động thi đua năm 2024</h1><p>{VI}</p></article></body></html>".encode(),
    "menu-only": b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav><footer>\xc2\xa9 2024</footer></body></html>",
    "english": ("<html><body><article><h1>Union news</h1><p>" + "The trade union launched a new emulation campaign "
                "for workers across the province this year. " * 20 + "</p></article></body></html>").encode(),
    "binary": bytes(random.Random(1).randrange(256) for _ in range(5000)) + b"\x00\x00",
    "controls": f"<html><body><article><h1>Thi đua\x07 năm 2024</h1><p>{VI[:80]}\x01\x02{VI[80:]}</p></article></body></html>".encode(),
    "huge-text": ("<html><body><article><h1>Tổng hợp</h1>" + "".join(f"<p>{i}. {VI}</p>" for i in range(6000)) + "</article></body></html>").encode(),
}


def _archive_pages(db: Path, archive: Path) -> None:
    con = connect(db)
    when = dt.datetime(2024, 1, 15)
    with WarcArchive(archive, "t") as warc:
        for name, body in PAGES.items():
            url = f"http://cd.example/tin/{name}.html"
            rec = warc.write_response(url, 200, "OK", [("Content-Type", "text/html; charset=utf-8")], body, when)
            load.insert_page(con, FetchedPage("cd", url, url, "article", when, 200, "text/html", "", "", name, len(body),
                                              rec.warc_file, rec.offset, rec.length), None)  # fmt: skip
    con.close()


def test_bad_pages_get_a_status_and_the_batch_goes_on(tmp_path: Path) -> None:
    db, archive = tmp_path / "r.duckdb", tmp_path / "warc"
    _archive_pages(db, archive)
    con = connect(db)
    summary = process_pages(con, archive, REGISTRY, RULES)
    statuses = dict(con.execute("SELECT regexp_extract(url, '/tin/(.*)\\.html', 1), status FROM documents").fetchall())
    assert statuses == {
        "ok": "ok", "controls": "ok", "menu-only": "empty", "english": "other_language", "binary": "binary",
        "huge-text": "too_large",
    }  # fmt: skip
    text = con.execute("SELECT text FROM documents WHERE url LIKE '%controls%'").fetchone()[0]
    assert "\x01" not in text and "\x07" not in text and "Lao động giỏi" in text
    facts = dict(con.execute("SELECT d.status, count(m.doc_id) FROM documents d LEFT JOIN movement_mentions m USING (doc_id) GROUP BY 1").fetchall())
    assert facts["ok"] == 2 and facts["too_large"] == 0 and facts["other_language"] == 0, "facts only from documents to read"
    assert summary.errors == 0 and summary.documents == 2
    assert summary.describe() == "6 article pages → 2 documents (1 empty, 1 binary, 1 too large, 1 other language, 0 errors)"


def test_html_caches_are_emptied_after_every_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """trafilatura fingerprints every page and caches a vector per word it saw (16,384 of
    them, about 13 MB): over a long job that grew with the pages seen. Each batch of pages
    starts with it empty, and emptying it logs no error."""
    from trafilatura.deduplication import _vector_to_add

    db, archive = tmp_path / "r.duckdb", tmp_path / "warc"
    _archive_pages(db, archive)
    monkeypatch.setattr(process, "PAGE_BATCH", 2)
    filled: list[int] = []

    def clear() -> None:
        filled.append(_vector_to_add.cache_info().currsize)
        real_clear()

    real_clear = process.clear_caches
    monkeypatch.setattr(process, "clear_caches", clear)
    con = connect(db)
    with caplog.at_level(logging.WARNING):
        process_pages(con, archive, REGISTRY, RULES)
    assert len(filled) == 3, "once per batch of 2 of the 6 pages"
    assert all(n > 0 for n in filled), filled
    assert _vector_to_add.cache_info().currsize == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_local_files_get_the_same_statuses(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"   \n\n ",
        "junk.txt": bytes(random.Random(2).randrange(256) for _ in range(3000)),
        "big.txt": (VI + "\n").encode() * 40_000,  # ~10 MB: not even read
        "long.txt": (VI + "\n").encode() * 5_000,  # 1.1 million characters of text
        "english.txt": b"Union news\n\n" + b"The union launched a campaign for all workers this year. " * 30 + b"\n\nMore news.",
    }
    want = {"empty.txt": "empty", "junk.txt": "binary", "big.txt": "too_large", "long.txt": "too_large", "english.txt": "other_language"}
    for name, body in cases.items():
        (tmp_path / name).write_bytes(body)
        rec, _ = extract_file(tmp_path / name, RULES, REGISTRY)
        assert rec["status"] == want[name], name
        assert rec["movements"] == [] and rec["themes"] == []


def _check(doc: Doc, ex: Extraction) -> None:
    text = doc.text
    for group in (ex.quotes, ex.themes, ex.movements, ex.phases, ex.anniversaries, ex.legal_refs, ex.topics, ex.meta):
        for fact in group:
            assert text[fact.start : fact.end] == fact.surface, fact
            assert -1 <= fact.sentence < len(doc.sentences)
    assert doc.nlp.text == text
    assert all(text[t.start : t.end] == t.text for t in doc.tokens)


PIECES = st.sampled_from([
    "phong trào ", "thi đua ", "“", "”", '"', "‘", "’", "chủ đề năm ", "Đợt 1 ", "đợt II ", "(từ 01/7 đến 31/12/2021)",
    "từ tháng 01/2021 đến hết tháng 6/2021", "ngày 23 tháng 12 năm 2020", "Kế hoạch số 81/KH-TLĐ ", "34- CT/TW", "; ", ", ",
    ". ", "\n", "\n\n", "kỷ niệm 95 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929 - 28/7/2024)", "Liên đoàn Lao động tỉnh Bắc Kạn ",
    "năm 2024 ", "CHỦ TỊCH\n", "(Đã ký)\n", "Nguyễn Văn A", "Ð", "hoá ", "İ", "\u0301", "\x00", "\u2028", "a" * 30, "😀", "  ",
])  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=40))
def test_fuzz_random_pieces(pieces: list[str]) -> None:
    text = normalize_text("".join(pieces))
    doc = make_doc("f", text)
    _check(doc, extract_all(doc, RULES))


SEED_TEXTS = [
    normalize_text(p.read_text(encoding="utf-8").split("+++", 2)[-1])
    for p in sorted((REPO / "data" / "sample_src" / "articles").glob("*.md"))[:12]
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_TEXTS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 40), st.sampled_from(["del", "dup", "quote", "nl", "raw"])), max_size=8))
def test_fuzz_mutated_vietnamese(text: str, edits: list[tuple[int, int, str]]) -> None:
    for at, width, op in edits:
        i = at % (len(text) + 1)
        if op == "del":
            text = text[:i] + text[i + width :]
        elif op == "dup":
            text = text[:i] + text[i : i + width] * 2 + text[i + width :]
        elif op == "quote":
            text = text[:i] + "“" + text[i:]
        elif op == "nl":
            text = text[:i] + "\n" + text[i:]
        else:  # unnormalised: the extractors must cope with whatever reaches them
            text = text[:i] + "\u00d0\t\x0b" + text[i:]
    doc = make_doc("m", text)
    _check(doc, extract_all(doc, RULES))


@pytest.mark.parametrize("path", sorted((REPO / "tests" / "fixtures").rglob("*.html")) + sorted((REPO / "tests" / "fixtures").rglob("*.txt")), ids=lambda p: p.name)
def test_provenance_on_every_fixture(path: Path) -> None:
    rec, doc = extract_file(path, RULES, REGISTRY, include_text=True)
    text = rec["text"]
    for key in ("themes", "movements", "other_quotes", "phases", "anniversaries", "legal_refs", "topic_cues"):
        for fact in rec[key]:
            s, e = fact["span"]
            assert 0 <= s <= e <= len(text)
    for m in rec["movements"] + rec["themes"] + rec["other_quotes"]:
        assert text[m["span"][0] : m["span"][1]] == m["text"]
