"""Migrations: applied once, a re-run is a no-op, an edited applied migration is refused."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import MigrationError
from pipeline.store import connect, refresh_models, migrate
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
                  "pipeline_errors", "stg_documents", "stg_campaigns", "document_relevance", "relevance_policy", "mart_movement_recurrence", "mart_year_topic"):
        assert table in names
    for table in ("themes", "phases", "movement_mentions", "anniversaries", "legal_refs", "topics", "campaign_fields"):
        cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        assert {"doc_id", "span_start", "span_end", "sentence_idx", "extractor"} <= cols, table


def test_read_only_open_of_missing_db_is_a_clear_error(tmp_path: Path) -> None:
    from pipeline.errors import StoreError

    with pytest.raises(StoreError, match="no database"):
        connect(tmp_path / "absent.duckdb", read_only=True)


def test_marts_read_only_the_current_version_of_a_page(tmp_path: Path) -> None:
    import datetime as dt

    from pipeline.models import Document, Extraction, FetchedPage, MetaField
    from pipeline.store import load

    con = connect(tmp_path / "t.duckdb")
    url = "http://x.example/a-1.html"
    for i, h in enumerate(("old", "new")):
        when = dt.datetime(2024, 1, 1 + i)
        load.insert_page(con, FetchedPage("s", url, url, "article", when, 200, "text/html", "", "", h, 1, "f", 0, 1), None)
        year = MetaField(0, 8, "năm 2024", 0, "campaign.v1", name="year", value="2024")
        doc = Document(f"d-{h}", "s", url, url, h, "T", "", "", None, "năm 2024", "m")
        load.write_documents(con, [load.DocumentFacts(doc, [(0, 8)], Extraction(f"d-{h}", meta=(year,)))])
    assert con.execute("SELECT count(*) FROM stg_documents").fetchall() == [(0,)], "a table: built when the data changes"
    refresh_models(con)
    assert con.execute("SELECT doc_id FROM stg_documents").fetchall() == [("d-new",)]
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2, "the old version stays"


def test_table_models_are_rebuilt_when_their_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.store import db

    con = connect(tmp_path / "t.duckdb")
    built = dict(con.execute("SELECT name, built_at FROM schema_models").fetchall())
    assert "mart_year_topic" in built and "stg_documents" in built
    con.close()
    con = connect(tmp_path / "t.duckdb")  # unchanged files: nothing rebuilt
    assert dict(con.execute("SELECT name, built_at FROM schema_models").fetchall()) == built
    con.close()
    files = [(n, sql + "\n-- a new version\n" if n == "int_movement_places.sql" else sql) for n, sql in db.view_files()]
    monkeypatch.setattr(db, "view_files", lambda: files)
    con = connect(tmp_path / "t.duckdb")
    again = dict(con.execute("SELECT name, built_at FROM schema_models").fetchall())
    assert again["stg_documents"] == built["stg_documents"]  # before the changed one: kept
    assert again["int_movement_places"] > built["int_movement_places"] and again["mart_year_topic"] > built["mart_year_topic"]


def test_models_come_after_the_models_they_read_and_a_circle_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.errors import StoreError
    from pipeline.store import db

    files = {
        "base_pages.sql": "CREATE TABLE base_pages AS SELECT 1 AS x;",
        "stg_docs.sql": "-- reads mart_counts in this comment only\nCREATE VIEW stg_docs AS SELECT * FROM int_late;",
        "int_late.sql": "CREATE TABLE int_late AS SELECT * FROM base_pages;",
        "mart_counts.sql": "CREATE VIEW mart_counts AS SELECT * FROM mart_z JOIN stg_docs USING (x);",
        "mart_z.sql": "CREATE VIEW mart_z AS SELECT * FROM base_pages;",
    }
    monkeypatch.setattr(db, "_package_files", lambda folder: sorted(files.items()))
    order = [name for name, _ in db.view_files()]
    assert order == ["base_pages.sql", "int_late.sql", "stg_docs.sql", "mart_z.sql", "mart_counts.sql"]
    files["base_pages.sql"] = "CREATE VIEW base_pages AS SELECT * FROM mart_counts;"
    with pytest.raises(StoreError, match="circle: base_pages -> mart_counts -> stg_docs -> int_late -> base_pages"):
        db.view_files()


def test_write_documents_replaces_facts_of_a_document_stored_before(tmp_path: Path) -> None:
    from pipeline.models import Document, Extraction, MetaField, Quote
    from pipeline.store import load

    con = connect(tmp_path / "t.duckdb")

    def facts(n: int) -> load.DocumentFacts:
        quotes = tuple(Quote(i, i + 1, "x", 0, "quotes.v1", role="other") for i in range(n))
        meta = (MetaField(0, 1, "x", 0, "campaign.v1", name="year", value=str(2020 + n)),)
        doc = Document("d1", "s", "u", "u", "h", "T", "", "", dt.date(2024, 1, 2), "x" * 10, "m")
        return load.DocumentFacts(doc, [(0, 5), (5, 10)], Extraction("d1", quotes=quotes, meta=meta))

    other = load.DocumentFacts(Document("d2", "s", "v", "v", "h", "T", "", "", None, "y", "m", "empty"))
    load.write_documents(con, [facts(3), other])
    load.write_documents(con, [facts(1)])  # reprocessed: one quote now
    assert con.execute("SELECT doc_id, count(*) FROM quotes GROUP BY ALL").fetchall() == [("d1", 1)]
    assert con.execute("SELECT count(*) FROM sentences").fetchone()[0] == 2
    assert con.execute("SELECT value FROM campaign_fields").fetchall() == [("2021",)]
    assert con.execute("SELECT doc_id, status, published FROM documents ORDER BY 1").fetchall() == [
        ("d1", "ok", dt.date(2024, 1, 2)), ("d2", "empty", None),
    ]  # fmt: skip


def test_documents_rewritten_stay_one_row_each_without_keys_held_in_memory(tmp_path: Path) -> None:
    """The per-document tables have no primary key (DuckDB holds a key's index in memory, so
    it grew with the corpus); the loader alone keeps one row per document, and per field."""
    from pipeline.models import Document, Extraction, MetaField, Relevance
    from pipeline.store import load

    con = connect(tmp_path / "t.duckdb")
    keyed = {t for (t,) in con.execute("SELECT table_name FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchall()}
    assert not keyed & {"documents", "document_relevance", *load.FACT_TABLES}

    def facts(p: float) -> load.DocumentFacts:
        meta = (MetaField(0, 1, "x", 0, "campaign.v1", name="year", value="2025"),)
        doc = Document("d1", "s", "u", "u", "h", "T", "", "", None, "x" * 10, "m")
        return load.DocumentFacts(doc, [(0, 10)], Extraction("d1", meta=meta), relevance=Relevance(p, p >= 0.5, "scored", "v1"))

    assert not load.has_unscored(con)
    load.write_documents(con, [load.DocumentFacts(Document("d0", "s", "v", "v", "h", "T", "", "", None, "x", "m"))])
    assert load.has_unscored(con)  # stored without a verdict: the job's rebuild scores it
    load.write_relevance(con, [("d0", Relevance(0.1, False, "scored", "v1"))])
    assert not load.has_unscored(con)
    load.write_documents(con, [facts(0.2), facts(0.9)])  # twice in one batch: the last is kept
    load.write_documents(con, [facts(0.7)])  # and again later
    load.write_relevance(con, [("d1", Relevance(0.8, True, "scored", "v2"))])
    for table in ("documents", "document_relevance", "campaign_fields", "sentences"):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE doc_id = 'd1'").fetchone()[0] == 1, table
    assert con.execute("SELECT probability, model FROM document_relevance WHERE doc_id = 'd1'").fetchone() == (0.8, "v2")


def test_article_pages_give_the_newest_version_of_each_url_across_batches(tmp_path: Path) -> None:
    from pipeline.models import Document, FetchedPage
    from pipeline.store import load

    con = connect(tmp_path / "t.duckdb")
    urls = [f"http://x.example/a-{i}.html" for i in range(7)]
    for i, url in enumerate(urls):
        for day, h in enumerate(("v1", "v2", "v3")[: 1 + i % 3]):  # one to three versions per page
            when = dt.datetime(2024, 1, 1 + day)
            load.insert_page(con, FetchedPage("s", url, url, "article", when, 200, "text/html", "", "", f"{h}-{i}", 1, "f", 0, 1), None)
    seen: list[tuple[str, str]] = []
    after = ""
    while batch := load.article_pages(con, after=after, limit=2):  # batches cut through a page's versions
        seen += [(p["canonical_url"], p["content_hash"]) for p in batch]
        after = batch[-1]["canonical_url"]
    newest = {url: f"{('v1', 'v2', 'v3')[i % 3]}-{i}" for i, url in enumerate(urls)}
    assert seen == sorted(newest.items()), "each page once, in URL order, at its newest version"
    assert load.count_article_pages(con) == len(urls) and load.count_article_pages(con, after=urls[4]) == 2
    done = urls[3]  # its one version processed: with only_unprocessed it drops out, the others stay
    doc = Document("d", "s", done, done, newest[done], "T", "", "", None, "x", "m")
    load.write_documents(con, [load.DocumentFacts(doc)])
    todo = [p["canonical_url"] for p in load.article_pages(con, only_unprocessed=True)]
    assert done not in todo and len(todo) == len(urls) - 1 == load.count_article_pages(con, only_unprocessed=True)


def test_duckdb_memory_setting_sets_the_writers_limit(tmp_path: Path) -> None:
    from pipeline.errors import ConfigError
    from pipeline.settings import Settings
    from pipeline.store import db, set_memory

    mb = Settings.load(env={"THIDUA_DUCKDB_MEMORY_MB": "96"}).duckdb_memory_mb
    assert mb == 96
    try:
        set_memory(mb)
        con = connect(tmp_path / "t.duckdb")
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.endswith("MiB") and 90 <= float(limit.split()[0]) <= 96  # 96 MB is 91.5 MiB
        refresh_models(con)
        with pytest.raises(ConfigError, match="duckdb_memory_mb = 16 is too little"):
            set_memory(16)
    finally:
        set_memory(db.DEFAULT_MEMORY_MB)


def test_migrations_rewrite_a_large_table_within_the_least_memory_limit(tmp_path: Path) -> None:
    """0006 rewrites the documents table: 150 MB of text must go through at the least
    DuckDB limit a job may set (it ran out of memory when it sorted the rows)."""
    from pipeline.store import db

    folder = tmp_path / "before"
    folder.mkdir()
    for m in load_migrations():
        if m.version < 6:
            (folder / m.name).write_text(m.sql, encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    migrate(con, folder)
    con.execute(
        "INSERT INTO documents SELECT md5(i::VARCHAR), 's', 'u' || i, 'u' || i, 'h', 'T', '', '', NULL,"
        " (SELECT string_agg(md5((i * 1000 + j)::VARCHAR), ' ') FROM range(200) AS r(j)), 'h', 'm', 'ok', now()"
        " FROM range(25000) AS t(i)"
    )
    con.close()
    db.set_memory(db.MIN_MEMORY_MB)
    try:
        con = connect(tmp_path / "t.duckdb")
        assert con.execute("SELECT count(*), sum(length(text)) > 150e6 FROM documents").fetchone() == (25000, True)
    finally:
        db.set_memory(db.DEFAULT_MEMORY_MB)


class _ManyThreadsRunOut:
    """A connection on which the given statement runs out of memory unless DuckDB has one thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection, statement: str) -> None:
        self.con, self.statement, self.tries = con, statement, []

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if sql == self.statement:
            threads = self.con.execute("SELECT current_setting('threads')").fetchone()[0]
            self.tries.append(threads)
            if threads > 1:
                raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")
        return self.con.execute(sql, *args)


def test_a_model_that_runs_out_of_memory_runs_again_on_one_thread(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.store import db

    con = connect(tmp_path / "t.duckdb")
    con.execute("SET threads = 2")
    sql = "CREATE OR REPLACE TABLE heavy AS SELECT range AS i FROM range(10)"
    flaky = _ManyThreadsRunOut(con, sql)
    with caplog.at_level("WARNING", logger="pipeline.store.db"):
        db._execute_within_memory(flaky, "heavy.sql", sql)  # type: ignore[arg-type]
    assert flaky.tries == [2, 1]
    assert con.execute("SELECT count(*) FROM heavy").fetchone()[0] == 10
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 2, "the thread count is given back"
    assert "heavy.sql ran out" in caplog.text and "running it again on one" in caplog.text


def test_a_rebuild_beyond_the_memory_limit_says_which_setting_to_raise(tmp_path: Path) -> None:
    from pipeline.errors import StoreError
    from tests.analysis_db import build

    path = tmp_path / "a.duckdb"
    build(path)
    con = connect(path)
    before = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET memory_limit = '1MB'")  # below what any model needs, whatever the thread count
    with pytest.raises(StoreError, match="needs more memory than DuckDB's limit .* even on one thread") as err:
        refresh_models(con)
    assert "duckdb_memory_mb" in (err.value.hint or "")
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == before, "what is stored stays"
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == threads


def test_a_dense_corpus_rebuilds_within_the_least_memory_limit(tmp_path: Path) -> None:
    """bench_analysis's synthetic corpus (ten movement mentions a document, 3,000 movements)
    at 40,000 documents: at the least limit a job may set, the rebuild ran out of memory at
    20,000 (in mart_movement_diffusion) before its heavy steps became tables of their own.
    `make bench` does the same with 400,000."""
    import importlib.util

    from pipeline.store import db

    spec = importlib.util.spec_from_file_location("bench_analysis", Path(__file__).resolve().parent.parent / "scripts" / "bench_analysis.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "dense.duckdb"
    bench.build(path, 40_000)
    db.set_memory(db.MIN_MEMORY_MB)
    try:
        con = connect(path)
        con.execute("SET threads = 2")  # a model may fall back to one thread (logged); none may fail
        refresh_models(con)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("stg_documents", "int_movement_firsts", "int_movement_places", "mart_movement_diffusion", "mart_movement_recurrence")}  # fmt: skip
        assert counts["stg_documents"] == 40_000 and all(counts.values()), counts
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == f"{db.MIN_MEMORY_MB * 1e6 / 2**20:.1f} MiB"
    finally:
        db.set_memory(db.DEFAULT_MEMORY_MB)
