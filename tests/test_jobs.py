"""Crawl jobs as an operator runs them: user sources from TOML, the lock, a reader holding the
database open, a kill -9 mid-crawl followed by a rerun, status and its redesign flag."""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.serve import SiteServer
from tests.conftest import REPO, THIDUA, reader_holding

pytestmark = pytest.mark.slow
HOST = "tintuccongdoan.example"
SITE = REPO / "data" / "sample_site"
SOURCES_TOML = """
[sources.mau]
name = "Tin Công đoàn (TOML)"
level = "press"
start_urls = ["http://tintuccongdoan.example/"]
sitemaps = ["http://tintuccongdoan.example/sitemap.xml"]
article_url = '^/[a-z-]+/[a-z0-9-]+-\\d+\\.html$'
listing_url = '^/chuyen-muc/[a-z-]+/(trang-\\d+/)?$'
"""


def env() -> dict[str, str]:
    return dict(os.environ, THIDUA_POLITE="0", COLUMNS="200")


def crawl_cmd(tmp: Path, proxy: str) -> list[str]:
    toml = tmp / "my.toml"
    toml.write_text(SOURCES_TOML, encoding="utf-8")
    return [*THIDUA, "crawl", "--sources", str(toml), "--db", str(tmp / "t.duckdb"), "--proxy", proxy]


def test_crawl_user_sources_from_toml(tmp_path: Path, sample_gold: list[dict]) -> None:
    (tmp_path / "data").mkdir()
    with SiteServer(SITE, (HOST,)) as srv:
        r = subprocess.run(crawl_cmd(tmp_path, srv.url), capture_output=True, text=True, cwd=tmp_path, env=env(), timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "mau: 85 fetched, 85 new" in r.stdout and "0 failed; 70 article pages → 70 documents (0 empty, 0 errors)" in r.stdout  # robots.txt, no feed
    con = duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(sample_gold)
    assert not (tmp_path / "t.duckdb.next").exists(), "the working copy was swapped in"


def test_a_second_run_waits_for_the_lock(tmp_path: Path) -> None:
    with open(tmp_path / "t.duckdb.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        r = subprocess.run(crawl_cmd(tmp_path, "http://127.0.0.1:9"), capture_output=True, text=True, cwd=tmp_path, env=env(), timeout=120)
    assert r.returncode == 1
    assert "locked by another run" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_run_succeeds_while_a_reader_holds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    with SiteServer(SITE, (HOST,)) as srv:
        subprocess.run(crawl_cmd(tmp_path, srv.url), check=True, capture_output=True, cwd=tmp_path, env=env(), timeout=300)
        with reader_holding(db):
            r = subprocess.run(crawl_cmd(tmp_path, srv.url), capture_output=True, text=True, cwd=tmp_path, env=env(), timeout=300)
            assert r.returncode == 0, r.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM crawl_runs WHERE status = 'ok'").fetchone()[0] == 2


def test_kill_9_mid_crawl_then_rerun_loses_and_duplicates_nothing(tmp_path: Path, sample_gold: list[dict]) -> None:
    db = tmp_path / "t.duckdb"
    with SiteServer(SITE, (HOST,), delay=0.05) as srv:
        proc = subprocess.Popen(crawl_cmd(tmp_path, srv.url), cwd=tmp_path, env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while sum(p.endswith(".html") and "chuyen-muc" not in p for p in srv.requested) < 25:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.3)
        fetched = len(srv.requested)
        time.sleep(1.0)  # the crawl runs in a child process: it died with the job, and fetches nothing more
        assert len(srv.requested) == fetched
        assert (tmp_path / "t.duckdb.next").exists() and not db.exists()
        r = subprocess.run(crawl_cmd(tmp_path, srv.url), capture_output=True, text=True, cwd=tmp_path, env=env(), timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "resuming" in r.stdout
    con = duckdb.connect(str(db), read_only=True)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT canonical_url) FROM pages WHERE kind = 'article'").fetchone()
    assert total == distinct == len(sample_gold)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(sample_gold)
    statuses = [s for (s,) in con.execute("SELECT status FROM crawl_runs ORDER BY run_id").fetchall()]
    assert statuses == ["interrupted", "ok"]


def test_interrupt_stops_the_crawl_cleanly_and_the_next_run_resumes(tmp_path: Path, sample_gold: list[dict]) -> None:
    """Ctrl-C or SIGTERM to the job is passed on to its crawl (a child process in a session
    of its own): Scrapy stops cleanly, the job processes what was fetched, and says the
    crawl will resume."""
    db = tmp_path / "t.duckdb"
    with SiteServer(SITE, (HOST,), delay=0.05) as srv:
        proc = subprocess.Popen(crawl_cmd(tmp_path, srv.url), cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while sum(p.endswith(".html") and "chuyen-muc" not in p for p in srv.requested) < 25:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        assert "stopped before the end (shutdown); the next run resumes it" in err
        con = duckdb.connect(str(db), read_only=True)
        first = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        con.close()
        assert 0 < first < len(sample_gold)
        r = subprocess.run(crawl_cmd(tmp_path, srv.url), capture_output=True, text=True, cwd=tmp_path, env=env(), timeout=300)
    assert r.returncode == 0 and "stopped before the end" not in r.stderr, r.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT doc_id) FROM documents").fetchone() == (len(sample_gold), len(sample_gold))


def test_status_json_and_redesign_flag(tmp_path: Path) -> None:
    from pipeline.store import connect, load

    db = tmp_path / "s.duckdb"
    con = connect(db)
    for i, (docs, empty) in enumerate([(20, 0), (20, 1), (20, 0), (5, 15)], 1):
        run_id = load.start_run(con, "nightly", ["x"])
        load.finish_run(con, run_id, "ok")
        load.save_site_stats(con, run_id, "x", fetched=30, documents=docs, empty=empty)
    con.close()
    r = subprocess.run([*THIDUA, "status", "--db", str(db), "--format", "json"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr
    site = json.loads(r.stdout)["sites"][0]
    assert site["run_id"] == 4 and site["empty"] == 15 and "redesign" in site["flag"]
    r = subprocess.run([*THIDUA, "status", "--db", str(db)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0 and "redesign" in r.stderr


def test_a_missing_relevance_model_stops_the_job_before_it_crawls(tmp_path: Path) -> None:
    from rich.console import Console

    from crawler.sources import builtin_sources
    from pipeline.errors import ThiduaError
    from pipeline.jobs import run_job
    from pipeline.settings import Settings

    settings = Settings(db=tmp_path / "t.duckdb", archive=tmp_path / "a", jobs=tmp_path / "j", relevance_model=tmp_path / "gone.joblib")
    with pytest.raises(ThiduaError, match="gone.joblib not found"):
        run_job(settings, [builtin_sources()["sample"]], "test", Console(quiet=True))
    assert not (tmp_path / "t.duckdb.next").exists() and not (tmp_path / "a").exists()


JOB_IN_PARTS = """
import json, logging, os, sys
from pathlib import Path
from rich.console import Console
from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import builtin_sources
from pipeline.jobs import run_job
from pipeline.settings import Settings
HEAVY = ("pipeline.process", "sklearn", "underthesea", "trafilatura", "spacy", "scrapy", "pandas")
seen = {"parts": []}
class Watch(logging.Handler):
    def emit(self, record):
        message = record.getMessage()
        if message == "stage crawl started" or message.startswith("stage rebuild ended"):
            seen[message.split(" after ")[0]] = [m for m in HEAVY if m in sys.modules]
        elif " extracted " in message:
            seen["parts"].append((record.process, message.split(" extracted ")[1]))
logging.getLogger().addHandler(Watch())
logging.getLogger().setLevel(logging.INFO)  # the children log at this level too
tmp = Path(sys.argv[1])
settings = Settings(db=tmp / "t.duckdb", archive=tmp / "a", jobs=tmp / "j", proxy=sys.argv[2], extract_chunk_pages=int(sys.argv[3]))
result = run_job(settings, [builtin_sources()["sample"]], "test", Console(quiet=True), dict(LOCAL_OVERRIDES))
s = result.processed["sample"]
seen["summary"] = [s.pages, s.documents, s.errors, s.no_date, s.after]
seen["pid"] = os.getpid()
print(json.dumps(seen))
"""
FACT_TABLES = ("documents", "sentences", "campaign_fields", "quotes", "themes", "phases", "movement_mentions", "anniversaries",
               "legal_refs", "topics", "document_relevance")  # fmt: skip


def _facts(db: Path) -> dict[str, list[tuple]]:
    """Every fact table's rows, sorted, without the times they were written."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in FACT_TABLES:
            cols = [c for c, t in con.execute(f"SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '{table}'").fetchall()
                    if not (c.endswith("_at") and t.startswith("TIMESTAMP"))]  # fmt: skip
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def test_a_long_extraction_runs_in_child_processes_and_stores_the_same(tmp_path: Path) -> None:
    """Past extract_chunk_pages, a job extracts in child processes of that many pages each,
    one after another, each going on where the last stopped. The job's own process stays
    small: no Scrapy, text layer, scikit-learn or pandas while it crawls (measured: 50 MiB
    then, and 178 MiB when it imported spaCy and pandas) nor when it is done. The facts
    stored are the same as when one process extracts them all (reprocess, in one process),
    and a reprocess in parts gives them again."""
    db, archive = tmp_path / "t.duckdb", tmp_path / "a"
    with SiteServer(SITE, (HOST,)) as srv:
        r = subprocess.run([sys.executable, "-c", JOB_IN_PARTS, str(tmp_path), srv.url, "30"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    assert seen["stage crawl started"] == [] and seen["stage rebuild ended"] == []
    assert seen["summary"][:3] + seen["summary"][4:] == [70, 70, 0, ""]
    assert [what for _, what in seen["parts"]] == ["30 pages of sample", "30 pages of sample", "10 pages of sample"]
    assert len({pid for pid, _ in seen["parts"]}) == 3 and seen["pid"] not in {pid for pid, _ in seen["parts"]}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT documents, empty, no_date FROM crawl_site_stats").fetchall() == [(70, 0, seen["summary"][3])]
    con.close()
    by_parts = _facts(db)
    assert len(by_parts["documents"]) == 70 and len(by_parts["movement_mentions"]) > 70 and len(by_parts["document_relevance"]) == 70

    for chunk in ("1000", "40"):  # all in one process, then in two parts
        e = dict(env(), THIDUA_EXTRACT_CHUNK_PAGES=chunk)
        r = subprocess.run([*THIDUA, "reprocess", "--db", str(db), "--archive", str(archive)], capture_output=True, text=True, cwd=tmp_path, env=e, timeout=300)
        assert r.returncode == 0 and "70 article pages → 70 documents" in r.stdout, r.stderr[-2000:]
        again = _facts(db)
        assert again == by_parts, [t for t in FACT_TABLES if again[t] != by_parts[t]]
