"""Jobs run their crawl in a child process (crawler.child): the results, the log records
and the errors of the crawl come back to the job as if it had run in the job's process."""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from crawler.child import CrawlProcessError, run_in_child
from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import builtin_sources
from pipeline.serve import SiteServer
from pipeline.store import db, set_memory
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_results_and_log_records_come_back_from_the_child(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # the child logs at its parent's level, to its parent's handlers
    set_memory(96)  # the job's DuckDB limit: the child keeps to it too
    try:
        with SiteServer(REPO / "data" / "sample_site", ("tintuccongdoan.example",)) as srv:
            stats = run_in_child([builtin_sources()["sample"]], tmp_path / "t.duckdb", tmp_path / "warc", 1, dict(LOCAL_OVERRIDES), proxy=srv.url)
    finally:
        set_memory(db.DEFAULT_MEMORY_MB)
    assert len(stats) == 1 and stats[0].finish_reason == "finished" and stats[0].fetched == len(srv.requested)
    closed = [r for r in caplog.records if r.name.startswith("scrapy") and "Spider closed (finished)" in r.getMessage()]
    assert closed and closed[0].process != os.getpid()
    opened = [r.getMessage() for r in caplog.records if r.name == "crawler.pipelines"]
    assert opened and "DuckDB memory limit 91.5 MiB" in opened[0]  # 96 MB


def test_an_error_in_the_child_is_raised_in_the_job(tmp_path: Path) -> None:
    with pytest.raises(AttributeError, match="'str' object has no attribute 'id'"):  # raised in the child
        run_in_child(["not a source"], tmp_path / "t.duckdb", tmp_path / "warc")


def _crawl_children() -> list[int]:
    me = Path(f"/proc/{os.getpid()}")
    pids = [int(c) for task in (me / "task").iterdir() for c in (task / "children").read_text().split()]
    return [pid for pid in pids if b"crawler.child" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_a_child_that_dies_is_reported_with_how(tmp_path: Path) -> None:
    with SiteServer(REPO / "data" / "sample_site", ("tintuccongdoan.example",), delay=0.1) as srv:

        def kill_when_crawling() -> None:
            deadline = time.monotonic() + 60
            while len(srv.requested) < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            for pid in _crawl_children():
                os.kill(pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_when_crawling)
        killer.start()
        with pytest.raises(CrawlProcessError, match="killed by SIGKILL before it finished"):
            run_in_child([builtin_sources()["sample"]], tmp_path / "t.duckdb", tmp_path / "warc", 1, dict(LOCAL_OVERRIDES), proxy=srv.url)
        killer.join()
    assert 5 <= len(srv.requested) < 80
