"""Sitemap lastmod: a source's `since` horizon skips older entries, and a stored article whose
lastmod is newer than its last fetch is re-checked before its schedule."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from crawler.spiders.generic import parse_lastmod
from crawler.state import CrawlState, KnownPage
from pipeline.serve import SiteServer
from tests.conftest import REPO, THIDUA

pytestmark = pytest.mark.slow
HOST = "tintuccongdoan.example"
TOML = """
[sources.sitemap_only]
name = "Tin Công đoàn (sitemaps only)"
level = "press"
sitemaps = ["http://tintuccongdoan.example/sitemap.xml"]
article_url = '^/[a-z-]+/[a-z0-9-]+-\\d+\\.html$'
{since}
"""


def crawl(tmp: Path, site: Path, since: str = "") -> tuple[subprocess.CompletedProcess[str], list[str]]:
    toml = tmp / "s.toml"
    toml.write_text(TOML.format(since=since), encoding="utf-8")
    env = dict(os.environ, THIDUA_POLITE="0", COLUMNS="200")
    with SiteServer(site, (HOST,)) as srv:
        r = subprocess.run([*THIDUA, "crawl", "--sources", str(toml), "--db", str(tmp / "t.duckdb"), "--proxy", srv.url],
                           capture_output=True, text=True, cwd=tmp, env=env, timeout=300)  # fmt: skip
        return r, list(srv.requested)


def lastmods(site: Path) -> dict[str, str]:
    xml = (site / "sitemap-articles.xml").read_text(encoding="utf-8")
    return dict(re.findall(r"<loc>http://tintuccongdoan\.example(/[^<]+)</loc><lastmod>([^<]+)</lastmod>", xml))


def test_since_skips_older_sitemap_entries(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "data" / "sample_site", site)
    index = site / "sitemap.xml"  # articles only: the section listings would lead to old ones too
    index.write_text(re.sub(r"<sitemap>\s*<loc>[^<]*sections[^<]*</loc>.*?</sitemap>", "", index.read_text(encoding="utf-8"), flags=re.S), encoding="utf-8")
    (tmp_path / "data").mkdir()
    r, requested = crawl(tmp_path, site, since="since = 2024-01-01")
    assert r.returncode == 0, r.stderr[-2000:]
    recent = {path for path, when in lastmods(site).items() if when >= "2024-01-01"}
    fetched = {p.split(HOST, 1)[-1] for p in requested if p.endswith(".html")}
    assert recent, "the sample sitemap has entries from 2024 on"
    assert fetched == recent


def test_newer_lastmod_brings_a_stored_article_forward(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "data" / "sample_site", site)
    (tmp_path / "data").mkdir()
    r, _ = crawl(tmp_path, site)
    assert r.returncode == 0, r.stderr[-2000:]
    path, old = sorted(lastmods(site).items())[0]
    page = site / path.lstrip("/")
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>Đính chính: cập nhật.</p></article>"), encoding="utf-8")
    sitemap = site / "sitemap-articles.xml"
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace(f"{path}</loc><lastmod>{old}", f"{path}</loc><lastmod>2099-01-01"), encoding="utf-8")
    r, requested = crawl(tmp_path, site)  # 14 days have not passed: only the changed article is due
    assert r.returncode == 0, r.stderr[-2000:]
    assert [p.split(HOST, 1)[-1] for p in requested if p.endswith(".html")] == [path]
    con = duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM pages WHERE url LIKE ?", [f"%{path}"]).fetchone()[0] == 2, "a new version, the old one kept"


def test_lastmod_parsing_and_due() -> None:
    assert parse_lastmod("2025-01-15") == dt.datetime(2025, 1, 15)
    assert parse_lastmod("2025-01-15T08:00:00+07:00") == dt.datetime(2025, 1, 15, 1, 0)
    assert parse_lastmod("2025-01-15T08:00:00Z") == dt.datetime(2025, 1, 15, 8, 0)
    assert parse_lastmod("yesterday") is None and parse_lastmod("") is None
    now = dt.datetime(2025, 3, 1)
    state = CrawlState({"u": KnownPage("", "", dt.datetime(2025, 2, 25))}, dt.timedelta(days=14), now)
    assert not state.due("u") and not state.due("u", dt.datetime(2025, 2, 1))
    assert state.due("u", dt.datetime(2025, 2, 28)) and state.due("new")
