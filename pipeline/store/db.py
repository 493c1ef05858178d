"""Open the DuckDB file, apply the append-only migrations, (re)create the views.

This package is the only place that imports duckdb.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.errors import ConfigError, MigrationError, QueryError, StoreError

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # DuckDB imports pandas when a query asks for a frame; a job that only writes never does
    import pandas as pd

Connection = duckdb.DuckDBPyConnection
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def _package_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("pipeline.store").joinpath(folder)
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql"))


def load_migrations(folder: Path | None = None) -> list[Migration]:
    files = (
        sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.glob("*.sql"))
        if folder is not None
        else _package_files("migrations")
    )
    out: list[Migration] = []
    for name, sql in files:
        m = _MIGRATION_NAME.match(name)
        if not m:
            raise MigrationError(f"migration file {name!r} is not named NNNN_lowercase_words.sql")
        out.append(Migration(int(m.group(1)), name, sql))
    versions = [m.version for m in out]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number: {versions}")
    return out


def migrate(con: Connection, folder: Path | None = None) -> list[str]:
    """Apply every migration not applied yet, each in its own transaction.

    Returns the names applied now. Raises MigrationError when an applied migration's
    file no longer has the checksum recorded when it was applied.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    applied = {v: (n, c) for v, n, c in con.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()}
    done: list[str] = []
    for mig in load_migrations(folder):
        if mig.version in applied:
            name, checksum = applied[mig.version]
            if checksum != mig.checksum:
                raise MigrationError(f"migration {mig.name} was edited after it was applied (recorded as {name})")
            continue
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(mig.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [mig.version, mig.name, mig.checksum],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise MigrationError(f"migration {mig.name} failed: {exc}") from exc
        done.append(mig.name)
    return done


MODEL_LAYERS = ("base_", "stg_", "int_", "mart_")  # the order among models that do not read each other
_TABLE_MODEL = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+TABLE\b", re.I | re.M)
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def view_files() -> list[tuple[str, str]]:
    """The model files (views/*.sql) in dependency order: a model comes after every model its SQL
    (comments aside) names; otherwise base_*, stg_*, int_*, mart_*, each by name."""
    files = dict(_package_files("views"))
    models = {name.removesuffix(".sql"): name for name in files}

    def reads(model: str) -> list[str]:
        code = re.sub(r"--[^\n]*", "", files[models[model]].lower())
        return sorted({w for w in _WORD.findall(code) if w in models and w != model}, key=rank)

    def rank(model: str) -> tuple[int, str]:
        return next((i for i, p in enumerate(MODEL_LAYERS) if model.startswith(p)), len(MODEL_LAYERS)), model

    order: list[str] = []

    def place(model: str, path: tuple[str, ...] = ()) -> None:
        if model in order:
            return
        if model in path:
            raise StoreError(f"models read each other in a circle: {' -> '.join((*path, model))}")
        for other in reads(model):
            place(other, (*path, model))
        order.append(model)

    for model in sorted(models, key=rank):
        place(model)
    return [(models[m], files[models[m]]) for m in order]


def is_table_model(sql: str) -> bool:
    """A model materialised as a table (rebuilt by ``refresh_models``), not a view."""
    return _TABLE_MODEL.search(sql) is not None


def _checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def apply_views(con: Connection) -> None:
    """Views (and macros) are recreated on every writable connection; a table model is built
    when it is missing or its file changed since it was built (a new thidua version), and
    left as it is otherwise (``refresh_models`` rebuilds tables after data changes)."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_models (name VARCHAR PRIMARY KEY, checksum VARCHAR NOT NULL, built_at TIMESTAMP)")
    built = dict(con.execute("SELECT name, checksum FROM schema_models").fetchall())
    stale = False
    with _unordered(con):
        for name, sql in view_files():
            if is_table_model(sql):
                if not stale and built.get(name.removesuffix(".sql")) == _checksum(sql):
                    continue
                stale = True  # what depends on a rebuilt table is rebuilt too
            _run_model(con, name, sql)


DEFAULT_MEMORY_MB = 256  # enough to rebuild the derived tables of a million documents in under a minute
MIN_MEMORY_MB = 64  # make bench runs a 20,000-page nightly job at 64; at 32 the table rebuild ran out of memory.
# Denser corpora need more for the rebuild: with ten mentions a document, 64 MB rebuilt 400,000
# documents (make bench) and 96 MB 1,000,000 (README, Memory).
_memory_mb = DEFAULT_MEMORY_MB
# A writer keeps what it wrote since its last checkpoint in memory; DuckDB checkpoints past
# 16 MB of log by default, and that part swung between 5 and 19 MB as a job extracted pages
# (a crawl's rows of 20,000 pages never reached it: it only grew). At 4 MB it stayed under 7 MB,
# and 3,000 pages took as long to extract (201 s against 198 s); a crawl at 2 MB kept under 1 MB.
CHECKPOINT_MB = 4


def set_memory(mb: int) -> None:
    """DuckDB's memory limit for the writers this process opens from now on (a job's).
    DuckDB keeps the blocks it reads and writes cached up to its limit, so a job's memory
    grows with the corpus up to there and no further; past it, DuckDB evicts and spills to
    ``<db>.tmp``. Read-only connections keep DuckDB's default (80% of the machine)."""
    global _memory_mb
    if mb < MIN_MEMORY_MB:
        raise ConfigError(f"duckdb_memory_mb = {mb} is too little for DuckDB to run thidua's queries; use {MIN_MEMORY_MB} or more")
    _memory_mb = int(mb)


def memory_mb() -> int:
    """The limit ``set_memory`` set (a child process a job starts is given it too)."""
    return _memory_mb


@contextmanager
def _unordered(con: Connection) -> Iterator[None]:
    con.execute("SET preserve_insertion_order = false")  # the models say their order where it matters
    try:
        yield
    finally:
        con.execute("SET preserve_insertion_order = true")


def refresh_models(con: Connection) -> None:
    """Rebuild every table model from the data as it is now, in dependency order (after a
    run stored documents, after the registry changed)."""
    with _unordered(con):
        for name, sql in view_files():
            _run_model(con, name, sql)


def _run_model(con: Connection, name: str, sql: str) -> None:
    model, table = name.removesuffix(".sql"), is_table_model(sql)
    # a model that changed between view and table (an older database): drop the other kind first
    other = "VIEW" if table else "TABLE"
    if con.execute(
        f"SELECT 1 FROM duckdb_{other.lower()}s() WHERE {other.lower()}_name = ? AND NOT internal", [model]
    ).fetchone():
        con.execute(f"DROP {other} {model}")
    try:
        _execute_within_memory(con, name, sql)
    except duckdb.OutOfMemoryException as exc:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
        raise StoreError(
            f"model {name} needs more memory than DuckDB's limit ({limit[0] if limit else '?'}) allows, even on one thread: {exc}",
            hint="raise duckdb_memory_mb (THIDUA_DUCKDB_MEMORY_MB, or the [thidua] table of the config file) and run again",
        ) from exc
    except duckdb.Error as exc:
        raise StoreError(f"model {name} failed: {exc}") from exc
    if table:
        con.execute(
            "INSERT OR REPLACE INTO schema_models (name, checksum, built_at) VALUES (?, ?, current_timestamp)",
            [model, _checksum(sql)],
        )


def _execute_within_memory(con: Connection, name: str, sql: str) -> None:
    """Run ``sql``; if DuckDB runs out of memory on several threads, run it again on one (DuckDB's
    own first advice: each thread holds blocks of its own). A rebuild of 400,000 synthetic
    documents ran out at 256 MB on 2 threads and took 19 s on one. The failed statement left
    nothing behind (autocommit rolls it back)."""
    try:
        con.execute(sql)
        return
    except duckdb.OutOfMemoryException:
        row = con.execute("SELECT current_setting('threads')").fetchone()
        threads = int(row[0]) if row else 1
        if threads <= 1:
            raise
    log.warning("model %s ran out of DuckDB's memory on %d threads: running it again on one", name, threads)
    con.execute("SET threads = 1")
    try:
        con.execute(sql)
    finally:
        con.execute(f"SET threads = {threads}")


def connect(path: Path | str, read_only: bool = False) -> Connection:
    """Open the database; a writable connection is migrated, gets fresh views, and a memory
    limit (``set_memory``; DuckDB would otherwise keep up to 80% of the machine's memory in its cache)."""
    path = Path(path)
    if read_only:
        if not path.exists():
            raise StoreError(f"no database at {path}")
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {path} for reading: {exc}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}", hint="another thidua run may hold it; wait for it to finish") from exc
    con.execute(f"SET memory_limit = '{_memory_mb}MB'")
    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_MB}MB'")
    migrate(con)
    apply_views(con)
    return con


@contextmanager
def reading(path: Path | str) -> Iterator[Connection]:
    """A read-only connection, closed on leaving the block."""
    con = connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


def run_query(con: Connection, sql: str) -> pd.DataFrame:
    """Run user SQL; a DuckDB error becomes a QueryError with its first line."""
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip().splitlines()[0]) from exc


def copy_to(con: Connection, sql: str, path: Path, fmt: str, partition_by: str = "") -> None:
    """Write the result of ``sql`` to ``path`` as parquet or csv (DuckDB's COPY: nothing
    passes through Python); ``partition_by`` writes a folder of files, one per value."""
    options = ["FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"]
    if partition_by:
        options.append(f"PARTITION_BY ({partition_by}), OVERWRITE_OR_IGNORE true")
    target = str(path).replace("'", "''")
    try:
        con.execute(f"COPY ({sql}) TO '{target}' ({', '.join(options)})")
    except duckdb.Error as exc:
        raise StoreError(f"cannot write {path}: {str(exc).strip().splitlines()[0]}", hint="check the folder exists and can be written") from exc


def copy_frame(con: Connection, frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write a DataFrame through DuckDB (parquet without pyarrow)."""
    con.register("thidua_out", frame)
    try:
        copy_to(con, "SELECT * FROM thidua_out", path, fmt)
    finally:
        con.unregister("thidua_out")


def frame_to_file(frame: pd.DataFrame, path: Path, fmt: str = "parquet") -> None:
    """A DataFrame to a parquet or csv file, through a throwaway in-memory DuckDB."""
    con = duckdb.connect()
    try:
        copy_frame(con, frame, path, fmt)
    finally:
        con.close()
