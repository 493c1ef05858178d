"""Where a job's extraction keeps its memory, every 500 pages (a diagnostic for make bench).

    python scripts/bench_crawl.py serve --pages 6000 &          # prints its port
    python scripts/bench_crawl.py worker crawl --url http://127.0.0.1:PORT --pages 6000 --work /tmp/w6k
    python scripts/probe_extract_memory.py /tmp/w6k

Extracts every page a bench crawl stored (on a copy of its database, as a job does:
process_pages with the shipped registry, topic rules and relevance model) and prints, after
each 500 pages, the process's resident memory and its parts: DuckDB's allocator (the
jemalloc its module bundles), what DuckDB says it holds (duckdb_memory()), glibc's heap (in
use and free), Python's object allocator (its 1 MiB arenas and the bytes in live blocks),
and the highest resident and DuckDB figures since the line before (sampled every 10 ms).
"""
from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "scripts")]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ["arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"]]


def glibc_heap() -> tuple[int, int]:
    """Bytes glibc's malloc has handed out and holds free (all arenas and mmapped blocks)."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return 0, 0
    mallinfo2.restype = _MallInfo2
    m = mallinfo2()
    return m.uordblks + m.hblkhd, m.fordblks


def pymalloc() -> tuple[int, int]:
    """Python's object allocator: arenas held (1 MiB each on 64-bit) and bytes in live blocks,
    read from sys._debugmallocstats, which writes to the C stderr."""
    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode()

    def figure(label: str) -> int:
        m = re.search(rf"^{re.escape(label)}\s*=\s*([\d,]+)", text, re.MULTILINE)
        return int(m.group(1).replace(",", "")) if m else 0

    return figure("# arenas allocated current"), figure("# bytes in allocated blocks")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", type=Path, help="a bench crawl's --work folder (bench.duckdb and archive/)")
    ap.add_argument("--duckdb-mb", type=int, default=64, help="DuckDB's memory limit, as make bench's memory runs (default 64)")
    args = ap.parse_args()
    if not (args.work / "bench.duckdb").is_file():
        sys.exit(f"no bench.duckdb in {args.work}: crawl one first (see --help)")

    from bench_crawl import DuckDBResident, bench_source, tree_rss

    from pipeline.canon import Registry
    from pipeline.classify import load_model
    from pipeline.extract import TopicRules
    from pipeline.process import PAGE_BATCH, process_pages
    from pipeline.settings import Settings
    from pipeline.store.db import connect, set_memory
    from pipeline.text import TokenCache

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        shutil.copy(args.work / "bench.duckdb", db)
        settings = Settings(db=db, archive=args.work / "archive")
        set_memory(args.duckdb_mb)
        con = connect(db)
        duck = DuckDBResident()
        peaks = [0, 0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.01):
                peaks[0], peaks[1] = max(peaks[0], tree_rss()), max(peaks[1], duck())

        mib = 2**20
        print(f"{'pages':>6} {'s':>5} {'RSS':>6} {'peak':>6} {'jemalloc':>8} {'peak':>6} {'duckdb':>6} {'glibc':>6} {'free':>5} {'arenas':>6} {'pyobj':>6}  (MiB)")
        t0 = time.perf_counter()

        def report(done: int, total: int) -> None:
            if done % PAGE_BATCH and done != total:
                return
            row = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
            in_duckdb = row[0] if row else 0
            used, free = glibc_heap()
            arenas, blocks = pymalloc()
            print(
                f"{done:6d} {time.perf_counter() - t0:5.0f} {tree_rss() / mib:6.1f} {peaks[0] / mib:6.1f} {duck() / mib:8.1f} {peaks[1] / mib:6.1f}"
                f" {in_duckdb / mib:6.1f} {used / mib:6.1f} {free / mib:5.1f} {arenas:6d} {blocks / mib:6.1f}",
                flush=True,
            )
            peaks[:] = [0, 0]

        threading.Thread(target=sample, daemon=True).start()
        try:
            summary = process_pages(
                con, settings.archive, Registry.from_file(settings.registry), TopicRules.from_file(settings.topics), ["bench"],
                progress=report, only_unprocessed=True, sources={"bench": bench_source("http://127.0.0.1", 10**6)},
                cache=TokenCache(settings.token_cache_file), finish=False, relevance=load_model(settings.relevance_model_path),
            )  # fmt: skip
        finally:
            stop.set()
            con.close()
        print(summary.describe())


if __name__ == "__main__":
    main()
