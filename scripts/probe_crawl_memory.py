"""Where a crawl keeps its memory, every N pages (a diagnostic for make bench).

    python scripts/probe_crawl_memory.py --pages 20000 [--every 2000] [--types] [--trace]

Serves a synthetic bench site (bench_crawl's) of --pages articles, crawls it in this process
as a job's crawl child does (run_crawl with the state table, WARC archive and JOBDIR), and
prints after every --every stored responses: this process's resident size and DuckDB's
allocator (each now and its peak since the line before, and the difference of the peaks),
glibc's heap (in use and free), Python's object allocator (arenas and bytes in live
blocks), the objects the garbage collector tracks, the URLs the spider has requested, and
the requests waiting in Scrapy's scheduler. --types prints the object types whose count grew
most since the line before; --trace compares tracemalloc snapshots (slow) and prints the
source lines whose live memory grew most.
"""
from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "scripts")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20000, help="articles on the synthetic site (default 20000)")
    ap.add_argument("--every", type=int, default=2000, help="print a line after this many stored responses (default 2000)")
    ap.add_argument("--duckdb-mb", type=int, default=64, help="DuckDB's memory limit, as make bench's memory runs (default 64)")
    ap.add_argument("--types", action="store_true", help="print the object types whose count grew most")
    ap.add_argument("--trace", action="store_true", help="trace allocations and print the lines whose memory grew most (slow)")
    args = ap.parse_args()

    from bench_crawl import BENCH_SETTINGS, DuckDBResident, Site, bench_source, rss
    from probe_extract_memory import glibc_heap, pymalloc

    from crawler.pipelines import StorePipeline
    from crawler.run import run_crawl
    from pipeline.store.db import set_memory

    if args.trace:
        import tracemalloc

        tracemalloc.start(8)
    set_memory(args.duckdb_mb)
    duck = DuckDBResident()
    site = Site(args.pages)
    mib = 2**20
    t0 = time.perf_counter()
    last: dict[str, Any] = {"types": None, "snap": None}
    peaks = [0, 0]  # the highest resident size and DuckDB allocator since the line before
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.01):
            peaks[0], peaks[1] = max(peaks[0], rss(os.getpid())), max(peaks[1], duck())

    threading.Thread(target=sample, daemon=True).start()
    store = StorePipeline.process_item

    def type_counts() -> collections.Counter[str]:
        return collections.Counter(type(o).__qualname__ for o in gc.get_objects())

    def report(pipe: StorePipeline) -> None:
        spider = pipe.crawler.spider
        engine = pipe.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        pending = len(slot.scheduler) if slot is not None and hasattr(slot.scheduler, "__len__") else -1
        used, free = glibc_heap()
        arenas, blocks = pymalloc()
        print(
            f"{pipe.counts['fetched']:6d} {time.perf_counter() - t0:5.0f} {rss(os.getpid()) / mib:6.1f} {peaks[0] / mib:6.1f}"
            f" {duck() / mib:8.1f} {peaks[1] / mib:6.1f} {(peaks[0] - peaks[1]) / mib:6.1f}"
            f" {used / mib:6.1f} {free / mib:5.1f} {arenas:6d} {blocks / mib:6.1f} {len(gc.get_objects()):8d}"
            f" {len(getattr(spider, '_seen', ())):6d} {pending:7d}",
            flush=True,
        )
        peaks[:] = [0, 0]
        if args.types:
            now = type_counts()
            if last["types"] is not None:
                grown = (now - last["types"]).most_common(8)
                print("        types: " + ", ".join(f"{name} +{n}" for name, n in grown), flush=True)
            last["types"] = now
        if args.trace:
            snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            if last["snap"] is not None:
                for stat in snap.compare_to(last["snap"], "lineno")[:10]:
                    print(f"        {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d}  {stat.traceback[0]}", flush=True)
            last["snap"] = snap

    def process_item(self: StorePipeline, item: Any) -> Any:
        out = store(self, item)
        if self.counts["fetched"] % args.every == 0:
            report(self)
        return out

    StorePipeline.process_item = process_item  # type: ignore[method-assign]
    print(f"{'pages':>6} {'s':>5} {'RSS':>6} {'peak':>6} {'jemalloc':>8} {'peak':>6} {'-duck':>6} {'glibc':>6} {'free':>5} {'arenas':>6} {'pyobj':>6} {'gc objs':>8} {'seen':>6} {'pending':>7}  (MiB)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            stats = run_crawl([bench_source(site.url, args.pages)], work / "bench.duckdb", work / "archive", 1, dict(BENCH_SETTINGS), jobdir=work / "jobs")
    finally:
        stop.set()
        site.close()
    print(f"fetched {stats[0].fetched}, failed {stats[0].failed}, {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
