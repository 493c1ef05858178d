"""Jobs run their crawl, and long extractions, in child processes (pipeline.child): the
results, the log records, the reports and the errors come back to the job as if the work
had run in the job's process."""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.settings import LOCAL_OVERRIDES
from crawler.sources import builtin_sources
from pipeline.child import ChildError, run_in_child
from pipeline.serve import SiteServer
from pipeline.store import db, set_memory
from tests.conftest import REPO

pytestmark = pytest.mark.slow
CRAWL = "crawler.run:run_crawl"


def _crawl_in_child(tmp_path: Path, proxy: str) -> Any:
    args = ([builtin_sources()["sample"]], tmp_path / "t.duckdb", tmp_path / "warc", 1, dict(LOCAL_OVERRIDES))
    return run_in_child(CRAWL, args, {"proxy": proxy}, name="the crawl process")


def test_results_and_log_records_come_back_from_the_child(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # the child logs at its parent's level, to its parent's handlers
    set_memory(96)  # the job's DuckDB limit: the child keeps to it too
    try:
        with SiteServer(REPO / "data" / "sample_site", ("tintuccongdoan.example",)) as srv:
            stats = _crawl_in_child(tmp_path, srv.url)
    finally:
        set_memory(db.DEFAULT_MEMORY_MB)
    assert len(stats) == 1 and stats[0].finish_reason == "finished" and stats[0].fetched == len(srv.requested)
    closed = [r for r in caplog.records if r.name.startswith("scrapy") and "Spider closed (finished)" in r.getMessage()]
    assert closed and closed[0].process != os.getpid()
    opened = [r.getMessage() for r in caplog.records if r.name == "crawler.pipelines"]
    assert opened and "DuckDB memory limit 91.5 MiB" in opened[0]  # 96 MB


def test_an_error_in_the_child_is_raised_in_the_job(tmp_path: Path) -> None:
    with pytest.raises(AttributeError, match="'str' object has no attribute 'id'"):  # raised in the child
        run_in_child(CRAWL, (["not a source"], tmp_path / "t.duckdb", tmp_path / "warc"))


def _crawl_children() -> list[int]:
    me = Path(f"/proc/{os.getpid()}")
    pids = [int(c) for task in (me / "task").iterdir() for c in (task / "children").read_text().split()]
    return [pid for pid in pids if b"pipeline.child" in Path(f"/proc/{pid}/cmdline").read_bytes()]


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
        with pytest.raises(ChildError, match="the crawl process killed by SIGKILL before it finished"):
            _crawl_in_child(tmp_path, srv.url)
        killer.join()
    assert 5 <= len(srv.requested) < 80


def _count_and_report(n: int) -> int:  # run in the child
    from pipeline.child import report

    for i in range(n):
        report(i)
    return os.getpid()


def test_reports_reach_the_parent_in_order_and_an_interrupt_is_an_interrupt() -> None:
    seen: list[int] = []
    pid = run_in_child("tests.test_child:_count_and_report", (300,), on_report=seen.append)
    assert seen == list(range(300)) and pid != os.getpid()
    with pytest.raises(KeyboardInterrupt):  # raised in the child, as it would be here
        run_in_child("os:kill", (0, signal.SIGINT))  # 0: the child's own group (it has a session of its own)
    with pytest.raises(ChildError, match="the sleeper exited with status 3 before it finished"):
        run_in_child("os:_exit", (3,), name="the sleeper")


def test_the_size_of_an_extraction_part_is_a_setting() -> None:
    from pipeline.errors import ConfigError
    from pipeline.settings import Settings

    assert Settings.load(env={}).extract_chunk_pages == 5000
    assert Settings.load(env={"THIDUA_EXTRACT_CHUNK_PAGES": "800"}).extract_chunk_pages == 800
    with pytest.raises(ConfigError, match="'extract_chunk_pages' in environment: 0 is too small; it must be at least 1"):
        Settings.load(env={"THIDUA_EXTRACT_CHUNK_PAGES": "0"})
