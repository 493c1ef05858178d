"""Docs that cannot drift: every command has help; the README names the two set-up commands;
errors are one line that says what to do, with a non-zero exit."""
from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from pipeline.cli import app
from tests.conftest import REPO, run_cli

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_top_level_help_lists_every_command() -> None:
    r = run_cli("--help")
    assert r.returncode == 0
    for name in COMMANDS:
        assert name in r.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    cmd = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert cmd.help and len(cmd.help.strip()) > 20, f"{name} has no real help text"
    r = run_cli(name, "--help")
    assert r.returncode == 0 and "Usage" in r.stdout


def test_readme_first_screen_names_the_two_commands() -> None:
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:40])
    assert "make demo" in first_screen and "make test" in first_screen


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_query_on_missing_database_is_one_line(tmp_path: Path) -> None:
    r = run_cli("query", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert r.returncode == 1
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no database" in lines[0] and "—" in lines[0]


def test_query_formats_and_bad_sql(tmp_path: Path) -> None:
    from pipeline.store import connect

    db = tmp_path / "q.duckdb"
    connect(db).close()
    r = run_cli("query", "SELECT 1 AS one, 'Đổi mới' AS name", "--db", str(db), "--format", "csv")
    assert r.returncode == 0 and r.stdout.splitlines() == ["one,name", "1,Đổi mới"]
    r = run_cli("query", "SELECT 1 AS one", "--db", str(db), "--format", "json")
    assert r.returncode == 0 and '"one": 1' in r.stdout
    r = run_cli("query", "SELEC nonsense", "--db", str(db))
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("query", "DROP TABLE pages", "--db", str(db))
    assert r.returncode == 1, "the query command is read-only"
    r = run_cli("query", "SELECT 1", "--db", str(db), "--format", "xml")
    assert r.returncode == 2 and "xml" in r.stderr


def test_every_source_is_in_the_readme_table() -> None:
    from crawler.sources import builtin_sources

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for sid, source in builtin_sources().items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{sid}` |")), "")
        assert row, f"source {sid} is missing from the README's sources table"
        assert ("unverified" in row) != source.verified
