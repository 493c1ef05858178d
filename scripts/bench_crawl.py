"""`make bench` (crawl part): throughput and memory of the crawler on a synthetic local site.

A synthetic site of N article pages (the bundled sample site's articles, each served under
many numbered URLs with a numbered line of its own, so every page has its own text) is served
on 127.0.0.1 by a separate process, behind robots.txt, a sitemap index and sitemaps of
1,000 URLs. Politeness is off for every mode (the server is ours). Each mode runs in its
own process, so its peak memory is its own (the job's child processes included, sampled every 10 ms):

- bare:    a bare Scrapy SitemapSpider that only downloads the same pages;
- crawl:   thidua's crawl (state table, WARC archive, pages rows, JOBDIR);
- nightly: thidua's whole job, crawl then extraction of every article (run_job);
- recrawl: the same job again over the unchanged site (state table loaded, nothing due).

Throughput is measured side by side in one run on `--rate-pages` pages and reported as
ratios to the bare spider (`--rate-only`: only that). Memory is measured for the nightly job
at a quarter, a half and all of `--pages` (20,000 by default; `--memory-only`: only that),
each run a fresh job on a fresh site, and the peak of each stage (crawl, extract, rebuild,
publish) is printed.

The check is the issue's criterion: nothing but the state table may grow with the pages
seen, beyond bounded caches. The job crawls in a child process, and extracts more than
`extract_chunk_pages` pages (5,000 by default) in child processes of that many pages each,
one after another (pipeline.jobs.extract_pages): what a part leaves in its allocators goes
with its process. So at a quarter of the default 20,000 pages the job extracts in its own
process, at a half and all of them in parts; the peak while a part runs is the part and the
job's small process together. The biggest bounded cache is DuckDB's: it keeps the blocks it
reads and writes up to its memory limit (the `duckdb_memory_mb` setting, 256 MB by default;
the memory runs use the least the setting allows, `--duckdb-memory` 64 by default), and its allocator
was measured past that limit (81 MiB at 8,000 pages in one process): the limit bounds its
buffer pool, not all it allocates. Whole-job peaks grew by 692 and 1,568 bytes a page over
the second interval in two runs when extraction ran in one process, so the check leaves
DuckDB out: every Python process a memory run starts (the job, its crawl and its extraction
parts) writes what DuckDB's allocator holds in it (the jemalloc its module bundles, read
through `duckdb_je_mallctl`) to a file every 10 ms, with the pages that allocator freed
lazily (MADV_FREE: the kernel counts them as resident until it needs them; LazyFree in
/proc/PID/smaps_rollup, read every 100 ms) (DUCKDB_PROBE, a sitecustomize the bench puts
first on PYTHONPATH), and the sampler keeps, per stage, the peak of the whole process
tree, of DuckDB's allocators in it, and of everything else, and the same without DuckDB's
for the job's own process, for its children together and for each extraction part. The
check, without DuckDB's allocators, from the half to the whole: the job's own process in
each stage and the crawl process may grow by no more than what the state table itself
holds per page plus `--allowance` bytes per page (for noise between runs), and so may the
extraction parts' peaks against the pages before them (least squares over the parts of the
whole run: part k of 5,000 pages has 5,000 k before it). The whole job's peak, the job
beside its biggest part, is printed but not checked: from the half to the whole it is the
biggest of two parts against the biggest of four: in two runs of 20,000 pages the parts
peaked at 406, 406, 408, 408 and at 403, 410, 407, 406 MiB, in another the biggest of four
was 18 MiB above the biggest of two at 10,000 (1,774 bytes a page); six runs ranged from
225 to 1,774.
The growth from the quarter to the half is printed too (it includes the change from one
process to parts). The crawl remembers the URLs it has requested in 12-19 bytes each
(crawler.urls.SeenUrls). The shared spaCy vocabulary (at most 10,000 strings, about 5 MB)
starts afresh in each part; trafilatura's word cache (about 13 MB full) is emptied after
every 500 pages (pipeline.text.html); writers checkpoint DuckDB every 4 MB of log
(pipeline.store.db). At the default DuckDB limit, add at most the difference to the peaks.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

REPO = Path(__file__).resolve().parent.parent
SITEMAP_SIZE = 1000
ARTICLE = re.compile(r"^/tin-tuc/bai-viet-(\d+)\.html$")
SITEMAP = re.compile(r"^/sitemap-(\d+)\.xml$")
BENCH_SETTINGS = {  # politeness off, the same for every mode
    "DOWNLOAD_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
}


# -- the synthetic site ------------------------------------------------------------------
@lru_cache(maxsize=1)
def templates() -> tuple[bytes, ...]:
    site = REPO / "data" / "sample_site"
    pages = sorted(p for p in site.glob("*/*.html") if p.parent.name != "chuyen-muc")
    if not pages:
        sys.exit(f"no sample articles under {site}: restore data/sample_site from git (make site)")
    return tuple(p.read_bytes() for p in pages)


def article(i: int) -> bytes:
    """A sample article with a numbered line of its own in the body, so that no two pages
    have the same text (the token cache must not make the bench look faster than a crawl)."""
    body = templates()[i % len(templates())]
    end = body.find(b"</article>")
    at = body.rfind(b"</p>", 0, end if end >= 0 else len(body))
    if at < 0:
        return body.replace(b"</body>", f"<p>Tin số {i}.</p></body>".encode(), 1)
    return body[: at + 4] + f"<p>Tin số {i} của chuyên mục.</p>".encode() + body[at + 4 :]


class BenchSite(BaseHTTPRequestHandler):
    pages = 0
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = self.path.split("?", 1)[0]
        host = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if path == "/robots.txt":
            self._send(f"User-agent: *\nDisallow: /tim-kiem/\n\nSitemap: {host}/sitemap.xml\n".encode(), "text/plain")
        elif path == "/sitemap.xml":
            n = -(-self.pages // SITEMAP_SIZE)
            locs = "".join(f"<sitemap><loc>{host}/sitemap-{k}.xml</loc></sitemap>" for k in range(n))
            self._send(f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'.encode(), "application/xml")
        elif m := SITEMAP.match(path):
            k = int(m[1])
            ids = range(k * SITEMAP_SIZE, min(self.pages, (k + 1) * SITEMAP_SIZE))
            locs = "".join(f"<url><loc>{host}/tin-tuc/bai-viet-{i}.html</loc><lastmod>2025-01-15</lastmod></url>" for i in ids)
            self._send(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode(), "application/xml")
        elif (m := ARTICLE.match(path)) and int(m[1]) < self.pages:
            etag = f'"a{m[1]}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(article(int(m[1])), "text/html; charset=utf-8", etag)
        else:
            self.send_error(404)

    def _send(self, body: bytes, ctype: str, etag: str = "") -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(pages: int) -> None:
    handler = type("Handler", (BenchSite,), {"pages": pages})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


# -- the modes, each run in its own process ----------------------------------------------
def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def bench_source(url: str, pages: int) -> Any:
    from crawler.sources import Source

    return Source(
        id="bench", name="synthetic bench site", level="press", start_urls=(), sitemaps=(f"{url}/sitemap.xml",),
        article_url=r"^/tin-tuc/bai-viet-\d+\.html$", max_pages=pages + pages // SITEMAP_SIZE + 10,
    )  # fmt: skip


def run_bare(url: str, pages: int, work: Path, duckdb_mb: int = 0) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiders import SitemapSpider

    from crawler.settings import DEFAULTS

    class Bare(SitemapSpider):  # type: ignore[misc]
        name = "bare"
        sitemap_urls = [f"{url}/sitemap.xml"]

        def parse(self, response: Any) -> None:
            return None

    settings = {k: v for k, v in DEFAULTS.items() if k not in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES")}
    process = CrawlerProcess({**settings, **BENCH_SETTINGS})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return {"responses": int(stats.get("response_received_count", 0))}


def run_crawl_only(url: str, pages: int, work: Path, duckdb_mb: int = 0) -> dict[str, Any]:
    from crawler.run import run_crawl

    stats = run_crawl([bench_source(url, pages)], work / "bench.duckdb", work / "archive", 1, dict(BENCH_SETTINGS), jobdir=work / "jobs")
    return {"responses": stats[0].fetched, "stored": stats[0].stored, "failed": stats[0].failed}  # robots.txt included


def run_nightly(url: str, pages: int, work: Path, duckdb_mb: int = 0) -> dict[str, Any]:
    from rich.console import Console

    from pipeline.jobs import run_job
    from pipeline.settings import Settings

    settings = Settings(db=work / "bench.duckdb", archive=work / "archive", jobs=work / "jobs")
    if duckdb_mb:
        settings = replace(settings, duckdb_memory_mb=duckdb_mb)
    result = run_job(settings, [bench_source(url, pages)], "bench", Console(quiet=True), dict(BENCH_SETTINGS))
    crawl, processed = result.crawl[0], result.processed["bench"]
    return {
        "responses": crawl.fetched, "stored": crawl.stored, "not_due": crawl.not_due, "failed": crawl.failed,
        "documents": processed.documents, "errors": processed.errors,
    }  # fmt: skip


def state_bytes_per_page(work: Path) -> float:
    """Memory the crawl state holds per known article: loaded as a recrawl loads it."""
    import gc
    import tracemalloc

    from crawler.run import load_state

    gc.collect()
    tracemalloc.start()
    state = load_state(work / "bench.duckdb", "bench", __import__("datetime").timedelta(days=14))
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size / max(1, len(state.known))


MODES = {"bare": run_bare, "crawl": run_crawl_only, "nightly": run_nightly}


def process_tree(pid: int = 0) -> list[int]:
    """A process and its descendants (a job crawls and extracts in child processes); a child
    that has not yet replaced itself with its program (exec) shares its parent's pages and is
    left out. Processes that have just gone are left out."""
    proc = Path(f"/proc/{pid or os.getpid()}")
    try:
        children = [int(c) for task in (proc / "task").iterdir() for c in (task / "children").read_bytes().split()]
        cmdline = (proc / "cmdline").read_bytes()
        children = [c for c in children if Path(f"/proc/{c}/cmdline").read_bytes() != cmdline]
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [pid or os.getpid(), *(d for c in children for d in process_tree(c))]


def rss(pid: int) -> int:
    """Resident bytes of one process; 0 for one that has just gone."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (FileNotFoundError, ProcessLookupError):
        return 0


def tree_rss(pid: int = 0) -> int:
    """Resident bytes of a process and of its descendants."""
    return sum(rss(p) for p in process_tree(pid))


class DuckDBResident:
    """Resident bytes of DuckDB's allocator in this process: DuckDB allocates through the
    jemalloc built into its Python module, whose statistics ``duckdb_je_mallctl`` reads
    (0 where the module has none)."""

    def __init__(self) -> None:
        import ctypes

        import duckdb

        self._ctypes = ctypes
        self._mallctl: Any = None
        module = sys.modules.get("_duckdb") or sys.modules.get("duckdb.duckdb") or duckdb
        try:
            self._mallctl = ctypes.CDLL(module.__file__).duckdb_je_mallctl
        except (OSError, AttributeError, TypeError):
            return
        size_p = ctypes.POINTER(ctypes.c_size_t)
        self._mallctl.argtypes = [ctypes.c_char_p, ctypes.c_void_p, size_p, ctypes.c_void_p, ctypes.c_size_t]

    def __call__(self) -> int:
        if self._mallctl is None:
            return 0
        c = self._ctypes
        epoch = c.c_uint64(1)  # writing the epoch refreshes jemalloc's statistics
        self._mallctl(b"epoch", None, None, c.byref(epoch), c.sizeof(epoch))
        value, size = c.c_size_t(0), c.c_size_t(c.sizeof(c.c_size_t))
        if self._mallctl(b"stats.resident", c.byref(value), c.byref(size), None, 0) != 0:
            return 0
        return value.value


# Every Python process a memory run starts imports this (the bench puts it first on
# PYTHONPATH as sitecustomize): once the process has imported duckdb, a thread writes what
# DuckDB's allocator holds there to a file named by its pid, every 10 ms, so the job's
# sampler can take DuckDB's share of each of the job's processes out of their sum. Every
# 100 ms it also writes the process's LazyFree: pages jemalloc handed back with MADV_FREE,
# which stay in the resident size until the kernel needs them (glibc and pymalloc do not
# free that way). A rebuild left up to 34 MiB of them; reading smaps_rollup costs about
# 5 ms in a 500 MiB process, hence the slower pace.
DUCKDB_PROBE = """
import os, sys, threading

def _lazy_free():
    with open("/proc/self/smaps_rollup", "rb") as f:
        for line in f:
            if line.startswith(b"LazyFree:"):
                return int(line.split()[1]) * 1024
    return 0

def _watch(folder, scripts):
    import struct, time
    fd = read = None
    tick = lazy = 0
    while True:
        time.sleep(0.01)
        if read is None:
            if "duckdb" not in sys.modules:
                continue
            sys.path.append(scripts)
            from bench_crawl import DuckDBResident
            read = DuckDBResident()
            fd = os.open(os.path.join(folder, str(os.getpid())), os.O_CREAT | os.O_WRONLY, 0o644)
        if tick % 10 == 0:
            lazy = _lazy_free()
        tick += 1
        os.pwrite(fd, struct.pack("QQ", read(), lazy), 0)

if os.environ.get("THIDUA_BENCH_DUCKDB"):
    threading.Thread(target=_watch, args=(os.environ["THIDUA_BENCH_DUCKDB"], SCRIPTS), daemon=True).start()
"""


def duckdb_probe_env(root: Path) -> dict[str, str]:
    """The environment that makes every Python process started with it report its DuckDB
    allocator (DUCKDB_PROBE) into ``root``/duckdb."""
    (root / "site").mkdir(parents=True, exist_ok=True)
    (root / "duckdb").mkdir(exist_ok=True)
    (root / "site" / "sitecustomize.py").write_text(DUCKDB_PROBE.replace("SCRIPTS)", f"{str(Path(__file__).parent)!r})"), encoding="utf-8")
    path = os.pathsep.join(p for p in (str(root / "site"), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, THIDUA_BENCH_DUCKDB=str(root / "duckdb"))


def duckdb_in(pid: int) -> tuple[int, int]:
    """What DuckDB's allocator held in process ``pid`` when it last wrote (DUCKDB_PROBE), and
    the process's lazily freed pages (LazyFree); zeros if it has not written."""
    folder = os.environ.get("THIDUA_BENCH_DUCKDB", "")
    try:
        data = Path(folder, str(pid)).read_bytes() if folder else b""
    except FileNotFoundError:
        return 0, 0
    if len(data) < 16:
        return 0, 0
    return int.from_bytes(data[:8], "little"), int.from_bytes(data[8:16], "little")


class StagePeaks(logging.Handler):
    """Peak resident memory per stage of a job: the job logs its stages (pipeline.jobs),
    a thread reads the resident size of this process and of its children every 10 ms and
    keeps the highest per stage; with it, the highest of what DuckDB's allocators hold in
    those processes, the pages they freed lazily included (DUCKDB_PROBE), and the highest of
    what is left when they are taken away."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.stage = "start"
        self.peaks: dict[str, int] = {}
        self.duckdb_peaks: dict[str, int] = {}
        self.other_peaks: dict[str, int] = {}
        self.lazy_peaks: dict[str, int] = {}
        self.job_peaks: dict[str, int] = {}  # the job's own process, DuckDB's allocators taken away
        self.children_peaks: dict[str, int] = {}  # its children together (extraction parts, crawl), the same
        self.part_peaks: dict[int, int] = {}  # each extraction part (a child in the extract stage) by pid, the same
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().endswith(" started") and isinstance(record.args, tuple) and record.args:
            self.stage = str(record.args[0])

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            stage, pids = self.stage, process_tree()
            if not pids:  # a child went while the tree was read: skip this sample
                continue
            probed = [duckdb_in(p) for p in pids]
            own = [rss(p) - j - f for p, (j, f) in zip(pids, probed, strict=True)]  # each process read once
            lazy = sum(f for _, f in probed)
            duck = sum(j for j, _ in probed) + lazy
            total = sum(own) + duck
            for peaks, value in (
                (self.peaks, total), (self.duckdb_peaks, duck), (self.other_peaks, total - duck), (self.lazy_peaks, lazy),
                (self.job_peaks, own[0]), (self.children_peaks, sum(own[1:])),
            ):  # fmt: skip
                if value > peaks.get(stage, 0):
                    peaks[stage] = value
            if stage == "extract":
                for pid, value in zip(pids[1:], own[1:], strict=True):
                    self.part_peaks[pid] = max(value, self.part_peaks.get(pid, 0))

    def __enter__(self) -> Self:
        logger = logging.getLogger("pipeline.jobs")
        logger.setLevel(logging.INFO)
        logger.addHandler(self)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        logging.getLogger("pipeline.jobs").removeHandler(self)


def worker(mode: str, url: str, pages: int, work: Path, duckdb_mb: int = 0) -> None:
    t0 = time.perf_counter()
    with StagePeaks() as stages:
        out = MODES[mode](url, pages, work, duckdb_mb)
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_self"] = peak_rss()  # the kernel's high-water mark of this process alone
    out["peak_rss"] = max(out["peak_rss_self"], *stages.peaks.values())  # with its children, as sampled
    out["stage_peaks"] = stages.peaks
    out["stage_peaks_duckdb"] = stages.duckdb_peaks  # DuckDB's allocators in the job's processes, lazily freed pages included
    out["stage_peaks_lazyfree"] = stages.lazy_peaks  # of which pages freed with MADV_FREE, not yet taken back by the kernel
    out["stage_peaks_other"] = stages.other_peaks  # the job and its children, DuckDB's allocators taken away
    out["stage_peaks_job"] = stages.job_peaks  # of which the job's own process
    out["stage_peaks_children"] = stages.children_peaks  # and its children together
    out["extract_part_peaks"] = list(stages.part_peaks.values())  # each extraction part in turn, the same
    out["peak_other"] = max(stages.other_peaks.values(), default=0)
    out["peak_duckdb"] = max(stages.duckdb_peaks.values(), default=0)
    if mode == "nightly":
        out["state_bytes_per_page"] = state_bytes_per_page(work)
    print("RESULT " + json.dumps(out), flush=True)


# -- the driver --------------------------------------------------------------------------
def run_mode(mode: str, pages: int, work: Path, url: str, duckdb_mb: int = 0, env: dict[str, str] | None = None) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, __file__, "worker", mode, "--url", url, "--pages", str(pages), "--work", str(work), "--duckdb-mb", str(duckdb_mb)],
        capture_output=True, text=True, cwd=work, env=env,
    )  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"bench mode {mode} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(lines[-1][7:]))


class Site:
    def __init__(self, pages: int) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "serve", "--pages", str(pages)], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main() -> None:
    from pipeline.store.db import MIN_MEMORY_MB

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")
    s = sub.add_parser("serve")
    s.add_argument("--pages", type=int, required=True)
    w = sub.add_parser("worker")
    w.add_argument("mode", choices=sorted(MODES))
    w.add_argument("--url", required=True)
    w.add_argument("--pages", type=int, required=True)
    w.add_argument("--work", type=Path, required=True)
    w.add_argument("--duckdb-mb", type=int, default=0)
    ap.add_argument("--pages", type=int, default=20_000, help="pages of the site for the memory run (default 20000)")
    ap.add_argument("--rate-pages", type=int, default=2_000, help="pages for the side-by-side throughput run (default 2000)")
    ap.add_argument("--rate-only", action="store_true", help="only the side-by-side throughput runs (a few minutes)")
    ap.add_argument("--memory-only", action="store_true", help="only the memory runs (about an hour at 20,000 pages)")
    ap.add_argument("--allowance", type=float, default=1024, help="bytes per page the growth may exceed the state table's own by (default 1024)")
    ap.add_argument("--duckdb-memory", type=int, default=MIN_MEMORY_MB,
                    help=f"DuckDB's memory limit (MB) in the memory runs (default {MIN_MEMORY_MB}, the least thidua allows)")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "reports" / "bench-crawl.json", help="where to write the figures")
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args.pages)
    elif args.cmd == "worker":
        worker(args.mode, args.url, args.pages, args.work, args.duckdb_mb)
    else:
        if args.rate_only and args.memory_only:
            ap.error("--rate-only and --memory-only leave nothing to run: give one of them")
        sys.exit(drive(args.pages, args.rate_pages, args.allowance, args.out, args.rate_only, args.duckdb_memory, args.memory_only))


SIZES = ((4, "nightly-quarter"), (2, "nightly-half"), (1, "nightly-large"))  # pages // d


def _memory_runs(pages: int, root: Path, results: dict[str, dict[str, Any]], console: Any, duckdb_mb: int) -> None:
    """The nightly job at a quarter, a half and all of the pages, then a recrawl."""
    env = duckdb_probe_env(root / "probe")
    for d, key in SIZES:
        n = pages // d
        site = Site(n)
        try:
            with console.status(f"nightly: {n} pages (memory) …"):
                results[key] = run_mode("nightly", n, root / f"nightly-{n}", site.url, duckdb_mb, env)
            console.print(f"nightly, {n} pages: {results[key]['seconds']:.1f} s")
            if key == "nightly-large":
                with console.status(f"recrawl: {n} pages unchanged …"):
                    results["recrawl-large"] = run_mode("nightly", n, root / f"nightly-{n}", site.url, duckdb_mb, env)
        finally:
            site.close()


def _print_memory(results: dict[str, dict[str, Any]], pages: int, allowance: float, console: Any, duckdb_mb: int) -> dict[str, Any]:
    from rich.table import Table

    from pipeline.settings import Settings
    from pipeline.store.db import DEFAULT_MEMORY_MB

    runs = [(pages // d, results[key]) for d, key in SIZES]
    (n1, small), (n2, half), (n3, large) = runs
    again = results["recrawl-large"]
    first = (half["peak_other"] - small["peak_other"]) / max(1, n2 - n1)
    growth = (large["peak_other"] - half["peak_other"]) / max(1, n3 - n2)
    mib = 2**20
    mem = Table(title=f"peak memory of the nightly job and its crawl process, DuckDB limited to {duckdb_mb} MB")
    for col in ("run", "articles", "documents", "peak MiB", "DuckDB's peak", "peak without DuckDB's"):
        mem.add_column(col, justify="left" if col == "run" else "right")
    for label, articles, r in (*(("first crawl", str(n), r) for n, r in runs), ("recrawl, nothing due", f"{again['not_due']} not due", again)):
        mem.add_row(label, articles, str(r["documents"]), *(f"{r[k] / mib:.0f}" for k in ("peak_rss", "peak_duckdb", "peak_other")))
    console.print(mem)
    for key, what in (
        ("stage_peaks", "peak memory"), ("stage_peaks_duckdb", "DuckDB's peak"), ("stage_peaks_other", "peak memory without DuckDB's"),
        ("stage_peaks_job", "the job's own process without DuckDB's"), ("stage_peaks_children", "its child processes without DuckDB's"),
    ):  # fmt: skip
        by_stage = Table(title=f"{what} by stage of the nightly job (MiB), and bytes per extra page")
        for col in ("stage", *(f"{n} pages" for n, _ in runs), f"{n1}→{n2}", f"{n2}→{n3}"):
            by_stage.add_column(col, justify="left" if col == "stage" else "right")
        for name in large[key]:
            a, b, c = (r[key].get(name, 0) for _, r in runs)
            by_stage.add_row(name, f"{a / mib:.0f}", f"{b / mib:.0f}", f"{c / mib:.0f}", f"{(b - a) / max(1, n2 - n1):,.0f}", f"{(c - b) / max(1, n3 - n2):,.0f}")
        console.print(by_stage)
    parts = "; ".join(f"{n} pages: {', '.join(f'{v / mib:.0f}' for v in r.get('extract_part_peaks', [])) or 'in the job'}" for n, r in runs)
    chunk = Settings().extract_chunk_pages
    state = large["state_bytes_per_page"]
    limit = state + allowance
    checks = {  # bytes per page seen: what each process adds from the half to all of the pages, and the parts' trend
        f"the job's own process in the {name} stage": (large["stage_peaks_job"][name] - half["stage_peaks_job"].get(name, 0)) / max(1, n3 - n2)
        for name in large["stage_peaks_job"]
    } | {
        "the crawl process": (large["stage_peaks_children"]["crawl"] - half["stage_peaks_children"].get("crawl", 0)) / max(1, n3 - n2),
        "the extraction parts (trend over the parts of one run)": slope(large.get("extract_part_peaks", []), chunk),
    }  # fmt: skip
    console.print(
        f"each extraction part's peak in turn ({chunk:,} pages each), without DuckDB's allocators (MiB): {parts}.\n"
        f"Without DuckDB's allocators, bytes per extra page from {n2} to {n3} pages (the extraction parts: the slope of "
        f"their peaks against the pages before them), limit {limit:,.0f} (the state table's {state:,.0f} plus {allowance:,.0f}): "
        + ", ".join(f"{what} {g:,.0f}" for what, g in checks.items())
        + f".\nThe whole job's peak grew by {first:,.0f} bytes per extra page from {n1} to {n2} pages (extraction moves from the "
        f"job's process to parts) and {growth:,.0f} from {n2} to {n3}: there it is the job beside the biggest of "
        f"{len(half.get('extract_part_peaks', []))} and of {len(large.get('extract_part_peaks', []))} parts of the same size "
        "(printed, not checked: the processes are checked one by one).\n"
        f"DuckDB's allocators (all processes) peaked at {small['peak_duckdb'] / mib:.0f}, {half['peak_duckdb'] / mib:.0f} and "
        f"{large['peak_duckdb'] / mib:.0f} MiB with the limit at {duckdb_mb} MB per process (it bounds the buffer pool, "
        "not all DuckDB allocates)."
    )
    console.print(
        f"[dim]at the default DuckDB limit ({DEFAULT_MEMORY_MB} MB) its cache may hold up to {DEFAULT_MEMORY_MB - duckdb_mb} MB more, "
        "once the database is that large[/]"
    )
    return {
        "growth_bytes_per_page": growth, "first_growth_bytes_per_page": first, "state_bytes_per_page": state,
        "checks_bytes_per_page": checks, "extract_part_peaks": {n: r.get("extract_part_peaks", []) for n, r in runs},
        "limit_bytes_per_page": limit, "duckdb_memory_mb": duckdb_mb,
    }  # fmt: skip


def slope(peaks: list[int], chunk: int) -> float:
    """Bytes per page by which the peaks of parts grow, part k having ``k * chunk`` pages
    before it (least squares; 0 for fewer than two parts)."""
    if len(peaks) < 2:
        return 0.0
    xs = [k * chunk for k in range(len(peaks))]
    mx, my = sum(xs) / len(xs), sum(peaks) / len(peaks)
    return sum((x - mx) * (y - my) for x, y in zip(xs, peaks, strict=True)) / sum((x - mx) ** 2 for x in xs)


def _print_rate(results: dict[str, dict[str, Any]], rate_pages: int, console: Any) -> dict[str, float]:
    from rich.table import Table

    def per_min(r: dict[str, Any], key: str = "responses") -> float:
        return 60 * r[key] / r["seconds"]

    bare = per_min(results["bare"])
    table = Table(title=f"crawl throughput, {rate_pages} articles, politeness off, same server, one run")
    for col in ("mode", "responses", "seconds", "pages/min", "vs bare"):
        table.add_column(col, justify="left" if col == "mode" else "right")
    for mode in ("bare", "crawl", "nightly"):
        r = results[mode]
        rate = per_min(r)
        table.add_row(mode, str(r["responses"]), f"{r['seconds']:.1f}", f"{rate:,.0f}", f"{rate / bare:.2f}")
    console.print(table)
    return {"bare_pages_per_min": bare, "crawl_vs_bare": per_min(results["crawl"]) / bare, "nightly_vs_bare": per_min(results["nightly"]) / bare}


def drive(
    pages: int, rate_pages: int, allowance: float, out_path: Path, rate_only: bool = False, duckdb_mb: int | None = None, memory_only: bool = False
) -> int:
    from rich.console import Console

    from pipeline.store.db import MIN_MEMORY_MB

    duckdb_mb = duckdb_mb or MIN_MEMORY_MB  # the memory runs use the least thidua allows
    console = Console()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as tmp:
        root = Path(tmp)
        if not memory_only:
            site = Site(rate_pages)
            try:
                for mode in ("bare", "crawl", "nightly"):
                    with console.status(f"{mode}: {rate_pages} pages …"):
                        results[mode] = run_mode(mode, rate_pages, root / f"{mode}-{rate_pages}", site.url)
                    console.print(f"{mode}: {results[mode]['seconds']:.1f} s")
            finally:
                site.close()
        if not rate_only:
            _memory_runs(pages, root, results, console, duckdb_mb)

    summary: dict[str, Any] = {"pages": pages, "rate_pages": rate_pages}
    if not memory_only:
        summary |= _print_rate(results, rate_pages, console)
    summary_mem: dict[str, Any] = {}
    if not rate_only:
        summary_mem = _print_memory(results, pages, allowance, console, duckdb_mb)
    summary |= {**summary_mem, "runs": results}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    console.print(f"[dim]figures written to {out_path}[/]")
    failed = [m for m, r in results.items() if r.get("failed") or r.get("errors")]
    if failed:
        console.print(f"[red]failures in: {', '.join(failed)}[/]")
        return 1
    if not summary_mem:
        return 0
    limit = summary_mem["limit_bytes_per_page"]
    over = {what: g for what, g in summary_mem["checks_bytes_per_page"].items() if g > limit}
    for what, g in over.items():
        console.print(f"[red]without DuckDB's allocators, {what} grows by {g:,.0f} bytes per page, over the {limit:,.0f} limit[/]")
    return 1 if over else 0


if __name__ == "__main__":
    main()
