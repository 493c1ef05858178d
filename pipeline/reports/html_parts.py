"""The pieces of the HTML report that know nothing about thidua: escaping, JSON embedded in
a page, cells and tables built from a DataFrame. Every text that reaches the page passes
through ``esc`` unless it is ``Markup`` built here from escaped parts."""
from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


class Markup(str):
    """HTML that is safe as it is (built from escaped parts)."""


def esc(value: Any) -> Markup:
    """Text (or a number, a date) as HTML; Markup passes unchanged; missing values are empty."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(plain(value), quote=True))


def plain(value: Any) -> str:
    """A cell value as the text a reader sees."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.strftime("%Y-%m-%d") if not (value.hour or value.minute) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # lists and arrays
        pass
    return str(value)


def json_script(element_id: str, payload: Any) -> Markup:
    """Data as a ``<script type="application/json">`` element. ``<``, ``>`` and ``&`` are
    written as \\u escapes, so no text in the data can close the element or open a comment."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=plain)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(f'<script type="application/json" id="{esc(element_id)}">{text}</script>')


def note(text: str) -> Markup:
    """A paragraph that says what a table or chart shows."""
    return Markup(f'<p class="note">{esc(text)}</p>')


def link(url: Any, text: Any) -> Markup:
    """A link to a web page (http or https only), or the bare text."""
    target = plain(url)
    if not target.lower().startswith(("http://", "https://")):
        return esc(text)
    return Markup(f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer">{esc(text or target)}</a>')


def year_ranges(years: Iterable[Any]) -> str:
    """[2015, 2016, 2017, 2019] → "2015–2017, 2019"."""
    ys = sorted({int(y) for y in years if y is not None and not pd.isna(y)})
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def nowrap_list(items: Iterable[str], sep: str = ", ") -> Markup:
    """Items that break between each other, never inside one."""
    return Markup(sep.join(f'<span class="nw">{esc(i)}</span>' for i in items))


@dataclass(frozen=True, slots=True)
class Col:
    """One column: the frame's column ``key`` under the header ``title``; ``cell`` turns a
    row into safe HTML (default: the escaped value); ``sort`` gives a number to sort by."""

    key: str
    title: str
    num: bool = False
    tip: str = ""
    cls: str = ""  # more classes for the cells: "wide" (a name), "nowrap" (a date)
    cell: Callable[[dict[str, Any]], Markup] | None = None
    sort: Callable[[dict[str, Any]], Any] | None = None


def table(
    frame: pd.DataFrame, cols: Sequence[Col], table_id: str, row_attrs: Callable[[dict[str, Any]], str] | None = None,
    caption: str = "", tall: bool = False,
) -> Markup:  # fmt: skip
    """A sortable table in a wrapper that scrolls sideways on a narrow screen (and down,
    with its header kept in view, when ``tall``)."""
    head = "".join(
        f'<th scope="col" tabindex="0"{_cls(c)}{_title(c.tip)}>{esc(c.title)}</th>' for c in cols
    )
    body: list[str] = []
    for row in frame.to_dict("records"):
        cells = []
        for c in cols:
            value = c.cell(row) if c.cell else esc(row.get(c.key))
            sort = f' data-v="{esc(_sort_value(c.sort(row)))}"' if c.sort else ""
            cells.append(f"<td{_cls(c)}{sort}>{value}</td>")
        attrs = (" " + row_attrs(row)) if row_attrs else ""
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr class="none"><td colspan="{len(cols)}">Nothing in the database yet.</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    wrap = "table-wrap tall" if tall else "table-wrap"
    return Markup(
        f'<div class="{wrap}"><table id="{esc(table_id)}" class="sortable">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _cls(c: Col) -> str:
    names = " ".join(n for n in ("num" if c.num else "", c.cls) if n)
    return f' class="{names}"' if names else ""


def _title(tip: str) -> str:
    return f' title="{esc(tip)}"' if tip else ""


def _sort_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
