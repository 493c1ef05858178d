"""Local extraction (`thidua extract`), plain-text pages, and the evaluation gate against the
pinned baseline (data/gold/baseline.toml)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.canon import Registry
from pipeline.evaluate import check_baseline, evaluate, load_baseline, load_gold
from pipeline.extract import TopicRules
from pipeline.record import extract_file
from pipeline.settings import Settings
from pipeline.text.plain import read_plain
from tests.conftest import REPO, run_cli

PLAIN = REPO / "tests" / "fixtures" / "plain" / "ldld-huyen-tan-yen-2023.txt"
TOOLS = (TopicRules.from_file(Settings().topics), Registry.from_file(Settings().registry))
BASELINE = REPO / "data" / "gold" / "baseline.toml"


@pytest.fixture(scope="module")
def tools() -> tuple[TopicRules, Registry]:
    s = Settings()
    return TopicRules.from_file(s.topics), Registry.from_file(s.registry)


def test_plain_page_drops_header_and_related_articles() -> None:
    main = read_plain(PLAIN.read_text(encoding="utf-8"))
    assert main.title == "LĐLĐ huyện Tân Yên phát động phong trào thi đua năm 2023"
    assert main.published is not None and main.published.isoformat() == "2023-01-13"  # the cue, not the site clock
    assert main.author == ""  # the last name closes a signature block: the signatory, not a byline
    assert "Hoàng Văn Thắng" in main.body
    assert "Tết Sum vầy" not in main.text and "Thống kê truy cập" not in main.text
    assert "Chào mừng bạn đến" not in main.text


def test_plain_page_with_menus_byline_header_and_attachment() -> None:
    """Title under a banner, a menu and a breadcrumb; byline and date under the title; an
    official header (parent body, issuing body, "Số:"); the body ends at the attachment."""
    path = REPO / "tests" / "fixtures" / "plain" / "cd-nganh-y-te-nam-dinh-2019.txt"
    main = read_plain(path.read_text(encoding="utf-8"))
    assert main.title == "Công đoàn ngành Y tế triển khai phong trào thi đua năm 2019"
    assert main.author == "Ngọc Anh"
    assert main.published is not None and main.published.isoformat() == "2019-01-14"  # under the title, not the site clock
    assert main.body.startswith("LIÊN ĐOÀN LAO ĐỘNG TỈNH NAM ĐỊNH")  # byline, date and counter are not body
    assert "Tải về" not in main.text and "Điều dưỡng thanh lịch" not in main.text and "Bản quyền" not in main.text
    rec, _ = extract_file(path, *TOOLS)
    assert (rec["issuer"], rec["level"], rec["province"], rec["province_2025"]) == (
        "Công đoàn ngành Y tế tỉnh Nam Định", "sector", "Nam Định", "Ninh Bình")  # fmt: skip
    assert [(p["n"], p["start"], p["end"]) for p in rec["phases"]] == [(1, "2019-01-01", "2019-06"), (2, "2019-07-01", "2019-12-31")]
    assert [m["text"] for m in rec["movements"]] == ["Lao động giỏi, Lao động sáng tạo", "Vì nụ cười người bệnh"]


def test_a_download_link_above_the_text_does_not_end_the_body() -> None:
    """A plan posted as a file shows its link first, then its text: the link is dropped, the
    text kept. After the text, a link still closes the body (the fixture above)."""
    page = (
        "Kế hoạch phát động thi đua năm 2017 của Công đoàn ngành Giáo dục tỉnh\n\n"
        "Tải về: KH-12-CDGD-2017.pdf\n\n"
        "Số: 12/KH-CĐGD\n\n"
        + "Công đoàn ngành Giáo dục phát động phong trào thi đua “Dạy tốt, học tốt” trong toàn ngành. " * 6
        + "\n\nTải về: phu-luc.docx\n\nTin liên quan\n\nMột tin khác về công đoàn\n"
    )  # fmt: skip
    main = read_plain(page)
    assert "Số: 12/KH-CĐGD" in main.body and main.body.count("Dạy tốt, học tốt") == 6
    assert "Tải về" not in main.body and "Tin liên quan" not in main.body


def test_extract_cli_prints_codebook_records_with_spans() -> None:
    site = REPO / "data" / "sample_site" / "thi-dua"
    html = sorted(site.glob("*.html"))[0]
    r = run_cli("extract", str(PLAIN), str(html), "--with-text")
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [Path(x["path"]).name for x in records] == [PLAIN.name, html.name]
    rec = records[0]
    assert rec["issuer"] == "Liên đoàn Lao động huyện Tân Yên" and rec["level"] == "district"
    assert rec["year"] == 2023 and rec["doc_number"] == "05/KH-LĐLĐ" and rec["signatory"] == "Hoàng Văn Thắng"
    assert [m["text"] for m in rec["movements"]] == [
        "Lao động giỏi, Lao động sáng tạo", "Giỏi việc nước, đảm việc nhà",
        "Xanh - Sạch - Đẹp, Bảo đảm an toàn vệ sinh lao động",
    ]  # fmt: skip
    assert rec["movements"][2]["canonical"] == "Xanh, sạch, đẹp, bảo đảm an toàn vệ sinh lao động"
    assert [(t["kind"], t["text"][:20]) for t in rec["themes"]] == [("year", "Đổi mới, sáng tạo, đ")]
    assert [(p["n"], p["start"], p["end"]) for p in rec["phases"]] == [(1, "launch", "2023-06"), (2, "2023-07-01", "2023-12-31")]  # "đến hết tháng 6/2023": a month bound
    assert [(a["years"], a["from"], a["to"]) for a in rec["anniversaries"]] == [(94, "1929-07-28", "2023-07-28")]
    assert "Tết Sum vầy" not in json.dumps(rec, ensure_ascii=False)
    for record in records:  # every fact's span points at its surface
        text = record["text"]
        for key in ("themes", "movements", "other_quotes"):
            for fact in record[key]:
                assert text[fact["span"][0] : fact["span"][1]] == fact["text"]
        for name, (s, e) in record["spans"].items():
            assert text[s:e], name


def test_extract_cli_errors_name_the_problem(tmp_path: Path) -> None:
    r = run_cli("extract", str(tmp_path / "missing.html"))
    assert r.returncode == 1 and "no such file" in r.stderr
    r = run_cli("extract", str(PLAIN), "--format", "xml")
    assert r.returncode == 2 and "jsonl" in r.stderr


def test_eval_cli_lists_misses_with_their_sentence(tmp_path: Path, sample_gold: list[dict]) -> None:
    gold = dict(sample_gold[0])
    gold["movements"] = [*gold["movements"], {"text": "Phong trào không có trong bài", "kind": "movement"}]
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold, ensure_ascii=False) + "\n" + json.dumps({"id": "no-such-page"}) + "\n", encoding="utf-8")
    r = run_cli("eval", "--gold", str(path), "--docs", str(REPO / "data" / "sample_site"), "--format", "json")
    assert r.returncode == 0, r.stderr
    (report,) = json.loads(r.stdout)
    assert report["documents"] == 1 and report["missing_docs"] == ["no-such-page"]
    assert report["fields"]["movements"]["fn"] == 1
    assert report["misses"]["movements"] == [[gold["id"], "Phong trào không có trong bài", "(not in the extracted text)"]]
    r = run_cli("eval", "--gold", str(path), "--docs", str(REPO / "data" / "sample_site"))
    assert "movements missed" in r.stdout and "1 gold records have no file" in r.stderr


def _gate(gold: Path, docs: Path, set_name: str, tools: tuple[TopicRules, Registry]) -> list[str]:
    """The extractors and the shipped relevance model against the set's pins."""
    from pipeline.classify import load_model

    rules, registry = tools
    model = load_model()
    report = evaluate(load_gold(gold), lambda p: extract_file(p, rules, registry, relevance=model), docs, set_name)
    return check_baseline(report, load_baseline(BASELINE)[set_name])


def test_gate_sample_site(tools: tuple[TopicRules, Registry]) -> None:
    failures = _gate(REPO / "data" / "gold" / "sample_site.jsonl", REPO / "data" / "sample_site", "sample_site", tools)
    assert not failures, "extractors regressed below data/gold/baseline.toml:\n" + "\n".join(failures)


def test_gate_seeds(shared_dir: Path, tools: tuple[TopicRules, Registry]) -> None:
    failures = _gate(shared_dir / "gold" / "seeds.jsonl", shared_dir / "seeds", "seeds", tools)
    assert not failures, "extractors regressed below data/gold/baseline.toml:\n" + "\n".join(failures)


def test_gate_plain_pages(tools: tuple[TopicRules, Registry]) -> None:
    failures = _gate(REPO / "data" / "gold" / "plain_pages.jsonl", REPO / "data" / "plain_pages", "plain_pages", tools)
    assert not failures, "extractors regressed below data/gold/baseline.toml:\n" + "\n".join(failures)


def test_gate_fails_when_an_extractor_regresses(monkeypatch: pytest.MonkeyPatch, tools: tuple[TopicRules, Registry]) -> None:
    """Break the quote-role rules (every quote 'other'): the gate must notice."""
    import pipeline.extract.quotes as quotes

    monkeypatch.setattr(quotes, "_role", lambda *a, **k: "other")
    failures = _gate(REPO / "data" / "gold" / "sample_site.jsonl", REPO / "data" / "sample_site", "sample_site", tools)
    assert any(f.startswith("movements ") for f in failures) and any(f.startswith("themes ") for f in failures)


def test_baseline_pins_the_issue_minimums() -> None:
    base = load_baseline(BASELINE)
    for set_name in ("sample_site", "seeds", "plain_pages"):
        pins = base[set_name]
        assert pins["movements.f1"] >= 0.95 and pins["themes.f1"] >= 0.90 and pins["phases_exact.f1"] >= 0.95
        for fld in ("issuer", "level", "year", "province"):
            assert pins[f"{fld}.accuracy"] >= 0.90
        assert pins["other_quotes_as_movements.max_false_hits"] == 0 and pins["boilerplate_quotes_reported.max_false_hits"] == 0
