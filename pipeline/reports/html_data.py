"""What the HTML report shows, read from the marts: each mart is evaluated once (on a large
database each costs seconds), aggregated and capped in SQL, so the page embeds only what it
shows. Rendering is pipeline.reports.html."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.store import Connection

LEVELS = ("national", "province", "district", "sector", "grassroots")


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what the page embeds (row counts; each row is small)."""

    movements: int = 500  # rows of the movements table, each with its drill-down
    sentences: int = 30  # sentences embedded per movement
    heatmap: int = 25  # movements in the heatmap
    novelty: int = 500
    diffusion_rows: int = 30  # per-locality rows per movement
    level_roles: int = 300
    phase_rows: int = 400


@dataclass(frozen=True, slots=True)
class Overview:
    database: str
    documents: int
    campaign_documents: int
    undated: int
    first_year: int | None
    last_year: int | None
    n_years: int
    sources: tuple[str, ...]
    movements: int
    mentions: int
    built: dt.datetime | None  # the database file's last write


@dataclass(frozen=True, slots=True)
class Movements:
    rows: pd.DataFrame  # mart_movement_recurrence, first ``Limits.movements`` rows
    total: int  # movements in the mart
    mentions: int  # their mentions


@dataclass(frozen=True, slots=True)
class Named:
    """Where the shown movements are named: the first sentences of each, how many sentences
    name it, and documents per campaign year (the heatmap's cells)."""

    firsts: dict[str, list[tuple[str, int]]]  # movement → (doc_id, sentence_idx), earliest first
    totals: dict[str, int]
    per_year: pd.DataFrame  # movement, year, documents


@dataclass(frozen=True, slots=True)
class Sentence:
    doc: int  # index into DrillDown.docs
    text: str
    names: tuple[str, ...]  # the movement's names as printed in this sentence


@dataclass(frozen=True, slots=True)
class DrillDown:
    """The sentences behind each movement of the table, documents stored once."""

    docs: list[tuple[str, str, int | None, str, str]] = field(default_factory=list)  # title, issuer, year, url, level
    sentences: dict[str, list[Sentence]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # sentences that name it in all

    def payload(self) -> dict[str, Any]:
        """The JSON the page embeds: compact arrays, not one object per sentence."""
        return {
            "docs": [list(d) for d in self.docs],
            "movements": {
                key: {"total": self.totals[key], "rows": [[s.doc, s.text, list(s.names)] for s in rows]}
                for key, rows in self.sentences.items()
            },
        }


def _frame(con: Connection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _int(value: Any) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def movements(con: Connection, limit: int) -> Movements:
    """The recurrence mart in its own order (most years first), capped, with its totals."""
    rows = _frame(
        con,
        "SELECT movement, kind, parent, registered, years, n_years, n_localities, levels, first_year, last_year,"
        " n_documents, n_mentions, count(*) OVER () AS total, sum(n_mentions) OVER () AS all_mentions"
        " FROM mart_movement_recurrence ORDER BY n_years DESC, n_localities DESC, movement, kind LIMIT ?",
        [limit],
    )
    total = _int(rows["total"].iloc[0]) if len(rows) else 0
    mentions = _int(rows["all_mentions"].iloc[0]) if len(rows) else 0
    return Movements(rows.drop(columns=["total", "all_mentions"]), total, mentions)


def localities(con: Connection) -> pd.DataFrame:
    """Documents per campaign year and post-2025 province (NULL: national bodies and places
    not known), from which both the header's figures and the locality matrix come."""
    return _frame(
        con,
        "SELECT year, province_2025, sum(documents)::BIGINT AS documents FROM mart_locality_year GROUP BY ALL ORDER BY ALL",
    )


def locality_matrix(long: pd.DataFrame) -> pd.DataFrame:
    """Localities × years as ``analysis.localities(by="province_2025")`` gives it."""
    known = long[long["province_2025"].notna()]
    if known.empty:
        return pd.DataFrame()
    table = known.pivot_table(index="province_2025", columns="year", values="documents", fill_value=0, aggfunc="sum")
    table.columns = [str(c) for c in table.columns]
    table.index.name = "locality"
    table.insert(0, "total", table.sum(axis=1))
    return table.sort_values("total", ascending=False).reset_index()


def coverage(con: Connection) -> pd.DataFrame:
    """Per source and calendar year of the page dates: documents, campaign documents, and
    documents per month (0 where the crawl found none: a gap to look at)."""
    return _frame(
        con,
        "SELECT source_id, year(month) AS year, sum(documents)::BIGINT AS documents,"
        " sum(campaign_documents)::BIGINT AS campaign_documents,"
        " count(*) FILTER (WHERE documents = 0) AS empty_months,"
        " list(struct_pack(m := month(month), n := documents) ORDER BY month) AS months,"
        " any_value(undated) AS undated"
        " FROM mart_coverage GROUP BY ALL ORDER BY source_id, year",
    )


def overview(con: Connection, cover: pd.DataFrame, places: pd.DataFrame, moves: Movements) -> Overview:
    """The header's figures, from tables the report reads anyway (no mart twice)."""
    per_source = cover.groupby("source_id").agg(documents=("documents", "sum"), undated=("undated", "max"))
    years = places["year"].dropna()
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    file = Path(path[0]) if path and path[0] else None
    built = dt.datetime.fromtimestamp(file.stat().st_mtime) if file is not None and file.exists() else None
    return Overview(
        database=file.name if file is not None else "(in memory)",
        documents=_int(per_source["documents"].sum() + per_source["undated"].sum()),
        campaign_documents=_int(places["documents"].sum()),
        undated=_int(per_source["undated"].sum()),
        first_year=int(years.min()) if len(years) else None,
        last_year=int(years.max()) if len(years) else None,
        n_years=int(years.nunique()),
        sources=tuple(str(s) for s in per_source.index),
        movements=moves.total,
        mentions=moves.mentions,
        built=built,
    )


def named(con: Connection, names: list[str], per_movement: int) -> Named:
    """One pass over the drill-down mart for ``names``: per movement and campaign year, the
    documents, the distinct sentences and the earliest mentions (by year, page date, document,
    place in the text); the years are merged here (a sentence lies in one document, of one year)."""
    if not names:
        return Named({}, {}, pd.DataFrame(columns=["movement", "year", "documents"]))
    rows = con.execute(
        "SELECT key, year, count(DISTINCT doc_id) AS documents, count(DISTINCT doc_id || ':' || sentence_idx) AS sentences,"
        " min_by(struct_pack(y := coalesce(year, 9999), p := coalesce(published, DATE '9999-12-31'), d := doc_id,"
        "   at := span_start, s := sentence_idx), struct_pack(y := coalesce(year, 9999),"
        "   p := coalesce(published, DATE '9999-12-31'), d := doc_id, at := span_start), ?) AS firsts"
        " FROM mart_drilldown WHERE fact = 'movement' AND list_contains(?::VARCHAR[], key) GROUP BY key, year",
        [2 * per_movement, names],  # twice: a sentence may name it more than once
    ).fetchall()
    totals: dict[str, int] = {}
    earliest: dict[str, list[tuple[Any, ...]]] = {}
    per_year = []
    for key, year, documents, sentences, firsts in rows:
        totals[key] = totals.get(key, 0) + int(sentences)
        earliest.setdefault(key, []).extend((f["y"], f["p"], f["d"], f["at"], f["s"]) for f in firsts)
        if year is not None:
            per_year.append((key, int(year), int(documents)))
    picked: dict[str, list[tuple[str, int]]] = {}
    for key, marks in earliest.items():
        seen: list[tuple[str, int]] = []
        for *_, doc_id, _, idx in sorted(marks):
            if (doc_id, idx) not in seen:
                seen.append((doc_id, idx))
            if len(seen) == per_movement:
                break
        picked[key] = seen
    return Named(picked, totals, pd.DataFrame(per_year, columns=["movement", "year", "documents"]))


def heatmap(named_in: Named, moves: pd.DataFrame, top: int) -> pd.DataFrame:
    """Movement × year documents for the ``top`` movements named in the most years (then in
    the most documents), as ``analysis.movement_years`` ranks them, from the shown movements."""
    ranked = moves.sort_values(["n_years", "n_documents", "movement"], ascending=[False, False, True])
    order = list(dict.fromkeys(ranked["movement"]))[:top]
    long = named_in.per_year[named_in.per_year["movement"].isin(order)].copy()
    long["rank"] = long["movement"].map({m: i for i, m in enumerate(order)})
    return long.sort_values(["rank", "year"]).drop(columns="rank").reset_index(drop=True)


def sentences(con: Connection, marks: list[tuple[str, str, int]], named_in: list[tuple[str, str]]) -> pd.DataFrame:
    """The sentences at ``marks`` (movement, doc_id, sentence_idx), and the first sentence of
    each (movement, doc_id) of ``named_in``, with their document facts."""
    sep = "\x1f"
    docs = sorted({m[1] for m in marks} | {n[1] for n in named_in})
    return _frame(
        con,
        "SELECT key, doc_id, sentence_idx, any_value(coalesce(sentence, value)) AS sentence,"
        " list_sort(list_distinct(list(value))) AS names, any_value(title) AS title, any_value(issuer) AS issuer,"
        " any_value(year) AS year, any_value(url) AS url, any_value(level) AS level"
        " FROM mart_drilldown WHERE fact = 'movement' AND list_contains(?::VARCHAR[], doc_id)"
        "  AND (list_contains(?::VARCHAR[], concat_ws(chr(31), key, doc_id, sentence_idx))"
        "       OR list_contains(?::VARCHAR[], concat_ws(chr(31), key, doc_id)))"
        " GROUP BY key, doc_id, sentence_idx",
        [docs, [sep.join(map(str, m)) for m in marks], [sep.join(n) for n in named_in]],
    )


def drilldown(named_in: Named, said: pd.DataFrame) -> DrillDown:
    by_mark = {(r["key"], r["doc_id"], int(r["sentence_idx"])): r for r in said.to_dict("records")}
    out = DrillDown()
    doc_index: dict[str, int] = {}
    for key, marks in named_in.firsts.items():
        out.totals[key] = named_in.totals[key]
        rows = out.sentences.setdefault(key, [])
        for doc_id, idx in marks:
            r = by_mark.get((key, doc_id, idx))
            if r is None:
                continue
            if doc_id not in doc_index:
                doc_index[doc_id] = len(out.docs)
                year = None if pd.isna(r["year"]) else int(r["year"])
                out.docs.append((r["title"] or "", r["issuer"] or "", year, r["url"] or "", r["level"] or ""))
            rows.append(Sentence(doc_index[doc_id], r["sentence"] or "", tuple(r["names"])))
    return out


def novelty(con: Connection, limit: int) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """New movements, newest year first (capped), and how many are new each year (all)."""
    rows = _frame(
        con,
        "WITH n AS MATERIALIZED (SELECT * FROM mart_movement_novelty),"
        " per_year AS (SELECT year, count(*) AS k FROM n GROUP BY year)"
        " SELECT year, movement, kind, parent, registered, documents, localities, first_issuer, first_published,"
        "  (SELECT list([year, k] ORDER BY year) FROM per_year) AS per_year"
        " FROM n ORDER BY year DESC, documents DESC, movement LIMIT ?",
        [limit],
    )
    per_year = [(int(y), int(k)) for y, k in rows["per_year"].iloc[0]] if len(rows) else []
    return rows.drop(columns="per_year"), per_year


def diffusion(con: Connection, per_movement: int) -> pd.DataFrame:
    """Per-locality rows, fastest first and capped per movement, each carrying its movement's
    figures (localities, median / fastest / slowest days, named before the launch)."""
    return _frame(
        con,
        "WITH d AS (SELECT *, row_number() OVER w AS rn, count(*) OVER p AS localities,"
        "   median(days_after_launch) OVER p AS median_days, min(days_after_launch) OVER p AS fastest,"
        "   max(days_after_launch) OVER p AS slowest, count(*) FILTER (WHERE days_after_launch < 0) OVER p AS before_launch"
        "  FROM mart_movement_diffusion"
        "  WINDOW p AS (PARTITION BY movement), w AS (PARTITION BY movement ORDER BY days_after_launch, locality))"
        " SELECT * EXCLUDE (rn) FROM d WHERE rn <= ? ORDER BY localities DESC, median_days, movement, rn",
        [per_movement],
    )


def level_roles(con: Connection, limit: int) -> pd.DataFrame:
    """One row per movement, one column per level: its role there and the plans of that
    level that name it; most named first, capped."""
    cells = ", ".join(
        f"string_agg(role, '/') FILTER (WHERE level = '{lv}') AS {lv}_role,"
        f" sum(documents) FILTER (WHERE level = '{lv}')::BIGINT AS {lv}_docs"
        for lv in LEVELS
    )
    return _frame(
        con,
        f"SELECT movement, any_value(launched_by) AS launched_by, {cells}, sum(documents)::BIGINT AS documents,"
        " count(*) OVER () AS total"
        " FROM mart_level_movements GROUP BY movement ORDER BY documents DESC, movement LIMIT ?",
        [limit],
    )


def phase_calendar(con: Connection, limit: int) -> pd.DataFrame:
    return _frame(
        con,
        "SELECT year, level, phases_in_plan, n, starts, ends, documents, flagged, count(*) OVER () AS total"
        " FROM mart_phase_calendar ORDER BY year DESC, level, phases_in_plan, n, documents DESC, starts LIMIT ?",
        [limit],
    )
