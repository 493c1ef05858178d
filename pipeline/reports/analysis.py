"""The questions researchers ask, as DataFrames read from the marts: recurring movements
(with filters), topic trends by year, localities by year, one document with every fact
and its sentence, and the facts behind any cell. The CLI, the notebooks and the HTML report
all read these."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from pipeline.errors import ThiduaError
from pipeline.store import Connection

LEVELS = ("national", "province", "district", "sector", "grassroots")
TREND_MEASURES = ("documents", "share", "source_share")
LOCALITY_KEYS = ("province", "province_2025")
FACTS = ("movement", "theme", "phase", "anniversary", "legal_ref", "topic")


def _frame(con: Connection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def movements(
    con: Connection, min_years: int = 1, level: str | None = None, province: str | None = None, since: int | None = None,
    province_2025: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Recurring movements: the recurrence mart's question asked of the plans that pass the
    filters (level; province as written; province after the 2025 merger; campaign years
    from ``since``)."""
    if level is not None and level not in LEVELS:
        raise ThiduaError(f"no level {level!r}", hint=f"use one of {', '.join(LEVELS)}")
    df = _frame(
        con,
        "SELECT * FROM movement_recurrence(level_filter := ?, province_filter := ?, province_2025_filter := ?,"
        " since_year := ?, min_years := ?)",
        [level, province, province_2025, since, min_years],
    )
    return _lists_as_text(df, ("years", "levels"))


def _lists_as_text(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for col in columns:
        df[col] = df[col].map(lambda xs: ", ".join(str(x) for x in xs))
    return df


def trends(con: Connection, measure: str = "share", since: int | None = None, wide: bool = True) -> pd.DataFrame:
    """Year × topic: topics as rows and years as columns (``wide``), or the long mart rows."""
    if measure not in TREND_MEASURES:
        raise ThiduaError(f"no measure {measure!r}", hint=f"use one of {', '.join(TREND_MEASURES)}")
    long = _frame(con, "SELECT * FROM mart_year_topic WHERE ? IS NULL OR year >= ?", [since, since])
    if not wide or long.empty:
        return long
    table = long.pivot_table(index="topic", columns="year", values=measure, fill_value=0, aggfunc="sum")
    table.columns = [str(c) for c in table.columns]
    return table.reset_index()


def localities(con: Connection, by: str = "province", level: str | None = None, wide: bool = True) -> pd.DataFrame:
    """Locality × year: documents per province as written (``by="province"``) or per
    post-2025 province, district rows folded into their province."""
    if by not in LOCALITY_KEYS:
        raise ThiduaError(f"cannot group by {by!r}", hint=f"use one of {', '.join(LOCALITY_KEYS)}")
    long = _frame(
        con,
        f"SELECT year, {by} AS locality, sum(documents)::BIGINT AS documents, sum(mentions)::BIGINT AS mentions"
        " FROM mart_locality_year WHERE (? IS NULL OR level = ?) AND " + by + " IS NOT NULL GROUP BY ALL ORDER BY ALL",
        [level, level],
    )
    if not wide or long.empty:
        return long
    table = long.pivot_table(index="locality", columns="year", values="documents", fill_value=0, aggfunc="sum")
    table.columns = [str(c) for c in table.columns]
    table.insert(0, "total", table.sum(axis=1))
    return table.sort_values("total", ascending=False).reset_index()


def find_document(con: Connection, ref: str) -> str:
    """A document id from an id, a unique id prefix, or a URL."""
    rows = con.execute(
        "SELECT doc_id FROM stg_documents WHERE doc_id = ? OR url = ? OR starts_with(doc_id, ?) LIMIT 2", [ref, ref, ref]
    ).fetchall()
    if not rows:
        raise ThiduaError(f"no document {ref!r}", hint="give a doc_id (or its first characters) or the page URL; thidua query lists them")
    if len(rows) > 1:
        raise ThiduaError(f"{ref!r} starts more than one document id", hint="give more characters")
    return str(rows[0][0])


def document(con: Connection, doc_id: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """One document's metadata and every fact found in it, each with its sentence."""
    meta = _frame(con, "SELECT * FROM stg_documents WHERE doc_id = ?", [doc_id]).iloc[0].to_dict()
    facts = _frame(
        con,
        "SELECT fact, key, value, sentence_idx, sentence, span_start, span_end FROM mart_drilldown WHERE doc_id = ?"
        " ORDER BY span_start, fact",
        [doc_id],
    )
    return meta, facts


def drilldown(
    con: Connection, fact: str, key: str | None = None, year: int | None = None, level: str | None = None,
    province: str | None = None, limit: int = 200, province_2025: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The facts behind a table cell: which documents and sentences make it (``province``
    as written, ``province_2025`` after the merger)."""
    if fact not in FACTS:
        raise ThiduaError(f"no fact kind {fact!r}", hint=f"use one of {', '.join(FACTS)}")
    return _frame(
        con,
        "SELECT year, level, issuer, province, province_2025, key, value, sentence, url, doc_id FROM mart_drilldown"
        " WHERE fact = ? AND (? IS NULL OR key = ?) AND (? IS NULL OR year = ?) AND (? IS NULL OR level = ?)"
        " AND (? IS NULL OR province = ?) AND (? IS NULL OR province_2025 = ?) ORDER BY year, issuer, span_start LIMIT ?",
        [fact, key, key, year, year, level, level, province, province, province_2025, province_2025, limit],
    )


def alias_audit(con: Connection) -> pd.DataFrame:
    """Every canonical movement with the surface forms documents print for it: mentions,
    documents, first and last campaign year."""
    return _frame(
        con,
        "SELECT r.canonical AS movement, m.text AS surface, r.registered, count(*) AS mentions,"
        " count(DISTINCT m.doc_id) AS documents, min(c.year) AS first_year, max(c.year) AS last_year"
        " FROM movement_mentions AS m JOIN movement_registry AS r USING (movement_id)"
        " LEFT JOIN stg_documents AS c USING (doc_id)"
        " GROUP BY r.canonical, m.text, r.registered ORDER BY r.registered DESC, movement, mentions DESC, surface",
    )


def seen_names(con: Connection) -> list[Any]:
    """One grouping.Name per movement id seen in documents (its most printed surface)."""
    from pipeline.canon.grouping import Name

    rows = con.execute(
        "WITH forms AS (SELECT movement_id, text, any_value(kind) AS kind, count(*) AS n FROM movement_mentions GROUP BY ALL)"
        " SELECT f.movement_id, arg_max(f.text, f.n), arg_max(f.kind, f.n), sum(f.n)::BIGINT, bool_or(coalesce(r.registered, false))"
        " FROM forms AS f LEFT JOIN movement_registry AS r USING (movement_id) GROUP BY f.movement_id ORDER BY f.movement_id"
    ).fetchall()
    return [Name(mid, text, kind, int(n), bool(reg)) for mid, text, kind, n, reg in rows]


def movement_years(con: Connection, top: int = 25) -> pd.DataFrame:
    """Movement × campaign year, documents naming it (the heatmap's data), for the ``top``
    movements named in the most years; from the drill-down mart."""
    return _frame(
        con,
        "WITH per AS (SELECT key AS movement, year, count(DISTINCT doc_id) AS documents FROM mart_drilldown"
        " WHERE fact = 'movement' AND year IS NOT NULL GROUP BY ALL),"
        " ranked AS (SELECT movement, count(*) AS n_years, sum(documents) AS n FROM per GROUP BY movement"
        " ORDER BY n_years DESC, n DESC, movement LIMIT ?)"
        " SELECT p.movement, p.year, p.documents FROM per AS p JOIN ranked AS r USING (movement)"
        " ORDER BY r.n_years DESC, r.n DESC, p.movement, p.year",
        [top],
    )
