"""The demo path end to end: real server on 127.0.0.1, real Scrapy crawl, real DuckDB file."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import pytest

from tests.conftest import reader_holding, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    runs = [run_cli("demo", "--db", str(db)) for _ in range(2)]
    return db, runs


def test_demo_prints_both_tables(demo_runs: tuple[Path, list]) -> None:
    _, runs = demo_runs
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
        assert "Movement recurrence" in r.stdout
        assert "campaign year × topic" in r.stdout
        assert "Lao động giỏi, Lao động sáng tạo" in r.stdout


def test_demo_crawled_every_kind_of_page(demo_runs: tuple[Path, list], sample_gold: list[dict]) -> None:
    db, _ = demo_runs
    con = duckdb.connect(str(db), read_only=True)
    kinds = dict(con.execute("SELECT kind, count(*) FROM pages GROUP BY kind").fetchall())
    assert {"sitemap", "feed", "listing", "article"} <= set(kinds)
    assert kinds["article"] == len(sample_gold)
    assert kinds["listing"] >= 5  # home, sections and their "trang-N" pages
    urls = {r[0] for r in con.execute("SELECT canonical_url FROM pages").fetchall()}
    assert not any("/tim-kiem/" in u or "/admin/" in u for u in urls), "robots.txt disallows these"
    assert con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0] == len(sample_gold)
    assert con.execute("SELECT count(*) FROM pipeline_errors").fetchone()[0] == 0
    texts = [r[0] for r in con.execute("SELECT text FROM documents").fetchall()]
    assert all(t == unicodedata.normalize("NFC", t) and "\u00d0" not in t for t in texts), "stored text is NFC, Ð fixed"


def test_demo_is_idempotent(demo_runs: tuple[Path, list]) -> None:
    db, runs = demo_runs
    table = [line for line in runs[0].stdout.splitlines() if "│" in line]
    again = [line for line in runs[1].stdout.splitlines() if "│" in line]
    assert table == again
    con = duckdb.connect(str(db), read_only=True)
    # the second run found every page unchanged: no new versions, nothing archived twice
    total, distinct = con.execute("SELECT count(*), count(DISTINCT canonical_url) FROM pages").fetchone()
    assert total == distinct
    warcs = sorted(p.name for p in (db.parent / "archive-demo").glob("*.warc.gz"))
    assert warcs and all(name.startswith("thidua-00001-") for name in warcs), warcs
    runs_rows = con.execute("SELECT status, pages_new FROM crawl_runs ORDER BY run_id").fetchall()
    assert runs_rows == [("ok", runs_rows[0][1]), ("ok", 0)], "the second run stored nothing new"


def test_facts_come_from_the_crawl_not_the_gold(demo_runs: tuple[Path, list]) -> None:
    db, _ = demo_runs
    con = duckdb.connect(str(db), read_only=True)
    bad = con.execute(
        "SELECT count(*) FROM movement_mentions m JOIN documents d USING (doc_id)"
        " WHERE substr(d.text, m.span_start + 1, m.span_end - m.span_start) <> m.surface"
    ).fetchone()[0]
    assert bad == 0
    assert con.execute("SELECT count(DISTINCT year) FROM stg_campaigns WHERE year IS NOT NULL").fetchone()[0] >= 8


def test_reprocess_reads_tokens_from_the_cache(demo_runs: tuple[Path, list], sample_gold: list[dict]) -> None:
    """The demo segmented every text once; re-extracting from the archive segments none again.
    It goes through a working copy like a crawl, so a reader holding the database does not stop it."""
    db, _ = demo_runs
    with reader_holding(db):
        r = run_cli("reprocess", "--db", str(db), "--archive", str(db.parent / "archive-demo"))
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"tokens of {len(sample_gold)} texts from the cache, 0 segmented" in r.stdout
    assert (db.parent / "demo.duckdb.tokens.sqlite").exists()
