"""The classifier commands of `thidua`: train (the relevance model), relevance (what it
decided, the threshold and whether the marts count every document, re-scoring), and
topics discover (NMF topics over the counted documents). Thin: parse, call, print."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli_common import ConfigOpt, DbOpt, OutFormatOpt, OutputOpt, console, emit_to, err
from pipeline.settings import Settings

relevance_app = typer.Typer(
    help="The relevance model's verdicts: counts, the threshold and what the marts count (`policy`), re-scoring (`score`).",
    invoke_without_command=True,
    no_args_is_help=False,
)
topics_app = typer.Typer(help="Topic discovery beside the codebook's topics: `topics discover`.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.add_typer(relevance_app, name="relevance")
    app.add_typer(topics_app, name="topics")


def train(
    corpus: Annotated[Path | None, typer.Option("--corpus", help="The corpus list (default data/training/corpus.toml).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the model file and its report (default data/models/relevance).")] = None,
    activate: Annotated[bool, typer.Option("--activate/--no-activate", help="Point the folder's CURRENT file at the new model.")] = True,
    validate: Annotated[bool, typer.Option("--validate/--no-validate", help="Cross-validate before the final fit (a minute or two).")] = True,
) -> None:
    """Retrain the relevance model on the labelled documents, measure it (cross-validation,
    hard negatives, dev sets), and write a versioned model file with its training report."""
    from pipeline.classify.relevance import MODEL_DIR
    from pipeline.classify.training import CORPUS, read_corpus_file
    from pipeline.classify.training import train as fit

    sets = read_corpus_file(corpus or CORPUS)
    with console.status("Training …") as status:
        result = fit(sets, out or MODEL_DIR, activate=activate, validate=validate, progress=lambda m: status.update(f"{m} …"))
    folder = result.path.parent
    console.print((folder / f"{result.model.version}.report.md").read_text(encoding="utf-8"), markup=False, highlight=False)
    console.print(f"model written to {result.path}" + (" (now the current model)" if activate else ""))
    if activate:
        console.print("documents already stored keep their verdicts: `thidua relevance score` re-scores them with it")


@relevance_app.callback()
def relevance(
    ctx: typer.Context,
    by_source: Annotated[bool, typer.Option("--by-source", help="One row per source instead of the totals.")] = False,
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """How many documents the model called campaign plans, how many it could not judge and
    why, which model scored them, and the policy the marts count by."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.store import load, reading

    keys = "source_id, " if by_source else ""
    with reading(Settings.load(config, db=db).db) as con:
        threshold, count_all = load.relevance_policy(con)
        df = con.execute(
            f"SELECT {keys}relevance_status AS status, relevant, count(*) AS documents,"
            " round(avg(relevance), 3) AS mean_probability, count(*) FILTER (WHERE counted) AS counted_by_marts"
            f" FROM stg_documents GROUP BY ALL ORDER BY {keys}status, relevant DESC"
        ).df()
        models = con.execute("SELECT model, count(*) FROM document_relevance GROUP BY model ORDER BY 2 DESC").fetchall()
    counted = "every document" if count_all else f"documents with probability ≥ {threshold:g}"
    emit_to(df, fmt, f"Relevance of the current documents — the marts count {counted}", output)
    if fmt == "table" and output is None:
        console.print("scored by: " + (", ".join(f"{m} ({n})" for m, n in models) or "no model yet"))


@relevance_app.command()
def policy(
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0, help="Probability from which a document is relevant.")] = None,
    count: Annotated[str | None, typer.Option("--count", help="What the marts count: relevant (the default) or all documents.")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Show or change the threshold and what the marts count; labels and marts are rebuilt."""
    from pipeline.jobs import edit_database
    from pipeline.store import load, reading, refresh_models

    if count not in (None, "relevant", "all"):
        raise typer.BadParameter(f"{count!r}; use relevant or all", param_hint="--count")
    settings = Settings.load(config, db=db)
    if threshold is None and count is None:
        with reading(settings.db) as con:
            t, everything = load.relevance_policy(con)
    else:

        def change(con: load.Connection) -> tuple[float, bool]:
            new = load.set_relevance_policy(con, threshold, None if count is None else count == "all")
            refresh_models(con)
            return new

        with console.status("Relabelling and rebuilding the marts …"):
            t, everything = edit_database(settings, change)
    console.print(f"threshold {t:g}; the marts count {'every document' if everything else 'the relevant documents'}")


@relevance_app.command()
def score(
    which: Annotated[str, typer.Option("--which", help="missing (no verdict yet), stale (also another model's verdicts) or all.")] = "stale",
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Score stored documents with the current model (after `thidua train`), then rebuild the marts."""
    from rich.progress import Progress

    from pipeline.classify import load_model
    from pipeline.classify.scoring import WHICH, score_stored
    from pipeline.jobs import edit_database
    from pipeline.store import refresh_models
    from pipeline.text import TokenCache

    if which not in WHICH:
        raise typer.BadParameter(f"{which!r}; use one of {', '.join(WHICH)}", param_hint="--which")
    settings = Settings.load(config, db=db)
    model = load_model(settings.relevance_model_path)
    cache = TokenCache(settings.token_cache_file)

    def change(con: object) -> int:
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"scoring with {model.version}", total=None)
            n = score_stored(con, model, cache, which, progress=lambda done, total: bar.update(task, completed=done, total=total))  # type: ignore[arg-type]
        refresh_models(con)  # type: ignore[arg-type]
        return n

    try:
        n = edit_database(settings, change)
    finally:
        cache.close()
    console.print(f"{n} documents scored with {model.version}; the marts are rebuilt")


@topics_app.command()
def discover(
    k: Annotated[int, typer.Option("--k", min=2, help="Number of topics.")] = 8,
    top: Annotated[int, typer.Option("--top", min=3, help="Words shown per topic.")] = 12,
    since: Annotated[int | None, typer.Option("--since", help="Only campaign years from this one on.")] = None,
    shares: Annotated[bool, typer.Option("--shares", help="Print each topic's share per campaign year instead of its words.")] = False,
    max_df: Annotated[float, typer.Option("--max-df", min=0.05, max=1.0, help="Leave out words in more than this share of the documents.")] = 0.5,
    db: DbOpt = None,
    fmt: OutFormatOpt = "table",
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Themes the counted documents share (NMF over their words): top words per topic, or
    with --shares each topic's share per year. A help to find new codebook topics."""
    from pipeline.classify.discovery import discover as fit
    from pipeline.store import reading
    from pipeline.text import TokenCache

    settings = Settings.load(config, db=db)
    cache = TokenCache(settings.token_cache_file) if settings.token_cache_file.exists() else TokenCache()
    try:
        with reading(settings.db) as con, console.status("Reading the documents and fitting the topics …"):
            found = fit(con, k=k, top=top, since=since, cache=cache, max_df=max_df)
    finally:
        cache.close()
    if shares:
        wide = found.shares.pivot(index="year", columns="topic", values="share").reset_index()
        wide.columns = [str(c) if c == "year" else f"topic {c}" for c in wide.columns]
        emit_to(wide, fmt, f"Topic share per campaign year ({found.documents} documents)", output)
    else:
        emit_to(found.topics, fmt, f"{len(found.topics)} topics over {found.documents} documents (NMF)", output)
