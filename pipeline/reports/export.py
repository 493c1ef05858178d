"""`thidua export DIR`: every mart as Parquet (partitioned by campaign year where the mart
has one) and as CSV, with a data dictionary (Markdown for people, JSON for programs)."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.store import Connection, copy_to, dictionary, marts


@dataclass(frozen=True, slots=True)
class Exported:
    mart: str
    rows: int
    parquet: Path
    csv: Path


def export(con: Connection, directory: Path) -> list[Exported]:
    """Write every mart under ``directory``: ``parquet/<mart>/year=YYYY/*.parquet`` (or
    ``parquet/<mart>.parquet``), ``csv/<mart>.csv``, ``data_dictionary.md`` and ``.json``.
    A mart's old files are replaced, so an export never mixes two runs."""
    docs = dictionary()
    (directory / "csv").mkdir(parents=True, exist_ok=True)
    (directory / "parquet").mkdir(parents=True, exist_ok=True)
    out = []
    for mart in marts():
        columns = [r[0] for r in con.execute(f"DESCRIBE {mart}").fetchall()]
        rows = int(con.execute(f"SELECT count(*) FROM {mart}").fetchone()[0])  # type: ignore[index]
        csv = directory / "csv" / f"{mart}.csv"
        copy_to(con, f"SELECT * FROM {mart}", csv, "csv")
        if "year" in columns:
            parquet = directory / "parquet" / mart
            shutil.rmtree(parquet, ignore_errors=True)
            if rows:
                copy_to(con, f"SELECT * FROM {mart} WHERE year IS NOT NULL", parquet, "parquet", partition_by="year")
            else:
                parquet.mkdir(parents=True)
        else:
            parquet = directory / "parquet" / f"{mart}.parquet"
            copy_to(con, f"SELECT * FROM {mart}", parquet, "parquet")
        out.append(Exported(mart, rows, parquet, csv))
    types = {m: dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {m})").fetchall()) for m in marts()}
    _write_dictionary(directory, out, docs, types)
    return out


def _write_dictionary(directory: Path, exported: list[Exported], docs: dict, types: dict[str, dict[str, str]]) -> None:
    lines = [
        "# thidua data dictionary",
        "",
        "Each mart answers one question. `parquet/<mart>/year=YYYY/` holds a mart that has a campaign",
        "year, one folder per year (rows without a year are in the CSV only); `csv/<mart>.csv` holds",
        "every row. Every number drills down to its sentences through `mart_drilldown`.",
        "",
    ]
    payload = []
    for e in exported:
        doc = docs[e.mart]
        lines += [f"## {e.mart}", "", doc.description, "", f"{e.rows} rows. Files: `{e.parquet.relative_to(directory)}`, "
                  f"`{e.csv.relative_to(directory)}`.", "", "| column | type | meaning |", "| --- | --- | --- |"]  # fmt: skip
        for col, typ in types[e.mart].items():
            lines.append(f"| {col} | {typ} | {doc.columns.get(col, '')} |")
        lines.append("")
        payload.append({
            "mart": e.mart, "description": doc.description, "rows": e.rows,
            "parquet": str(e.parquet.relative_to(directory)), "csv": str(e.csv.relative_to(directory)),
            "columns": [{"name": c, "type": t, "description": doc.columns.get(c, "")} for c, t in types[e.mart].items()],
        })  # fmt: skip
    (directory / "data_dictionary.md").write_text("\n".join(lines), encoding="utf-8")
    (directory / "data_dictionary.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
