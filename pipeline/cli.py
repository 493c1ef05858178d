"""The `thidua` command. Thin: parses flags, calls the library, prints."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli_common import ConfigOpt, DbOpt, FormatOpt, check_format, console, emit, err
from pipeline.errors import ThiduaError
from pipeline.reports import tables
from pipeline.settings import Settings

app = typer.Typer(
    name="thidua",
    help="Collect Vietnamese trade-union emulation campaign plans and query them as data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def demo(
    db: Annotated[Path | None, typer.Option("--db", help="DuckDB file to (re)fill (default: data/demo.duckdb).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the bundled sample site on 127.0.0.1, crawl it, extract, load DuckDB, print the tables, write the HTML report."""
    from pipeline.demo import run_demo
    from pipeline.reports.html import write_report
    from pipeline.store import reading

    settings = Settings.load(config, demo_db=db)
    result = run_demo(settings, console)
    p = result.processed
    console.print(
        f"processed: {p.describe()} into {result.db}"
    )
    with reading(result.db) as con:
        rec = tables.recurrence(con)
        shown = rec[["movement", "years", "n_years", "n_localities", "levels"]].head(25)
        emit(shown, "table", f"Movement recurrence: top {len(shown)} of {len(rec)} canonical movements")
        emit(tables.topic_by_year(tables.year_topic(con)), "table", "Documents per campaign year × topic (first row: all documents of the year)")
        page = write_report(con, result.db.parent / "reports" / "demo")
    console.print(f"HTML report (open it in a browser): {page}")
    console.print(f"done in {result.seconds:.1f} s. Query it: thidua query --db {result.db} \"SELECT * FROM mart_movement_recurrence\"")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run, read-only (tables, stg_* and mart_* views).")],
    db: DbOpt = None,
    fmt: FormatOpt = "table",
    config: ConfigOpt = None,
) -> None:
    """Run read-only SQL against the database and print the result."""
    from pipeline.store import reading, run_query

    check_format(fmt)
    with reading(Settings.load(config, db=db).db) as con:
        df = run_query(con, sql)
    emit(df, fmt, "")


@app.command()
def report(
    db: DbOpt = None,
    fmt: FormatOpt = "table",
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", metavar="DIR",
            help="Write a self-contained HTML report to DIR/index.html instead (charts, tables, movement search,"
            " the sentences behind each movement; no network needed to view it) and print its path.",
        ),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Print the movement recurrence and year × topic tables of a database (or, with --html DIR, write the HTML report)."""
    from pipeline.store import reading

    check_format(fmt)
    with reading(Settings.load(config, db=db).db) as con:
        if html is not None:
            from pipeline.reports.html import write_report

            console.print(f"report written to {write_report(con, html)}", highlight=False, soft_wrap=True)
            return
        emit(tables.recurrence(con), fmt, "Movement recurrence")
        emit(tables.year_topic(con), fmt, "Campaign year × topic (documents)")


SourcesOpt = Annotated[
    Path | None, typer.Option("--sources", help="TOML file of [sources.<id>] tables to crawl as well (or only).")
]
SourceIdOpt = Annotated[list[str] | None, typer.Option("--source", help="Built-in source id to crawl; repeatable.")]


def _pick_sources(ids: list[str] | None, sources_file: Path | None, default_all: bool) -> list:
    from crawler.sources import builtin_sources, load_sources_file

    known = builtin_sources()
    picked = []
    for sid in ids or []:
        if sid not in known:
            raise ThiduaError(f"no built-in source {sid!r}", hint="thidua sources lists them")
        picked.append(known[sid])
    if sources_file is not None:
        picked += list(load_sources_file(sources_file).values())
    if not picked and default_all:
        picked = [s for s in known.values() if s.id != "sample"]
    return picked


def _crawl_overrides(settings: Settings) -> dict[str, object]:
    from crawler.settings import LOCAL_OVERRIDES

    out: dict[str, object] = {"DOWNLOAD_DELAY": settings.download_delay}
    if not settings.polite:
        out.update(LOCAL_OVERRIDES)
    if settings.user_agent:
        out["USER_AGENT"] = settings.user_agent
    return out


def _print_job(result: object) -> None:
    for c in result.crawl:  # type: ignore[attr-defined]
        p = result.processed[c.source_id]  # type: ignore[attr-defined]
        console.print(
            f"{c.source_id}: {c.fetched} fetched, {c.new} new, {c.changed} changed, {c.unchanged} unchanged"
            f" ({c.not_modified} × 304), {c.not_due} not due, {c.failed} failed; {p.describe()}, {p.no_date} without a date"
        )
        if c.finish_reason != "finished":  # interrupted (Ctrl-C, SIGTERM) or stopped by a limit: the rest waits in JOBDIR
            err.print(f"[yellow]{c.source_id}: the crawl stopped before the end ({c.finish_reason or 'unknown'}); the next run resumes it[/]")


@app.command()
def crawl(
    source: SourceIdOpt = None,
    sources_file: SourcesOpt = None,
    db: DbOpt = None,
    proxy: Annotated[str | None, typer.Option("--proxy", help="Send every request through this HTTP proxy.")] = None,
    recheck_days: Annotated[float | None, typer.Option("--recheck-days", help="Re-check stored articles older than this (default 14).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Crawl sources (built-in ids and/or a TOML file), archive, extract, and publish the database."""
    from pipeline.jobs import run_job

    settings = Settings.load(config, db=db, proxy=proxy, recheck_days=recheck_days)
    picked = _pick_sources(source, sources_file, default_all=False)
    if not picked:
        raise ThiduaError("no sources chosen", hint="pass --source ID (see thidua sources) or --sources FILE.toml")
    _print_job(run_job(settings, picked, "crawl", console, _crawl_overrides(settings)))


@app.command()
def nightly(
    sources_file: SourcesOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The scheduled job: crawl every built-in source (and --sources), process, write the reports."""
    from pipeline.jobs import run_job
    from pipeline.reports.status import write_reports
    from pipeline.store import reading

    settings = Settings.load(config, db=db)
    result = run_job(settings, _pick_sources(None, sources_file, default_all=True), "nightly", console, _crawl_overrides(settings))
    _print_job(result)
    with reading(settings.db) as con:
        paths = write_reports(con, settings.reports)
    console.print(f"run {result.run_id} done; reports: {', '.join(str(p) for p in paths)}")


@app.command()
def status(
    db: DbOpt = None,
    fmt: FormatOpt = "table",
    config: ConfigOpt = None,
) -> None:
    """Show the last runs and each site's figures (new, changed, 304, failed, empty, no date), with flags."""
    import json

    from pipeline.reports import status as st
    from pipeline.store import reading

    check_format(fmt)
    with reading(Settings.load(config, db=db).db) as con:
        runs, sites = st.runs(con), st.sites(con)
    if fmt == "json":
        payload = {
            "runs": json.loads(runs.to_json(orient="records", date_format="iso")),
            "sites": json.loads(sites.to_json(orient="records", date_format="iso")),
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    emit(runs, fmt, "Last runs")
    emit(sites, fmt, "Sites, latest run")
    for row in sites.itertuples():
        if row.flag:
            err.print(f"[yellow]warning:[/] {row.source_id}: {row.flag}")


@app.command()
def sources() -> None:
    """List the built-in sources (websites) the crawler knows."""
    import pandas as pd

    from crawler.sources import builtin_sources

    rows = [
        {"id": s.id, "name": s.name, "level": s.level, "verified": s.verified, "start": ", ".join(s.start_urls)}
        for s in builtin_sources().values()
    ]
    emit(pd.DataFrame(rows), "table", "Sources")


@app.command()
def reprocess(
    db: DbOpt = None,
    archive: Annotated[Path | None, typer.Option("--archive", help="WARC directory (default: data/archive).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Rebuild documents and facts from the WARC archive, with no network. Like a crawl, it
    works on a copy of the database under the run lock, and swaps it in when it is done."""
    from crawler.sources import builtin_sources
    from pipeline.canon import Registry
    from pipeline.canon.sync import refresh
    from pipeline.extract import TopicRules
    from pipeline.jobs import editing, extract_pages
    from pipeline.store import connect

    settings = Settings.load(config, db=db, archive=archive)
    if not settings.db.exists():
        raise ThiduaError(f"no database at {settings.db}", hint="pass --db, or crawl first")
    registry, rules = Registry.from_file(settings.registry), TopicRules.from_file(settings.topics)
    with editing(settings) as work, console.status("Re-extracting from the archive …") as status:

        def progress(group: int, done: int, total: int) -> None:
            status.update(f"Re-extracting from the archive … {done:,} of {total:,} pages")

        out = extract_pages(work, settings, registry, rules, [None], builtin_sources(), progress=progress)
        status.update("Bringing the tables up to date …")
        con = connect(work)
        try:
            refresh(con, registry)
        finally:
            con.close()
    console.print(f"reprocessed {out.summaries[0].describe()}")
    console.print(f"tokens of {out.cache_hits} texts from the cache, {out.cache_misses} segmented")


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="HTML pages or plain-text files (a directory: every file in it).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl (one record per file) or table.")] = "jsonl",
    with_text: Annotated[bool, typer.Option("--with-text", help="Include the document text the spans point into.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Extract the codebook's fields from local files: no crawl, no database. Every fact has its
    span; `relevant` and `relevance` are the relevance model's label and probability."""
    import json

    from pipeline.canon import Registry
    from pipeline.classify import load_model
    from pipeline.extract import TopicRules
    from pipeline.record import extract_file

    if fmt not in ("jsonl", "table"):
        raise typer.BadParameter(f"{fmt!r}; use jsonl or table", param_hint="--format")
    settings = Settings.load(config)
    registry, rules = Registry.from_file(settings.registry), TopicRules.from_file(settings.topics)
    model = load_model(settings.relevance_model_path)
    files = _expand(paths)
    failed = 0
    for path in files:
        try:
            rec, _ = extract_file(path, rules, registry, include_text=with_text, relevance=model)
        except (OSError, ValueError) as exc:  # one unreadable file is reported; the others go on
            failed += 1
            err.print(f"[red]{path}:[/] {exc}", highlight=False)
            continue
        rec["path"] = str(path)
        if fmt == "jsonl":
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        else:
            _print_record(rec)
    if failed:
        raise ThiduaError(f"{failed} of {len(files)} files could not be read")


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".html", ".htm", ".txt"))
        elif p.exists():
            files.append(p)
        else:
            raise ThiduaError(f"no such file: {p}")
    if not files:
        raise ThiduaError("no .html, .htm or .txt files in the given paths")
    return files


def _print_record(rec: dict) -> None:
    from rich.table import Table

    table = Table(title=f"{rec['path']} ({rec['status']})", show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    if rec.get("relevance_status"):
        verdict = {True: "a campaign plan", False: "not a campaign plan"}.get(rec["relevant"], "not judged")
        p = f", p = {rec['relevance']:.2f}" if rec.get("relevance") is not None else f" ({rec['relevance_status']})"
        table.add_row("relevance", f"{verdict}{p}")
    for key in ("title", "published", "issuer", "level", "province", "district", "province_2025", "year", "doc_number", "signatory"):
        table.add_row(key, "" if rec.get(key) is None else str(rec[key]))
    for t in rec["themes"]:
        table.add_row(f"theme ({t['kind']})", t["text"])
    for p in rec["phases"]:
        table.add_row(f"phase {p['n']}", f"{p['start']} → {p['end']}" + (f" “{p['theme']}”" if p["theme"] else ""))
    for m in rec["movements"]:
        table.add_row(m["kind"], m["text"] + ("" if m["canonical"] == m["text"] else f"  [dim]→ {m['canonical']}[/]"))
    for q in rec["other_quotes"]:
        table.add_row(f"quote ({q['kind']})", q["text"])
    for a in rec["anniversaries"]:
        table.add_row("anniversary", f"{a['years']} năm {a['event']}")
    table.add_row("legal refs", ", ".join(r["ref"] for r in rec["legal_refs"]))
    table.add_row("topics", ", ".join(rec["topics"]))
    console.print(table)


@app.command(name="eval")
def eval_(
    gold: Annotated[list[Path], typer.Option("--gold", help="Gold JSONL file (repeat --gold/--docs for several sets).")],
    docs: Annotated[list[Path], typer.Option("--docs", help="Directory with the gold documents (<id>.txt or <id>.html).")],
    fmt: FormatOpt = "table",
    items: Annotated[bool, typer.Option("--items/--no-items", help="List every miss and false hit with its sentence.")] = True,
    config: ConfigOpt = None,
) -> None:
    """Precision, recall and F1 per field against gold annotations, with every miss and false hit."""
    import json

    from pipeline.canon import Registry
    from pipeline.classify import load_model
    from pipeline.evaluate import evaluate, load_gold
    from pipeline.extract import TopicRules
    from pipeline.record import extract_file
    from pipeline.reports.evaluation import print_report

    if len(gold) != len(docs):
        raise typer.BadParameter("give one --docs directory for each --gold file", param_hint="--docs")
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"{fmt!r}; use table or json", param_hint="--format")
    settings = Settings.load(config)
    registry, rules = Registry.from_file(settings.registry), TopicRules.from_file(settings.topics)
    model = load_model(settings.relevance_model_path)
    reports = []
    for g, d in zip(gold, docs, strict=True):
        if not d.is_dir():
            raise ThiduaError(f"no documents directory {d}")
        records = load_gold(g)
        with console.status(f"Extracting {len(records)} documents of {g.name} …"):
            report = evaluate(records, lambda p: extract_file(p, rules, registry, relevance=model), d, str(g))
        if report.missing_docs:
            err.print(f"[yellow]{len(report.missing_docs)} gold records have no file in {d}:[/] {', '.join(report.missing_docs[:5])}")
        reports.append(report)
    if fmt == "json":
        sys.stdout.write(json.dumps([r.as_dict(with_items=items) for r in reports], ensure_ascii=False, indent=1) + "\n")
    else:
        for r in reports:
            print_report(r, console, items=items)


from pipeline import cli_analysis, cli_classify  # noqa: E402 (the analysis and classifier commands join the app here)

cli_analysis.register(app)
cli_classify.register(app)


def main() -> None:
    try:
        app(standalone_mode=False)
    except ThiduaError as exc:
        hint = f" — {exc.hint}" if exc.hint else ""
        err.print(f"[red]error:[/] {exc}{hint}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: wrong flag, bad value
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {exc}")
        sys.exit(getattr(exc, "exit_code", 2))


if __name__ == "__main__":
    main()
