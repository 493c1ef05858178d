"""The tables people read: built from the marts, printed with rich, or written as CSV/JSON."""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from pipeline.store import Connection

if TYPE_CHECKING:  # pandas is imported by the functions that make frames: `thidua nightly` needs none
    import pandas as pd

FORMATS = ("table", "csv", "json")


def frame(con: Connection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def recurrence(con: Connection, limit: int | None = None) -> pd.DataFrame:
    df = frame(
        con,
        "SELECT movement, kind, years, n_years, n_localities, levels, first_year, last_year, n_documents"
        " FROM mart_movement_recurrence" + (f" LIMIT {int(limit)}" if limit else ""),
    )
    df["years"] = df["years"].map(lambda ys: ", ".join(str(y) for y in ys))
    df["levels"] = df["levels"].map(lambda ls: ", ".join(ls))
    return df


def year_topic(con: Connection) -> pd.DataFrame:
    """Years as rows, topics as columns, documents as values (pivoted here: DuckDB views
    cannot PIVOT on data-driven columns)."""
    long = frame(con, "SELECT year, topic, documents, year_documents FROM mart_year_topic")
    if long.empty:
        import pandas as pd

        return pd.DataFrame(columns=["year", "documents"])
    wide = long.pivot_table(index="year", columns="topic", values="documents", fill_value=0, aggfunc="sum")
    totals = long.groupby("year")["year_documents"].max()
    wide.insert(0, "documents", totals)
    wide = wide.reset_index()
    wide.columns.name = None
    return wide


def topic_by_year(wide: pd.DataFrame) -> pd.DataFrame:
    """The year × topic table turned for reading on a screen: topics as rows, years as columns."""
    if wide.empty:
        return wide
    t = wide.set_index("year").T
    t.columns = [str(c) for c in t.columns]
    t.index.name = "topic"
    return t.reset_index()


def render(df: pd.DataFrame, fmt: str, title: str = "", console: Console | None = None) -> str | None:
    """Print a table to the console, or return CSV/JSON text."""
    if fmt == "csv":
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        return buf.getvalue()
    if fmt == "json":
        return json.dumps(json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False)), ensure_ascii=False, indent=1)
    import pandas as pd

    console = console or Console()
    table = Table(title=title or None, show_lines=False, header_style="bold")
    for col in df.columns:
        table.add_column(str(col), overflow="fold", justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for row in df.itertuples(index=False):
        table.add_row(*("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in row))
    console.print(table)
    return None
