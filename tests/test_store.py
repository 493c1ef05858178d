"""Migrations: applied once, a re-run is a no-op, an edited applied migration is refused."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import MigrationError
from pipeline.store import connect, migrate
from pipeline.store.db import load_migrations

MIGRATIONS = Path(__file__).resolve().parent.parent / "pipeline" / "store" / "migrations"


def test_applied_once_and_rerun_is_noop(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    first = migrate(con)
    assert first == [m.name for m in load_migrations()]
    assert migrate(con) == []
    rows = con.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version").fetchall()
    assert [(v, n, c) for v, n, c in rows] == [(m.version, m.name, m.checksum) for m in load_migrations()]


def test_edited_migration_is_detected(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    migrate(con, folder)
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n-- an innocent edit\n", encoding="utf-8")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(con, folder)


def test_new_migration_applies_in_a_transaction(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    migrate(con, folder)
    (folder / "9998_bad.sql").write_text("CREATE TABLE half_done (x INT);\nSELECT * FROM no_such_table;\n")
    with pytest.raises(MigrationError, match="9998_bad.sql failed"):
        migrate(con, folder)
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert "half_done" not in tables  # rolled back with the failing statement


def test_connect_creates_every_table_and_view(tmp_path: Path) -> None:
    con = connect(tmp_path / "t.duckdb")
    names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    for table in ("sources", "crawl_runs", "pages", "documents", "campaign_fields", "themes", "phases",
                  "movement_mentions", "movement_registry", "anniversaries", "legal_refs", "topics",
                  "pipeline_errors", "stg_campaigns", "mart_movement_recurrence", "mart_year_topic"):
        assert table in names
    for table in ("themes", "phases", "movement_mentions", "anniversaries", "legal_refs", "topics", "campaign_fields"):
        cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        assert {"doc_id", "span_start", "span_end", "sentence_idx", "extractor"} <= cols, table


def test_read_only_open_of_missing_db_is_a_clear_error(tmp_path: Path) -> None:
    from pipeline.errors import StoreError

    with pytest.raises(StoreError, match="no database"):
        connect(tmp_path / "absent.duckdb", read_only=True)
