"""The analysis commands of `thidua`: movements (and the registry review), trends,
localities, show, export. Thin: parse, call pipeline.reports, print."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from pipeline.cli_common import ConfigOpt, DbOpt, OutFormatOpt, OutputOpt, console, emit_to
from pipeline.settings import Settings

T = TypeVar("T")
LevelOpt = Annotated[str | None, typer.Option("--level", help="Only plans of this level: national, province, district, sector, grassroots.")]
SinceOpt = Annotated[int | None, typer.Option("--since", help="Only campaign years from this one on.")]

movements_app = typer.Typer(
    help="Recurring movements: years seen, localities, levels (filters below); `movements review` audits the registry.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@movements_app.callback()
def movements(
    ctx: typer.Context,
    min_years: Annotated[int, typer.Option("--min-years", help="Only movements named in at least this many campaign years.")] = 1,
    level: LevelOpt = None,
    province: Annotated[str | None, typer.Option("--province", help="Only plans of this province, as written when the plan was.")] = None,
    province_2025: Annotated[str | None, typer.Option("--province-2025", help="Only plans of places in this province after the 2025 merger.")] = None,
    since: SinceOpt = None,
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Which movements recur, where and since when."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.reports import analysis

    df = _read(config, db, lambda con: analysis.movements(con, min_years, level, province, since, province_2025))
    filters = (("level", level), ("province", province), ("province after 2025", province_2025), ("since", since))
    what = ", ".join(f"{k} {v}" for k, v in filters if v) or "all plans"
    emit_to(df, fmt, f"Movements named in ≥ {min_years} campaign year(s) — {what}", output)


def _read(config: Path | None, db: Path | None, fn: Callable[[Any], T]) -> T:
    """``fn`` on a read-only connection to the database the settings name."""
    from pipeline.store import reading

    with reading(Settings.load(config, db=db).db) as con:
        return fn(con)


def register(app: typer.Typer) -> None:
    app.add_typer(movements_app, name="movements")
    app.command()(trends)
    app.command()(localities)
    app.command()(show)
    app.command()(export)


def trends(
    measure: Annotated[str, typer.Option("--measure", help="documents, share (of the year's documents) or source_share (mean of each source's share).")] = "share",
    since: SinceOpt = None,
    long: Annotated[bool, typer.Option("--long", help="One row per year and topic instead of topics × years.")] = False,
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """How topics shift year by year: topics × campaign years."""
    from pipeline.reports import analysis

    df = _read(config, db, lambda con: analysis.trends(con, measure, since, wide=not long))
    emit_to(df, fmt, f"Topics × campaign year ({measure})", output)


def localities(
    by: Annotated[str, typer.Option("--by", help="province (as written) or province_2025 (after the merger).")] = "province",
    level: LevelOpt = None,
    long: Annotated[bool, typer.Option("--long", help="One row per year and locality instead of localities × years.")] = False,
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Campaign plans per locality and year, before or after the 2025 province merger."""
    from pipeline.reports import analysis

    df = _read(config, db, lambda con: analysis.localities(con, by, level, wide=not long))
    emit_to(df, fmt, f"Documents per {by.replace('_', ' ')} × campaign year", output)


def show(
    doc: Annotated[str, typer.Argument(help="A doc_id, its first characters, or the page URL.")],
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """One document: its metadata and every fact found in it, each with its sentence."""
    from pipeline.reports import analysis

    doc_id, (meta, facts) = _read(config, db, lambda con: (d := analysis.find_document(con, doc), analysis.document(con, d)))
    if fmt == "table" and output is None:
        import pandas as pd
        from rich.table import Table

        head = Table(show_header=False, title=f"{meta['title']}", title_justify="left")
        for key, value in meta.items():
            if value is not None and not (isinstance(value, float) and pd.isna(value)) and str(value) not in ("", "NaT", "<NA>"):
                head.add_row(key, str(value.date()) if isinstance(value, pd.Timestamp) else str(value))
        console.print(head)
    emit_to(facts, fmt, f"Facts of {doc_id}", output)


def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write (created if missing).")],
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Every mart as Parquet (partitioned by campaign year) and CSV, with a data dictionary."""
    from pipeline.reports.export import export as run_export

    done = _read(config, db, lambda con: run_export(con, directory))
    for e in done:
        console.print(f"{e.mart}: {e.rows} rows → {e.parquet}, {e.csv}")
    console.print(f"data dictionary: {directory / 'data_dictionary.md'} (and .json)")


@movements_app.command("review")
def review(
    accept: Annotated[list[int] | None, typer.Option("--accept", help="Accept proposal N into the registry (repeatable).")] = None,
    accept_all: Annotated[bool, typer.Option("--accept-all", help="Accept every proposal.")] = False,
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    config: ConfigOpt = None,
) -> None:
    """The alias audit: each movement with the forms documents print, and proposed groups of
    names the registry does not know; --accept writes chosen ones into the registry file."""
    import json
    import sys

    from pipeline.canon import Registry
    from pipeline.canon.grouping import propose, registry_entries
    from pipeline.errors import ThiduaError
    from pipeline.reports import analysis
    from pipeline.store import reading

    settings = Settings.load(config, db=db)
    registry = Registry.from_file(settings.registry)
    with reading(settings.db) as con:
        audit = analysis.alias_audit(con)
        proposals = propose(analysis.seen_names(con), registry)
    if accept or accept_all:
        from pipeline.jobs import update_registry

        chosen = proposals if accept_all else [p for p in proposals if p.number in set(accept or [])]
        unknown = sorted(set(accept or []) - {p.number for p in proposals})
        if unknown:
            raise ThiduaError(f"no proposal {', '.join(map(str, unknown))}", hint="thidua movements review lists them with their numbers")
        if not chosen:
            console.print("nothing to accept")
            return
        moved = update_registry(settings, registry_entries(chosen, registry))
        console.print(f"accepted {len(chosen)} proposal(s) into {settings.registry}; {moved} mention(s) moved in {settings.db}")
        return
    import pandas as pd

    frame = pd.DataFrame(
        [{"n": p.number, "action": p.action, "names": " | ".join(p.names), "target": p.target, "kind": p.kind,
          "score": round(p.score, 2), "reason": p.reason} for p in proposals]  # fmt: skip
    )
    if fmt == "json":
        payload = {"aliases": json.loads(audit.to_json(orient="records", force_ascii=False)),
                   "proposals": json.loads(frame.to_json(orient="records", force_ascii=False))}  # fmt: skip
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    emit_to(audit, fmt, "Alias audit: each movement and the forms documents print", None)
    emit_to(frame, fmt, "Proposals (alias: the same movement; variant: its own, under a parent; group: a new movement)", None)
    if fmt == "table" and len(frame):
        console.print("accept with: thidua movements review --accept N [--accept M …] or --accept-all")
