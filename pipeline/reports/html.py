"""`thidua report --html DIR`: one self-contained page (DIR/index.html) with the charts,
the mart tables, a search over the movements and the sentences behind each movement.
No network and no other file: CSS, JavaScript, SVG charts and data are inline; the data the
scripts read is JSON in ``<script type="application/json">`` elements."""
from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.reports import analysis, charts
from pipeline.reports import html_data as data
from pipeline.reports import html_tables as tables
from pipeline.reports.html_parts import Markup, esc, json_script, note, plain
from pipeline.store import Connection, dictionary


def write_report(con: Connection, directory: Path, limits: data.Limits | None = None) -> Path:
    """Write ``directory/index.html`` (the folder is created if missing) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "index.html"
    tmp = directory / ".index.html.tmp"
    tmp.write_text(render(con, limits or data.Limits()), encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a page
    return path


def render(con: Connection, limits: data.Limits) -> str:
    """The page. Each mart is read once (on a large database each costs seconds); the
    drill-down mart twice, for the shown movements and then for the sentences shown."""
    docs = {name: view.columns for name, view in dictionary().items()}
    moves = data.movements(con, limits.movements)
    places, cover = data.localities(con), data.coverage(con)
    overview = data.overview(con, cover, places, moves)
    named = data.named(con, list(dict.fromkeys(moves.rows["movement"])), limits.sentences)
    spread = data.diffusion(con, limits.diffusion_rows)
    marks = [(key, doc_id, idx) for key, firsts in named.firsts.items() for doc_id, idx in firsts]
    said = data.sentences(con, marks, list(zip(spread["named_as"], spread["first_doc_id"], strict=True)))
    pages = {r.doc_id: (r.url, r.title) for r in said.drop_duplicates("doc_id").itertuples()}
    novel, new_per_year = data.novelty(con, limits.novelty)
    sections = [
        ("heatmap", "Movements by year", _heatmap(data.heatmap(named, moves.rows, limits.heatmap))),
        ("trends", "Topic trends", _chart(analysis.trends(con, wide=False), charts.topic_trends, "trends-chart")),
        ("localities", "Localities by year", _localities(data.locality_matrix(places))),
        ("movements", "Recurring movements", tables.movements(moves.rows, moves.total, docs["mart_movement_recurrence"])),
        ("novelty", "New movements", tables.novelty(novel, new_per_year, docs["mart_movement_novelty"])),
        ("diffusion", "Diffusion", tables.diffusion(spread, pages, limits.diffusion_rows, docs["mart_movement_diffusion"])),
        ("levels", "Level roles", tables.levels(data.level_roles(con, limits.level_roles))),
        ("phases", "Phase calendar", tables.phases(data.phase_calendar(con, limits.phase_rows), docs["mart_phase_calendar"])),
        ("coverage", "Coverage", tables.coverage(cover, docs["mart_coverage"])),
    ]
    drill = data.drilldown(named, said)
    nav = "".join(f'<a href="#{sid}">{esc(title)}</a>' for sid, title, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{esc(title)}</h2>{html}</section>' for sid, title, html in sections)
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\';'
        " script-src 'unsafe-inline'; img-src data:; font-src data:\">"
        f"<title>thidua report — {esc(overview.database)}</title><style>{_asset('report.css')}</style></head>"
        f'<body>{_header(overview)}<nav class="toc">{nav}</nav><main>{body}</main>'
        f"{json_script('drill-data', drill.payload())}<script>{_asset('report.js')}</script></body></html>\n"
    )


def _asset(name: str) -> str:
    text = resources.files("pipeline.reports").joinpath("assets", name).read_text(encoding="utf-8")
    if "</" in text:  # would end the <style> or <script> element early
        raise ValueError(f"assets/{name} must not contain '</'")
    return text


def _header(o: data.Overview) -> Markup:
    years = f"{o.first_year}–{o.last_year}" if o.first_year is not None else "none"
    built = o.built.strftime("%Y-%m-%d %H:%M") if o.built else "unknown"
    sources = ", ".join(o.sources[:8]) + (f" and {len(o.sources) - 8} more" if len(o.sources) > 8 else "")
    stats = [
        ("documents", plain(o.documents), f"{o.campaign_documents:,} with a campaign year, {o.undated:,} without a page date"),
        ("campaign years", years, f"{o.n_years} distinct years"),
        ("sources", plain(len(o.sources)), sources),
        ("movements", plain(o.movements), f"canonical names, {o.mentions:,} mentions"),
    ]
    cards = "".join(f'<div class="stat"><dt>{esc(k)}</dt><dd><b>{esc(v)}</b><span>{esc(n)}</span></dd></div>' for k, v, n in stats)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return Markup(
        f'<header class="top"><div class="inner"><h1>Emulation campaign plans <small>thidua report</small></h1>'
        f'<p class="lede">Database <code>{esc(o.database)}</code>, last written {esc(built)}; this page made {esc(now)}.'
        " Every table reads the <code>mart_*</code> views; click a movement to read the sentences that name it.</p>"
        f'<dl class="stats">{cards}</dl></div></header>'
    )


def _chart(frame: pd.DataFrame, draw: Any, element_id: str) -> Markup:
    if frame.empty:
        return note("No data yet.")
    return Markup(f'<figure class="chart" id="{element_id}">{charts.svg(draw(frame))}</figure>')


def _heatmap(long: pd.DataFrame) -> Markup:
    shown = long["movement"].nunique() if len(long) else 0
    intro = note(f"The {shown} movements named in the most campaign years;"
                 " each cell counts the plans of that year that name the movement.")  # fmt: skip
    return Markup(intro + _chart(long, charts.movement_heatmap, "heatmap-chart"))


def _localities(wide: pd.DataFrame) -> Markup:
    intro = note("Plans per province after the 1 July 2025 merger (district plans folded into their province),"
                 " so places can be compared across the merger.")  # fmt: skip
    return Markup(intro + _chart(wide, charts.locality_matrix, "locality-chart"))
