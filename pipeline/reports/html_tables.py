"""The table sections of the HTML report (pipeline.reports.html reads the data and lays
out the page): each takes rows from pipeline.reports.html_data and returns safe HTML."""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pandas as pd

from pipeline.reports import html_data as data
from pipeline.reports.html_parts import (
    Col,
    Markup,
    esc,
    link,
    note,
    nowrap_list,
    plain,
    table,
    year_ranges,
)  # fmt: skip


def movements(frame: pd.DataFrame, total: int, tips: dict[str, str]) -> Markup:
    shown = f"all {total}" if len(frame) >= total else f"the first {len(frame)} of {total} (thidua movements lists all)"
    cols = [
        Col("movement", "movement", tip=tips.get("movement", ""), cell=_movement_cell, cls="wide"),
        Col("kind", "kind", tip=tips.get("kind", "")),
        Col("years", "years", tip=tips.get("years", ""), cell=lambda r: nowrap_list(year_ranges(r["years"]).split(", "))),
        Col("n_years", "years named", num=True, tip=tips.get("n_years", "")),
        Col("n_localities", "localities", num=True, tip=tips.get("n_localities", "")),
        Col("levels", "levels", tip=tips.get("levels", ""), cell=lambda r: _level_slots(r["levels"]), cls="nowrap",
            sort=lambda r: len(r["levels"])),
        Col("first_year", "first", num=True, tip=tips.get("first_year", ""), cell=lambda r: esc(str(r["first_year"]))),
        Col("last_year", "last", num=True, tip=tips.get("last_year", ""), cell=lambda r: esc(str(r["last_year"]))),
        Col("n_documents", "plans", num=True, tip=tips.get("n_documents", "")),
        Col("n_mentions", "mentions", num=True, tip=tips.get("n_mentions", "")),
    ]
    search = (
        '<div class="search"><label for="movement-search">Search movements</label>'
        '<input id="movement-search" type="search" data-filter="movements-table" autocomplete="off"'
        ' placeholder="e.g. lao dong sang tao (accents optional)">'
        '<span id="movements-table-count" class="count" aria-live="polite"></span></div>'
    )
    rows = table(frame, cols, "movements-table", _movement_row, tall=True)
    return Markup(
        note(f"Canonical movements, most campaign years first: {shown}. Click a row for the sentences that name it."
              " Levels: N national, P province, D district, S sector, G grassroots.")
        + Markup(search) + rows + Markup('<p id="movements-table-none" class="note" hidden>No movement matches.</p>')
    )


def _movement_cell(row: dict[str, Any]) -> Markup:
    parent = plain(row.get("parent"))
    extra = f'<span class="sub">variant of {esc(parent)}</span>' if parent else ""
    unregistered = "" if row.get("registered") else '<span class="tag" title="not in the movement registry yet">new name</span>'
    return Markup(f'<span class="name">{esc(row["movement"])}</span>{unregistered}{extra}')


def _level_slots(levels: Any) -> Markup:
    """Five fixed slots, N P D S G, filled where that level names the movement."""
    named = set(levels)
    return Markup("".join(
        f'<span class="lv{" on" if lv in named else ""}" title="{lv}{"" if lv in named else ": none"}">{lv[0].upper()}</span>'
        for lv in data.LEVELS
    ))  # fmt: skip


def _movement_row(row: dict[str, Any]) -> str:
    search = " ".join(plain(row.get(k)) for k in ("movement", "parent", "kind"))
    return f'class="mv" tabindex="0" aria-expanded="false" data-key="{esc(row["movement"])}" data-search="{esc(search)}"'


def novelty(rows: pd.DataFrame, per_year: list[tuple[int, int]], tips: dict[str, str]) -> Markup:
    counts = " · ".join(f"{y}: {n}" for y, n in per_year)
    cols = [
        Col("movement", "movement", tip=tips.get("movement", ""), cls="wide"),
        Col("year", "first year", num=True, tip=tips.get("year", ""), cell=lambda r: esc(str(r["year"]))),
        Col("kind", "kind", tip=tips.get("kind", "")),
        Col("parent", "variant of", tip=tips.get("parent", "")),
        Col("registered", "registered", tip=tips.get("registered", "")),
        Col("documents", "plans", num=True, tip=tips.get("documents", "")),
        Col("localities", "localities", num=True, tip=tips.get("localities", "")),
        Col("first_issuer", "first named by", tip=tips.get("first_issuer", "")),
        Col("first_published", "on", tip=tips.get("first_published", ""), cls="nowrap"),
    ]
    total = sum(n for _, n in per_year)
    capped = f" (the newest {len(rows)} of {total} shown)" if len(rows) < total else ""
    return Markup(
        note(f"Movements in the first campaign year whose plans name them{capped}. New per year: {counts or 'none'}.")
        + table(rows, cols, "novelty-table", tall=True)
    )


def diffusion(rows: pd.DataFrame, pages: dict[str, tuple[str, str]], cap: int, tips: dict[str, str]) -> Markup:
    """``rows``: per-locality rows with their movement's figures; ``pages``: doc_id → (url, title)."""
    summary = rows.drop_duplicates("movement")
    cols = [
        Col("movement", "movement", tip=tips.get("movement", ""), cls="wide"),
        Col("launched_by", "launched by", tip=tips.get("launched_by", "")),
        Col("launch_date", "launch", tip=tips.get("launch_date", ""), cls="nowrap"),
        Col("launch_basis", "launch from", tip=tips.get("launch_basis", "")),
        Col("localities", "localities", num=True, tip="localities whose plans name it (or a local variant of it)"),
        Col("median_days", "median days", num=True, tip="median of days_after_launch: " + tips.get("days_after_launch", "")),
        Col("fastest", "fastest", num=True),
        Col("slowest", "slowest", num=True),
        Col("before_launch", "before launch", num=True, tip="localities that named it before the launch date known here"),
    ]
    parts = [
        note("Days from a registered movement's launch to each locality's first plan that names it."),
        table(summary, cols, "diffusion-table"),
        Markup('<h3>Per locality</h3>'),
        note(f"Fastest first; at most {cap} localities per movement."),
    ]
    loc_cols = [
        Col("locality", "locality", tip=tips.get("locality", "")),
        Col("level", "level", tip=tips.get("level", "")),
        Col("province_2025", "province (2025)", tip=tips.get("province_2025", "")),
        Col("first_date", "date", tip=tips.get("first_date", ""), cls="nowrap"),
        Col("days_after_launch", "days", num=True, tip=tips.get("days_after_launch", "")),
        Col("first_doc_id", "first plan", tip=tips.get("first_doc_id", ""), cls="wide", cell=lambda r: link(*pages.get(r["first_doc_id"], ("", "")))),
        Col("named_as", "local variant", tip=tips.get("named_as", ""),
            cell=lambda r: esc("" if r["named_as"] == r["movement"] else r["named_as"])),
    ]
    for i, (movement, group) in enumerate(rows.groupby("movement", sort=False)):
        total = int(group["localities"].iloc[0])
        more = f", {len(group)} shown" if len(group) < total else ""
        parts.append(Markup(
            f"<details><summary>{esc(movement)} <span class=\"count\">{total} localities{more}</span></summary>"
            f"{table(group, loc_cols, f'diffusion-{i}')}</details>"
        ))  # fmt: skip
    return Markup("".join(parts))


def levels(frame: pd.DataFrame) -> Markup:
    total = int(frame["total"].iloc[0]) if len(frame) else 0

    def cell(level: str) -> Col:
        def show(r: dict[str, Any]) -> Markup:
            role = plain(r.get(f"{level}_role"))
            if not role:
                return Markup("")
            kind = role.split("/")[0].replace(" ", "-")
            return Markup(f'<span class="role {esc(kind)}">{esc(role)}</span> {esc(r.get(f"{level}_docs"))}')

        return Col(f"{level}_docs", level, cell=show, sort=lambda r: r.get(f"{level}_docs") or 0, cls="nowrap")

    cols = [Col("movement", "movement", cls="wide"), *(cell(lv) for lv in data.LEVELS), Col("documents", "plans", num=True), Col("launched_by", "launched by")]
    capped = f" The {len(frame)} most named of {total} are shown." if len(frame) < total else ""
    return Markup(
        note("Which levels launch a movement (the registry's launcher is of that level), name it first (no known launcher),"
              f" or echo it; with the plans of each level that name it.{capped}")
        + table(frame, cols, "levels-table", tall=True)
    )


def phases(frame: pd.DataFrame, tips: dict[str, str]) -> Markup:
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    cols = [
        Col("year", "year", num=True, tip=tips.get("year", ""), cell=lambda r: esc(str(r["year"]))),
        Col("level", "level", tip=tips.get("level", "")),
        Col("phases_in_plan", "phases in plan", num=True, tip=tips.get("phases_in_plan", "")),
        Col("n", "phase", num=True, tip=tips.get("n", "")),
        Col("starts", "starts", tip=tips.get("starts", "")),
        Col("ends", "ends", tip=tips.get("ends", "")),
        Col("span", "Jan … Dec", cell=_phase_span),
        Col("documents", "plans", num=True, tip=tips.get("documents", "")),
        Col("flagged", "flagged", num=True, tip=tips.get("flagged", "")),
    ]
    capped = f" The newest {len(frame)} of {total} rows are shown." if len(frame) < total else ""
    return Markup(
        note("When phases start and end, by year and issuer level (01-06: a day, --06: a month, launch: from the launch)." + capped)
        + table(frame, cols, "phases-table", tall=True)
    )


def _day(point: str, end: bool) -> int | None:
    """A phase bound as a day of a leap year (1–366): "03-15", a month "--03" (its first or
    last day); None for "launch" (the day is not known) or anything else."""
    try:
        if point.startswith("--"):
            month = int(point[2:])
            day = calendar.monthrange(2020, month)[1] if end else 1
        else:
            month, day = int(point[:2]), int(point[3:5])
        return dt.date(2020, month, day).timetuple().tm_yday
    except (ValueError, IndexError):
        return None


def _phase_span(row: dict[str, Any]) -> Markup:
    start, end = _day(plain(row["starts"]), False), _day(plain(row["ends"]), True)
    if end is None:
        return Markup("")
    launch = start is None
    start = 1 if start is None else start
    if end < start:  # runs into the next year
        end = 366
    left, width = 100 * (start - 1) / 366, max(1.5, 100 * (end - start + 1) / 366)
    cls = "span-bar from-launch" if launch else "span-bar"
    return Markup(f'<span class="span-track"><span class="{cls}" style="left:{left:.1f}%;width:{width:.1f}%"></span></span>')


def coverage(frame: pd.DataFrame, tips: dict[str, str]) -> Markup:
    top = max((int(m["n"]) for months in frame["months"] for m in months), default=0)
    cols = [
        Col("source_id", "source", tip=tips.get("source_id", "")),
        Col("year", "year", num=True, cell=lambda r: esc(str(r["year"]))),
        Col("months", "Jan … Dec", cell=lambda r: _months(r["months"], top)),
        Col("documents", "documents", num=True, tip=tips.get("documents", "")),
        Col("campaign_documents", "with a campaign year", num=True, tip=tips.get("campaign_documents", "")),
        Col("empty_months", "empty months", num=True, tip="months inside the source's span with no document: a crawl gap?"),
        Col("undated", "undated (source)", num=True, tip=tips.get("undated", "")),
    ]
    return Markup(
        note("Documents per source by the year of their page date; a pale cell is a month with none.")
        + table(frame, cols, "coverage-table")
    )


def _months(months: Any, top: int) -> Markup:
    by_month = {int(m["m"]): int(m["n"]) for m in months}
    cells = []
    for month in range(1, 13):
        if month not in by_month:
            cells.append(f'<i class="m out" title="{month:02d}: outside the crawled span"></i>')
            continue
        n = by_month[month]
        level = 0 if n == 0 else 1 + min(3, (3 * n) // max(top, 1))
        cells.append(f'<i class="m m{level}" title="{month:02d}: {n} documents"></i>')
    return Markup(f'<span class="months">{"".join(cells)}</span>')
