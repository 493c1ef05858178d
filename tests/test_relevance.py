"""The relevance classifier: the shipped model loads from disk and says which documents are
campaign plans, documents it cannot judge get a status, `thidua train` writes a versioned
model with its report (the same corpus gives the same model), broken inputs are clear
errors, processing stores a verdict per document, the marts count relevant documents
unless the policy says all, re-scoring fills gaps, and topic discovery finds the themes of
the counted documents."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.canon import Registry
from pipeline.classify import ClassifierError, RelevanceModel, load_model
from pipeline.classify.relevance import MIN_WORDS, MODEL_DIR
from pipeline.classify.training import load_examples, read_corpus_file, train
from pipeline.extract import TopicRules
from pipeline.record import extract_file
from pipeline.settings import Settings
from pipeline.store import reading
from tests.analysis_db import build
from tests.conftest import REPO, run_cli

Tools = tuple[TopicRules, Registry]


@pytest.fixture(scope="module")
def model() -> RelevanceModel:
    return load_model()


@pytest.fixture(scope="module")
def tools() -> Tools:
    s = Settings()
    return TopicRules.from_file(s.topics), Registry.from_file(s.registry)


def test_the_shipped_model_loads_from_disk_with_its_report(model: RelevanceModel) -> None:
    version = (MODEL_DIR / "CURRENT").read_text(encoding="utf-8").strip()
    assert model.version == version
    report = json.loads((MODEL_DIR / f"{version}.report.json").read_text(encoding="utf-8"))
    cv = report["cross_validation"]
    assert cv["stratified_5fold"]["f1"] >= 0.95 and cv["hard_negatives"]["precision"] >= 0.95
    assert len(cv["most_confusing"]) == 10 and (MODEL_DIR / f"{version}.report.md").exists()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PLAN = """Liên đoàn Lao động huyện Yên Thành phát động thi đua năm 2024

Sáng 9/1, Liên đoàn Lao động huyện Yên Thành tổ chức lễ phát động phong trào thi đua năm 2024 với chủ đề
“Đoàn kết, sáng tạo, vì quyền lợi đoàn viên”. Ban Thường vụ LĐLĐ huyện phát động các phong trào “Lao động
giỏi, Lao động sáng tạo”, “Xanh - Sạch - Đẹp, Bảo đảm an toàn vệ sinh lao động” và “Giỏi việc nước, đảm việc
nhà” trong công nhân, viên chức, lao động. Đợt 1 từ khi phát động đến 30/6/2024 chào mừng 95 năm Ngày thành lập
Công đoàn Việt Nam; đợt 2 từ 1/7 đến 31/12/2024. Các công đoàn cơ sở xây dựng kế hoạch hưởng ứng, đăng ký chỉ
tiêu thi đua và báo cáo kết quả về LĐLĐ huyện.
"""
COMMITTEE = """UBND tỉnh Quảng Trị phát động phong trào thi đua năm 2024

Ủy ban nhân dân tỉnh Quảng Trị vừa ban hành kế hoạch phát động phong trào thi đua yêu nước năm 2024 trong các sở,
ban, ngành và địa phương. Chủ tịch UBND tỉnh yêu cầu các sở, ngành đẩy mạnh phong trào “Cả nước chung sức xây
dựng nông thôn mới” và cải cách hành chính. Giám đốc các sở, Chủ tịch UBND các huyện chịu trách nhiệm tổ chức
thực hiện; Ban Thi đua - Khen thưởng tỉnh theo dõi, tổng hợp kết quả và đề xuất khen thưởng cuối năm.
Liên đoàn Lao động tỉnh phối hợp tuyên truyền trong công nhân, viên chức, lao động.
"""


def test_it_tells_a_union_plan_from_a_committee_launch(tmp_path: Path, model: RelevanceModel, tools: Tools) -> None:
    plan, _ = extract_file(_write(tmp_path, "plan.txt", PLAN), *tools, relevance=model)
    committee, _ = extract_file(_write(tmp_path, "ubnd.txt", COMMITTEE), *tools, relevance=model)
    assert plan["relevant"] is True and plan["relevance"] > 0.5 and plan["relevance_status"] == "scored"
    assert committee["relevant"] is False and committee["relevance"] < 0.5
    assert plan["relevance_model"] == model.version


def test_documents_it_cannot_judge_get_a_status_not_a_guess(tmp_path: Path, model: RelevanceModel, tools: Tools) -> None:
    cases = {
        "empty.txt": ("   \n\n", "empty"),
        "english.txt": ("The union launched its yearly campaign for good workers and safe factories. " * 5, "other_language"),
        "short.txt": ("Công đoàn phát động thi đua năm 2024 trong toàn tỉnh.", "too_short"),
        "binary.txt": ("\x00\x01\x02" * 100, "binary"),
    }
    for name, (text, status) in cases.items():
        rec, _ = extract_file(_write(tmp_path, name, text), *tools, relevance=model)
        assert (rec["relevant"], rec["relevance"], rec["relevance_status"]) == (None, None, status), name
    assert len(["Công", "đoàn", "phát", "động", "thi", "đua", "năm", "2024", "trong", "toàn", "tỉnh."]) < MIN_WORDS


def _corpus(tmp_path: Path) -> Path:
    """The sample site to learn from, the plain pages as a dev set."""
    path = tmp_path / "data" / "training" / "corpus.toml"
    path.parent.mkdir(parents=True)
    path.write_text(
        f'[[set]]\nname = "sample_site"\ngold = "{REPO}/data/gold/sample_site.jsonl"\ndocs = "{REPO}/data/sample_site"\nuse = "train"\n\n'
        f'[[set]]\nname = "plain_pages"\ngold = "{REPO}/data/gold/plain_pages.jsonl"\ndocs = "{REPO}/data/plain_pages"\nuse = "dev"\n\n'
        '[[set]]\nname = "absent"\ngold = "nowhere/gold.jsonl"\ndocs = "nowhere"\nuse = "dev"\noptional = true\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_train_writes_a_versioned_model_and_report_and_the_same_corpus_gives_the_same_model(tmp_path: Path) -> None:
    corpus, out = _corpus(tmp_path), tmp_path / "models"
    r = run_cli("train", "--corpus", str(corpus), "--out", str(out))
    assert r.returncode == 0, r.stderr
    version = (out / "CURRENT").read_text(encoding="utf-8").strip()
    assert version.startswith("relevance-") and (out / f"{version}.joblib").exists()
    report = json.loads((out / f"{version}.report.json").read_text(encoding="utf-8"))
    assert report["training"] == {"sample_site": {"relevant": 44, "not relevant": 26}}
    assert set(report["dev"]) == {"plain_pages"}  # the optional set that is not there is skipped
    assert report["cross_validation"]["stratified_5fold"]["confusion"]["tp"] > 30
    assert "stratified 5-fold" in r.stdout and "most confusing" in r.stdout
    again = train(read_corpus_file(corpus), tmp_path / "again", activate=False, validate=False)
    assert again.model.version == version and not (tmp_path / "again" / "CURRENT").exists()
    first = load_model(out)
    docs = [e.features for e in load_examples(read_corpus_file(corpus))[:20]]
    assert list(first.probabilities(docs)) == list(again.model.probabilities(docs))


def test_corpus_and_model_errors_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "data" / "training" / "corpus.toml"
    bad.parent.mkdir(parents=True)
    bad.write_text('[[set]]\nname = "mine"\ngold = "g.jsonl"\n', encoding="utf-8")
    with pytest.raises(ClassifierError, match=r"set 1 \(mine\) needs name, gold, docs and use"):
        read_corpus_file(bad)
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": "x"}\n', encoding="utf-8")
    (tmp_path / "x.txt").write_text("một trang", encoding="utf-8")
    bad.write_text(f'[[set]]\nname = "mine"\ngold = "{gold}"\ndocs = "{tmp_path}"\nuse = "train"\n', encoding="utf-8")
    with pytest.raises(ClassifierError, match="record x has no 'relevant' label"):
        train(read_corpus_file(bad), tmp_path / "m")
    with pytest.raises(ClassifierError, match="no CURRENT file"):
        load_model(tmp_path)
    (tmp_path / "broken.joblib").write_bytes(b"not a model")
    with pytest.raises(ClassifierError, match="cannot load relevance model") as exc:
        load_model(tmp_path / "broken.joblib")
    assert "thidua train" in exc.value.hint
    r = run_cli("extract", str(tmp_path / "x.txt"), env={"THIDUA_RELEVANCE_MODEL": str(tmp_path / "broken.joblib")})
    assert r.returncode == 1 and "cannot load relevance model" in r.stderr and "thidua train" in r.stderr


def _mart(db: Path, sql: str) -> list[tuple]:
    with reading(db) as con:
        return con.execute(sql).fetchall()


def test_marts_count_relevant_documents_unless_the_policy_counts_all(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    build(db)  # five plans scored 0.93 and a turned-down page (0.08) naming "Lao động giỏi, Lao động sáng tạo"
    recurrence = "SELECT n_documents FROM mart_movement_recurrence WHERE movement = 'Lao động giỏi, Lao động sáng tạo'"
    assert _mart(db, recurrence) == [(3,)]
    assert _mart(db, "SELECT sum(documents), sum(counted_documents) FROM mart_coverage") == [(6, 5)]
    r = run_cli("relevance", "--db", str(db), "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {(x["status"], x["relevant"]): x for x in json.loads(r.stdout)}
    assert rows[("scored", True)]["documents"] == 5 and rows[("scored", False)]["counted_by_marts"] == 0
    r = run_cli("relevance", "policy", "--count", "all", "--db", str(db))
    assert r.returncode == 0 and "every document" in r.stdout, r.stderr
    assert _mart(db, recurrence) == [(4,)]
    r = run_cli("relevance", "policy", "--count", "relevant", "--threshold", "0.95", "--db", str(db))
    assert r.returncode == 0 and "threshold 0.95" in r.stdout, r.stderr
    assert _mart(db, recurrence) == []  # 0.93 is below the new threshold: nothing is counted
    assert _mart(db, "SELECT count(*) FROM document_relevance WHERE relevant") == [(0,)]  # labels follow the threshold
    r = run_cli("show", "x2021", "--db", str(db), "--format", "json")
    assert r.returncode == 0, r.stderr  # a page the marts leave out can still be looked at
    r = run_cli("relevance", "policy", "--count", "some", "--db", str(db))
    assert r.returncode == 2 and "use relevant or all" in (r.stderr + r.stdout)


@pytest.mark.slow
def test_processing_stores_a_verdict_per_document_and_scoring_fills_the_gaps(demo_db: Path, tmp_path: Path) -> None:
    db = Path(shutil.copy(demo_db, tmp_path / "demo.duckdb"))
    gold = {json.loads(line)["id"].rsplit("-", 1)[-1]: json.loads(line)["relevant"]
            for line in (REPO / "data" / "gold" / "sample_site.jsonl").read_text(encoding="utf-8").splitlines()}  # fmt: skip
    rows = _mart(db, "SELECT d.url, r.relevant, r.probability, r.status FROM documents d JOIN document_relevance r USING (doc_id)")
    assert len(rows) == len(_mart(db, "SELECT * FROM documents")) == 70
    by_article = {url.rsplit("-", 1)[-1].removesuffix(".html"): relevant for url, relevant, _, _ in rows}
    assert by_article == gold  # the sample site is training data: every page right
    assert _mart(db, "SELECT count(*) FROM stg_campaigns") == [(44,)]
    with duckdb.connect(str(db)) as con:
        before = dict(con.execute("SELECT doc_id, probability FROM document_relevance").fetchall())
        con.execute("DELETE FROM document_relevance WHERE doc_id IN (SELECT doc_id FROM documents ORDER BY doc_id LIMIT 10)")
    r = run_cli("relevance", "score", "--which", "missing", "--db", str(db))
    assert r.returncode == 0 and "10 documents scored" in r.stdout, r.stderr
    assert dict(_mart(db, "SELECT doc_id, probability FROM document_relevance")) == before
    r = run_cli("relevance", "score", "--db", str(db))  # stale: nothing, every verdict is the current model's
    assert r.returncode == 0 and "0 documents scored" in r.stdout, r.stderr


@pytest.mark.slow
def test_topic_discovery_finds_the_themes_of_the_counted_documents(demo_db: Path) -> None:
    r = run_cli("topics", "discover", "--db", str(demo_db), "--k", "4", "--top", "8", "--format", "json")
    assert r.returncode == 0, r.stderr
    topics = json.loads(r.stdout)
    assert [t["topic"] for t in topics] == [1, 2, 3, 4] and all(len(t["top_words"].split(", ")) == 8 for t in topics)
    assert sum(t["documents"] for t in topics) == 44
    words = {w for t in topics for w in t["top_words"].split(", ")}
    assert not {"và", "của", "các"} & words and not any(w[:1].isupper() for w in words)  # stop words and names left out
    r = run_cli("topics", "discover", "--db", str(demo_db), "--k", "4", "--shares", "--format", "json")
    shares = json.loads(r.stdout)
    assert all(abs(sum(v for k, v in row.items() if k.startswith("topic")) - 1) < 0.01 for row in shares)
    r = run_cli("topics", "discover", "--db", str(demo_db), "--k", "60")
    assert r.returncode == 1 and "needs at least 60" in r.stderr
