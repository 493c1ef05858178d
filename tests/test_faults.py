"""A whole crawl of a site that misbehaves in every way the crawler must survive: 500s then
success, 429 with Retry-After, a timeout, a connection reset, a redirect, a Windows-1258
page, an NFD page, a huge page, a calendar trap, off-domain links, a robots.txt disallow,
an empty page and an index page. Asserts on what was fetched, stored and recorded as failed."""
from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipeline.serve import SiteHandler, SiteServer
from tests.conftest import REPO

pytestmark = pytest.mark.slow
HOST = "faults.example"
BODY = (
    "Liên đoàn Lao động tỉnh Hà Giang phát động phong trào thi đua năm 2022 với chủ đề “Đoàn kết, sáng tạo, "
    "vượt khó”, hưởng ứng phong trào “Lao động giỏi, Lao động sáng tạo”. Đợt 1 từ 01/01/2022 đến 30/6/2022."
)


def page(title: str, body: str = BODY, charset: str = "utf-8") -> str:
    return (f'<html><head><meta charset="{charset}"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<div class="content"><p>{body}</p><p>{body}</p></div></body></html>')  # fmt: skip


class FaultHandler(SiteHandler):
    hits: Counter[str] = Counter()
    times: dict[str, list[float]] = {}

    def do_GET(self) -> None:  # noqa: N802
        if not self._route():
            return
        path = self.path.split("?")[0]
        self.hits[path] += 1
        self.times.setdefault(path, []).append(time.monotonic())
        n = self.hits[path]
        if path == "/tin/flaky-1.html" and n <= 2:
            return self.send_error(500)
        if path == "/tin/throttled-2.html" and n == 1:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if path == "/tin/slow-3.html":
            time.sleep(2.5)
        if path == "/tin/reset-4.html":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if path == "/tin/old-5.html":
            self.send_response(301)
            self.send_header("Location", "/tin/moved-5.html")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if path.startswith("/lich/"):  # every month links to the next, forever
            body = page("Lịch", '<a href="/lich/?thang=2&amp;nam=2031">Tháng sau</a>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._serve_file()

    def _serve_file(self) -> None:
        if not self._not_modified():
            super(SiteHandler, self).do_GET()


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese pages use it: a letter it lacks is its base plus a combining tone."""
    out = bytearray()
    for c in text:
        try:
            out += c.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", c)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES))
            out += (base + "".join(p for p in parts if p in TONES)).encode("cp1258")
    return bytes(out)


def build_site(root: Path) -> None:
    links = ["/tin/flaky-1.html", "/tin/throttled-2.html", "/tin/slow-3.html", "/tin/reset-4.html",
             "/tin/old-5.html", "/tin/cp1258-6.html", "/tin/nfd-7.html", "/tin/huge-8.html",
             "/tin/empty-11.html", "/tin/index-12.html", "/lich/?thang=1&nam=2030",
             "http://other.example/tin/offsite-9.html", "/private/secret-10.html"]  # fmt: skip
    (root / "tin").mkdir(parents=True)
    (root / "private").mkdir()
    home = "".join(f'<li><a href="{u}">Bài {i}</a></li>' for i, u in enumerate(links))
    (root / "index.html").write_text(page("Trang chủ", f"<ul>{home}</ul>"), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    for name in ("flaky-1", "throttled-2", "slow-3", "reset-4", "moved-5"):
        (root / "tin" / f"{name}.html").write_text(page(name), encoding="utf-8")
    (root / "tin" / "cp1258-6.html").write_bytes(cp1258(page("Trang cp1258", charset="windows-1258")))
    (root / "tin" / "nfd-7.html").write_text(unicodedata.normalize("NFD", page("Trang NFD")), encoding="utf-8")
    (root / "tin" / "huge-8.html").write_text(page("Rất lớn", "Lao động giỏi. " * 400_000), encoding="utf-8")
    (root / "tin" / "empty-11.html").write_text("<html><body><div class='content'></div></body></html>", encoding="utf-8")
    index = "".join(f'<li><a href="/tin/bai-{i}.html">Bài số {i} về phong trào thi đua</a></li>' for i in range(20))
    (root / "tin" / "index-12.html").write_text(page("Danh mục", f"<ul>{index}</ul>"), encoding="utf-8")
    (root / "private" / "secret-10.html").write_text(page("Riêng"), encoding="utf-8")


SCRIPT = """
import dataclasses, json, sys
from pathlib import Path
from crawler.run import run_crawl
from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import Source
from pipeline.canon import Registry
from pipeline.extract import TopicRules
from pipeline.process import process_pages
from pipeline.store import connect, load
db, archive, proxy, repo = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
src = Source(id="faults", name="Faults", level="province", start_urls=("http://faults.example/",),
             article_url=r"^/tin/.*\\.html$", listing_url=r"^/(lich/)?$")
con = connect(db); run_id = load.start_run(con, "test", ["faults"]); con.close()
overrides = {**LOCAL_OVERRIDES, "DOWNLOAD_TIMEOUT": 1, "DOWNLOAD_MAXSIZE": 2 * 2**20, "RETRY_TIMES": 2}
stats = run_crawl([src], db, archive, run_id, overrides, proxy=proxy)
con = connect(db)
summary = process_pages(con, archive, Registry.from_file(repo / "data/registry/movements.toml"),
                        TopicRules.from_file(repo / "data/registry/topics.toml"), run_id=run_id)
con.close()
print(json.dumps({"crawl": dataclasses.asdict(stats[0]), "process": dataclasses.asdict(summary)}))
"""


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Counter[str], dict[str, list[float]]]:
    tmp = tmp_path_factory.mktemp("faults")
    build_site(tmp / "site")
    FaultHandler.hits = Counter()
    FaultHandler.times = {}
    with SiteServer(tmp / "site", (HOST,), handler=FaultHandler) as srv:
        r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp / "f.duckdb"), str(tmp / "warc"), srv.url, str(REPO)],
                           capture_output=True, text=True, cwd=REPO, timeout=300)  # fmt: skip
        assert r.returncode == 0, r.stderr[-3000:]
        requested = list(srv.requested)
    assert not any("other.example" in p for p in requested)
    return tmp / "f.duckdb", json.loads(r.stdout), FaultHandler.hits, FaultHandler.times


def test_never_requested(faulty_crawl) -> None:  # type: ignore[no-untyped-def]
    _, _, hits, _ = faulty_crawl
    assert hits["/private/secret-10.html"] == 0, "robots.txt disallows it"
    assert hits["/lich/"] == 0, "the calendar is a trap"
    assert hits["/robots.txt"] == 1


def test_retries_and_retry_after(faulty_crawl) -> None:  # type: ignore[no-untyped-def]
    db, out, hits, times = faulty_crawl
    assert hits["/tin/flaky-1.html"] == 3  # two 500s, then success
    t = times["/tin/throttled-2.html"]
    assert len(t) == 2 and t[1] - t[0] >= 0.9, "Retry-After: 1 was honoured"
    con = duckdb.connect(str(db), read_only=True)
    stored = {u.rsplit("/", 1)[1] for (u,) in con.execute("SELECT url FROM pages WHERE kind = 'article' AND http_status = 200").fetchall()}
    assert {"flaky-1.html", "throttled-2.html", "moved-5.html", "cp1258-6.html", "nfd-7.html"} <= stored
    assert "old-5.html" not in stored, "the redirect's target is what is stored"


def test_failures_are_recorded_and_the_crawl_goes_on(faulty_crawl) -> None:  # type: ignore[no-untyped-def]
    db, out, hits, _ = faulty_crawl
    con = duckdb.connect(str(db), read_only=True)
    failed = {u.rsplit("/", 1)[1]: (t, m) for u, t, m in con.execute("SELECT url, error_type, message FROM pipeline_errors").fetchall()}
    assert {"slow-3.html", "reset-4.html", "huge-8.html"} <= set(failed), failed
    assert 2 <= hits["/tin/slow-3.html"] <= 3, "a timeout is retried, within limits (RETRY_TIMES = 2)"
    assert out["crawl"]["failed"] >= 3 and out["crawl"]["finish_reason"] == "finished"


def test_text_of_odd_pages(faulty_crawl) -> None:  # type: ignore[no-untyped-def]
    db, out, _, _ = faulty_crawl
    con = duckdb.connect(str(db), read_only=True)
    rows = {u.rsplit("/", 1)[1]: (s, t) for u, s, t in con.execute("SELECT url, status, text FROM documents").fetchall()}
    for name in ("cp1258-6.html", "nfd-7.html"):
        status, text = rows[name]
        assert status == "ok" and "Liên đoàn Lao động tỉnh Hà Giang" in text and text == unicodedata.normalize("NFC", text)
    assert rows["empty-11.html"][0] == "empty"
    assert rows["index-12.html"][0] == "listing", "an index page makes no document"
    assert out["process"]["empty"] == 1 and out["process"]["listings"] == 1
