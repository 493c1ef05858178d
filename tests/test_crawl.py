"""A real Scrapy crawl of the sample site through a real server on 127.0.0.1."""
from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import read_response
from pipeline.serve import SiteServer
from tests.conftest import REPO

pytestmark = pytest.mark.slow
HOST = "tintuccongdoan.example"

CRAWL = """
import dataclasses, datetime as dt, json, sys
from pathlib import Path
from crawler.run import run_crawl
from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import builtin_sources
from pipeline.store import connect, load
db, archive, proxy, recheck = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
con = connect(db); run_id = load.start_run(con, "test", ["sample"]); con.close()
# small WARC files, so that a crawl of the sample site rotates through several
overrides = {**LOCAL_OVERRIDES, "THIDUA_WARC_MAX_BYTES": 32 * 1024}
stats = run_crawl([builtin_sources()["sample"]], db, archive, run_id, overrides, proxy=proxy,
                  recheck_after=dt.timedelta(days=recheck))
print(json.dumps(dataclasses.asdict(stats[0])))
"""


def crawl(site: Path, db: Path, archive: Path, recheck_days: float = 14) -> tuple[list[str], dict]:
    with SiteServer(site, (HOST,)) as srv:
        r = subprocess.run([sys.executable, "-c", CRAWL, str(db), str(archive), srv.url, str(recheck_days)],
                           capture_output=True, text=True, cwd=REPO, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
        return list(srv.requested), json.loads(r.stdout)


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, list[str], dict]:
    tmp = tmp_path_factory.mktemp("crawl")
    site = tmp / "site"
    shutil.copytree(REPO / "data" / "sample_site", site)
    db, archive = tmp / "c.duckdb", tmp / "warc"
    requested, counts = crawl(site, db, archive)
    return site, db, archive, requested, counts


def test_robots_is_obeyed_before_anything_else(first_crawl) -> None:  # type: ignore[no-untyped-def]
    _, _, _, requested, _ = first_crawl
    assert requested[0].endswith("/robots.txt")
    assert not [p for p in requested if "/tim-kiem/" in p or "/admin/" in p]
    assert any(p.endswith("/sitemap.xml") for p in requested) and any(p.endswith("/rss.xml") for p in requested)


def test_every_article_archived_once_and_readable(first_crawl, sample_gold) -> None:  # type: ignore[no-untyped-def]
    site, db, archive, requested, stats = first_crawl
    assert stats["failed"] == 0 and stats["new"] == stats["fetched"] and stats["changed"] == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT url, warc_file, warc_offset, content_length FROM pages WHERE kind = 'article'").fetchall()
    assert len(rows) == len(sample_gold)
    article_requests = [p for p in requested if p.endswith(".html")]
    assert len(article_requests) == len(set(article_requests)) == len(sample_gold), "each article fetched once"
    for url, warc_file, offset, length in rows:
        stored = read_response(archive, warc_file, offset)
        assert stored.status == 200 and stored.url == url and len(stored.body) == length
        assert stored.body == (site / url.split("/", 3)[3]).read_bytes()


def test_archive_rotates_by_size_into_valid_gzip_warcs(first_crawl) -> None:  # type: ignore[no-untyped-def]
    _, db, archive, _, stats = first_crawl
    files = sorted(archive.glob("*.warc.gz"))
    assert len(files) >= 4, "the sample site gzips to ~200 KB: 32 KB files must rotate"
    records = 0
    for f in files:
        assert f.stat().st_size < 32 * 1024 + 256 * 1024, "a file closes once past the limit (one page may overshoot)"
        with gzip.open(f) as fh:  # each file is a complete gzip stream
            fh.read()
        with f.open("rb") as fh:
            records += sum(1 for r in ArchiveIterator(fh) if r.rec_type == "response")
    assert records == stats["fetched"], "every response archived once, robots.txt included"
    con = duckdb.connect(str(db), read_only=True)
    used = {r[0] for r in con.execute("SELECT DISTINCT warc_file FROM pages").fetchall()}
    assert used == {f.name for f in files}


def test_second_run_over_unchanged_site_adds_nothing(first_crawl, sample_gold) -> None:  # type: ignore[no-untyped-def]
    site, db, archive, _, first = first_crawl
    requested, stats = crawl(site, db, archive)  # articles stored today are not due for a re-check
    assert not [p for p in requested if p.endswith(".html") and "/chuyen-muc/" not in p]
    assert stats["not_due"] == len(sample_gold) and stats["new"] == stats["changed"] == 0
    requested, stats = crawl(site, db, archive, recheck_days=0)  # everything due: conditional requests
    assert stats["not_modified"] == len(sample_gold), stats
    assert stats["new"] == stats["changed"] == stats["failed"] == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM pages").fetchone()[0] == first["new"]
    rows = con.execute("SELECT run_id, fetched, not_modified, not_due FROM crawl_site_stats ORDER BY run_id").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3] and rows[1][3] == len(sample_gold) and rows[2][2] == len(sample_gold)


def test_recrawl_adds_only_changed_pages(first_crawl) -> None:  # type: ignore[no-untyped-def]
    site, db, archive, _, _ = first_crawl
    page = sorted((site / "thi-dua").glob("*.html"))[0]
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>Cập nhật.</p></article>"), encoding="utf-8")
    _, stats = crawl(site, db, archive, recheck_days=0)
    assert stats["failed"] == 0 and stats["changed"] == 1 and stats["new"] == 0
    con = duckdb.connect(str(db), read_only=True)
    versions = con.execute("SELECT count(*) FROM pages WHERE canonical_url LIKE ?", [f"%/{page.name}"]).fetchone()[0]
    assert versions == 2, "the changed page is a new version and the old one stays"
