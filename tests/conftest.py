from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
THIDUA = [sys.executable, "-m", "pipeline.cli"]


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200", **(env or {}))
    return subprocess.run([*THIDUA, *args], capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=timeout)


@contextmanager
def reader_holding(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process (an analyst's notebook) with ``db`` open for reading until the block ends;
    it has read the number of crawl runs when the block starts."""
    reader = subprocess.Popen(
        [sys.executable, "-c",
         ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
          "print(c.execute('SELECT count(*) FROM crawl_runs').fetchone()[0], flush=True); time.sleep(120)"), str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip().isdigit()
        yield reader
        assert reader.poll() is None, "the reader still has its connection"
    finally:
        reader.kill()
        reader.wait()


@pytest.fixture(scope="session")
def sample_gold() -> list[dict]:
    return [json.loads(line) for line in (REPO / "data" / "gold" / "sample_site.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "gold" / "seeds.jsonl").exists():
        pytest.skip("../shared is not beside this clone (the development gold set lives there)")
    return SHARED


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database the demo built from the bundled sample site (real crawl, real extraction),
    shared by the tests that read it (notebooks, the HTML report)."""
    db = tmp_path_factory.mktemp("demo-db") / "demo.duckdb"
    r = run_cli("demo", "--db", str(db))
    assert r.returncode == 0, r.stderr[-2000:]
    return db
