"""What every `thidua` command shares: the consoles, the common options, and output in the
formats people ask for (a table on screen, CSV, JSON, Parquet to a file)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from pipeline.errors import ThiduaError
from pipeline.reports import tables

if TYPE_CHECKING:
    import pandas as pd

console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

DbOpt = Annotated[Path | None, typer.Option("--db", help="DuckDB file (default: data/thidua.duckdb, or THIDUA_DB).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML file with a \\[thidua] or \\[tool.thidua] table.")]
OUTPUT_FORMATS = (*tables.FORMATS, "parquet")
OutFormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet (parquet needs --output).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen.")]


def check_format(fmt: str, allowed: tuple[str, ...] = tables.FORMATS) -> None:
    if fmt not in allowed:
        raise typer.BadParameter(f"{fmt!r}; use one of {', '.join(allowed)}", param_hint="--format")


def emit(df: object, fmt: str, title: str) -> None:
    out = tables.render(df, fmt, title, console)  # type: ignore[arg-type]
    if out is not None:
        sys.stdout.write(out if out.endswith("\n") else out + "\n")


def emit_to(df: pd.DataFrame, fmt: str, title: str, output: Path | None) -> None:
    """A table on screen, or CSV / JSON / Parquet to ``output`` (CSV and JSON may go to stdout)."""
    check_format(fmt, OUTPUT_FORMATS)
    if fmt == "parquet":
        if output is None:
            raise ThiduaError("parquet is written to a file", hint="add --output FILE.parquet")
        from pipeline.store import frame_to_file

        frame_to_file(df, output, "parquet")
        err.print(f"{len(df)} rows written to {output}")
        return
    if output is None or fmt == "table":
        emit(df, fmt, title)
        return
    text = tables.render(df, fmt, title)
    output.write_text(text or "", encoding="utf-8")
    err.print(f"{len(df)} rows written to {output}")
