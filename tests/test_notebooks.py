"""The analysis notebooks: each runs top to bottom (nbclient, the venv's python3 kernel,
working directory notebooks/, THIDUA_DB in the kernel's environment) on the demo database and
on databases whose marts are nearly or wholly empty; each reads the mart_* views only (a
static check of every code cell); each is stored without outputs; a missing database stops
the parameter cell with a message that says to run `make demo`."""
from __future__ import annotations

import ast
import asyncio
import os
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from pipeline.store import connect
from tests.conftest import REPO

Runs = dict[tuple[str, str], tuple[nbformat.NotebookNode, str]]

NOTEBOOKS = REPO / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
NAMES = [p.name for p in PATHS]
CELL_TIMEOUT = 120  # seconds per cell; every cell takes well under one on the demo database
PARALLEL = 5  # kernels at once: all five jobs (three alone, two sharing a kernel) overlap their waits
STARTS = 3  # tries to start a kernel that dies before its first reply
LD = "Lao động giỏi, Lao động sáng tạo"

# The analysis functions that read the marts only (document, find_document, alias_audit and
# seen_names read stg_campaigns or base tables, so a notebook may not call them).
MART_FUNCTIONS = {"movements", "trends", "localities", "movement_years", "drilldown", "LEVELS", "TREND_MEASURES", "LOCALITY_KEYS", "FACTS"}


def test_the_three_notebooks_are_there() -> None:
    assert NAMES == ["01_recurring_movements.ipynb", "02_yearly_trends.ipynb", "03_localities_and_the_2025_merger.ipynb"]


# ── running them ─────────────────────────────────────────────────────────────────────────


async def _execute(path: Path, db: Path, km: AsyncKernelManager, fresh: bool) -> tuple[nbformat.NotebookNode, str]:
    nb = nbformat.read(path, as_version=4)
    if not fresh:  # a kernel that ran another notebook: start from an empty namespace
        nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
    client = NotebookClient(
        nb, km=km, timeout=CELL_TIMEOUT, startup_timeout=60, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    try:
        await client.async_execute(env={**os.environ, "THIDUA_DB": str(db)})
    except CellExecutionError as exc:
        return nb, str(exc)[-4000:]
    except Exception as exc:  # noqa: BLE001  (a dead kernel, a timeout: the test says which run)
        return nb, f"{type(exc).__name__}: {exc}"
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    errors = [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    return nb, "; ".join(errors)


async def _start_kernel(db: Path, starting: asyncio.Lock) -> AsyncKernelManager:
    """A python3 kernel that has answered kernel_info. Kernels start one at a time, and one
    that dies while starting is started again (up to three tries): on a fresh CI machine
    several kernels starting at once have died before their first reply (ports, the IPython
    profile being created), which is the harness, not a notebook, failing."""
    async with starting:
        for attempt in range(1, STARTS + 1):
            km = AsyncKernelManager(kernel_name="python3")
            await km.start_kernel(env={**os.environ, "THIDUA_DB": str(db)}, cwd=str(NOTEBOOKS))
            kc = km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=60)
                return km
            except RuntimeError:
                if attempt == STARTS:
                    raise
                await km.shutdown_kernel(now=True)
            finally:
                kc.stop_channels()
    raise AssertionError("unreachable")


async def _run(names: list[str], db: Path, slots: asyncio.Semaphore, starting: asyncio.Lock) -> list[tuple[nbformat.NotebookNode, str]]:
    """The notebooks one after another in one kernel, its namespace reset before each but the
    first (the imports are paid once)."""
    async with slots:
        try:
            km = await _start_kernel(db, starting)
        except RuntimeError as exc:
            return [(nbformat.read(NOTEBOOKS / name, as_version=4), f"the kernel would not start: {exc}") for name in names]
        try:
            return [await _execute(NOTEBOOKS / name, db, km, fresh=i == 0) for i, name in enumerate(names)]
        finally:
            await km.shutdown_kernel(now=True)


async def _execute_all(demo: Path, sparse: dict[str, Path]) -> Runs:
    slots, starting = asyncio.Semaphore(PARALLEL), asyncio.Lock()
    results = await asyncio.gather(
        *[_run([name], demo, slots, starting) for name in NAMES], *[_run(NAMES, db, slots, starting) for db in sparse.values()]
    )
    keys = [("demo", n) for n in NAMES] + [(label, n) for label in sparse for n in NAMES]
    return dict(zip(keys, [r for group in results for r in group], strict=True))


@pytest.fixture(scope="module")
def runs(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Every notebook executed on three databases, a few kernels at a time. On the demo
    database each notebook runs alone in a fresh kernel, as a researcher runs it. On an empty
    database (migrations and views, not one row) and on the small one of tests/analysis_db.py
    (five plans: no local variant, one dated launch, one source a year), the three run in one
    kernel per database, its namespace reset before each."""
    from tests.analysis_db import build

    folder = tmp_path_factory.mktemp("notebook-dbs")
    connect(folder / "empty.duckdb").close()
    build(folder / "small.duckdb")
    return asyncio.run(_execute_all(demo_db, {"empty": folder / "empty.duckdb", "small": folder / "small.duckdb"}))


def ran(runs: Runs, db: str, name: str) -> nbformat.NotebookNode:
    nb, error = runs[(db, name)]
    if error:
        pytest.fail(f"{name} failed on the {db} database:\n{error}")
    return nb


def tagged(nb: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    return cell


def text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            parts.append(o.text)
        elif "data" in o:
            parts += [o.data.get("text/plain", ""), o.data.get("text/html", "")]
    return "\n".join(parts)


def images(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def all_text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(text(c) for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_recurring_movements_on_the_demo(runs: Runs) -> None:
    nb = ran(runs, "demo", "01_recurring_movements.ipynb")
    assert LD in text(tagged(nb, "recurrence")) and LD in text(tagged(nb, "min-years"))
    assert images(tagged(nb, "heatmap")) == 1
    assert "Doanh nghiệp Thủ đô hội nhập và phát triển" in text(tagged(nb, "variants"))  # a local variant, with its parent
    assert "launches" in text(tagged(nb, "levels")) and "echoes" in text(tagged(nb, "levels"))
    assert "new_movements" in text(tagged(nb, "novelty"))
    assert "median_days" in text(tagged(nb, "diffusion")) and images(tagged(nb, "diffusion-chart")) == 1
    drill = text(tagged(nb, "drilldown"))
    assert f"'{LD}', campaign year" in drill and "http://tintuccongdoan.example/" in drill and "phong trào" in drill
    assert "(empty)" not in all_text(nb), "every section has data on the demo database"


@pytest.mark.slow
def test_yearly_trends_on_the_demo(runs: Runs) -> None:
    nb = ran(runs, "demo", "02_yearly_trends.ipynb")
    assert "productivity_innovation" in text(tagged(nb, "counts")) and "productivity_innovation" in text(tagged(nb, "source-shares"))
    assert images(tagged(nb, "small-multiples")) == 1
    assert "→" in text(tagged(nb, "phase-patterns")) and "06-30" in text(tagged(nb, "phase-patterns"))
    assert "longest_gap_months" in text(tagged(nb, "coverage")) and "sample" in text(tagged(nb, "coverage"))
    assert images(tagged(nb, "coverage-chart")) == 1
    assert "(empty)" not in all_text(nb)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "reporting volume" in md


@pytest.mark.slow
def test_localities_and_the_merger_on_the_demo(runs: Runs) -> None:
    nb = ran(runs, "demo", "03_localities_and_the_2025_merger.ipynb")
    assert "Quảng Nam" in text(tagged(nb, "as-written")) and "Quảng Nam" not in text(tagged(nb, "merged"))
    assert images(tagged(nb, "matrix")) == 2  # as written, and after the merger
    assert "Quảng Nam, Đà Nẵng" in text(tagged(nb, "folds"))  # both now Đà Nẵng
    compare = text(tagged(nb, "compare"))
    assert "shared:" in compare and LD in compare
    assert "(empty)" not in all_text(nb)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_on_an_empty_database_and_says_so(name: str, runs: Runs) -> None:
    nb = ran(runs, "empty", name)
    assert sum(images(c) for c in nb.cells) == 0
    assert all_text(nb).count("(empty)") >= 5


@pytest.mark.slow
def test_runs_on_a_small_database_drawing_what_there_is(runs: Runs) -> None:
    nb = ran(runs, "small", "01_recurring_movements.ipynb")
    assert images(tagged(nb, "heatmap")) == 1 and "Chợ Mới sạch đẹp" in text(tagged(nb, "recurrence"))
    assert "(empty) no movement here is recorded as a local variant" in text(tagged(nb, "variants"))
    nb = ran(runs, "small", "02_yearly_trends.ipynb")
    assert images(tagged(nb, "small-multiples")) == 1 and "(empty) fewer than two years" in text(tagged(nb, "shift"))
    nb = ran(runs, "small", "03_localities_and_the_2025_merger.ipynb")
    assert images(tagged(nb, "matrix")) == 2 and "comparing Bắc Kạn and Thái Nguyên" in text(tagged(nb, "pair"))


# ── reading the marts only ───────────────────────────────────────────────────────────────

RELATION = re.compile(r"\b(?:FROM|JOIN)\s+([^\s,;()]+)")
RELATION_ANY_CASE = re.compile(r"\b(?:from|join)\s+([^\s,;()]+)", re.IGNORECASE)
CTE = re.compile(r"(?:\bWITH|,)\s*([A-Za-z_]\w*)\s+AS\s*\(", re.IGNORECASE)


def _strings(tree: ast.AST) -> Iterator[str]:
    """Every string literal; an f-string with {?} where its values go."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(str(v.value) if isinstance(v, ast.Constant) else "{?}" for v in node.values)


def violations(source: str) -> list[str]:
    """What in one code cell reads anything but the mart_* views: SQL on another relation,
    an analysis function that reads more than the marts, the connection used other than
    through execute, duckdb imported, a stg_ name."""
    found: list[str] = []
    tree = ast.parse(TransformerManager().transform_cell(source))
    for s in _strings(tree):
        pattern = RELATION_ANY_CASE if re.search(r"\bselect\b", s, re.IGNORECASE) else RELATION
        ctes = {m.lower() for m in CTE.findall(s)}
        for rel in pattern.findall(s):
            name = rel.strip('"').lower()
            if not name.startswith("mart_") and name not in ctes:
                found.append(f"SQL reads {rel!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "analysis" and node.attr not in MART_FUNCTIONS:
                found.append(f"analysis.{node.attr} reads more than the marts")
            if node.value.id == "con" and node.attr != "execute":
                found.append(f"con.{node.attr} bypasses SQL on the marts")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"imports {m}" for m in modules if m.split(".")[0] == "duckdb"]
    found += [f"names {w}" for w in sorted(set(re.findall(r"\bstg_\w+", source)))]
    return found


@pytest.fixture(scope="module")
def forbidden(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every relation of the current schema but the marts: base tables, stg_ and int_ models
    (from a fresh database; a mart may be a view or a table the pipeline rebuilds)."""
    path = tmp_path_factory.mktemp("schema") / "s.duckdb"
    con = connect(path)
    try:
        rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    finally:
        con.close()
    names = {n for (n,) in rows if not n.startswith("mart_")}
    assert {"documents", "movement_mentions", "stg_campaigns"} <= names
    return names


def test_the_checker_catches_what_it_should(forbidden: set[str]) -> None:
    assert violations('mart("SELECT * FROM mart_year_topic WHERE year > 2020")') == []
    assert violations('mart("WITH d AS (SELECT 1 FROM mart_drilldown) SELECT * FROM d JOIN mart_coverage USING (x)")') == []
    assert violations('print(f"launches from {start} on")\n%matplotlib inline\ntopics = sources = 1') == []
    for name in forbidden:
        assert violations(f'mart("SELECT count(*) FROM {name}")'), name
        assert violations(f'con.execute("SELECT * FROM mart_drilldown AS d\\n JOIN {name} USING (doc_id)")'), name
    assert violations('mart(f"SELECT * FROM {table}")')
    assert violations('mart("select * from stg_campaigns")')
    assert violations("analysis.document(con, doc)") and violations("analysis.alias_audit(con)")
    assert violations('con.table("pages")') and violations('con.sql("SELECT 1")')
    assert violations("import duckdb")


@pytest.mark.parametrize("name", NAMES)
def test_reads_only_the_marts(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    problems = {c.id: v for c in code if (v := violations(c.source))}
    assert not problems, problems
    joined = "\n".join(c.source for c in code)
    assert "mart_" in joined or "analysis." in joined


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs_and_shaped_alike(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "store notebooks without outputs"
    assert nb.cells[0].cell_type == "markdown" and "**Question.**" in nb.cells[0].source and "**Reads**" in nb.cells[0].source
    params = nb.cells[1]
    assert params.cell_type == "code" and "parameters" in params.metadata.get("tags", [])
    assert 'os.environ.get("THIDUA_DB", "../data/demo.duckdb")' in params.source
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 6, "commentary between the steps"


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_database_says_run_make_demo(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = nbformat.read(NOTEBOOKS / name, as_version=4).cells[1].source
    monkeypatch.chdir(NOTEBOOKS)
    monkeypatch.setenv("THIDUA_DB", str(tmp_path / "missing.duckdb"))
    with pytest.raises(FileNotFoundError, match="make demo"):
        exec(compile(params, name, "exec"), {})  # noqa: S102  (the parameter cell, as the kernel runs it)
    monkeypatch.delenv("THIDUA_DB")  # the default: ../data/demo.duckdb from notebooks/
    default = (REPO / "data" / "demo.duckdb").resolve()
    namespace: dict[str, object] = {}
    try:
        exec(compile(params, name, "exec"), namespace)  # noqa: S102
        assert namespace["DB"] == default
    except FileNotFoundError as exc:
        assert str(default) in str(exc)
