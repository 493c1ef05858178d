"""Charts where people would rather look than read: the movement × year heatmap, topic
trend lines, the locality × year matrix. Each takes the DataFrame the analysis functions
return and gives a matplotlib Figure; ``svg`` turns one into text for the HTML report."""
from __future__ import annotations

import io

import matplotlib.pyplot as plt  # with no screen matplotlib picks a file backend itself; a notebook keeps its inline one
import pandas as pd
from matplotlib.figure import Figure

CMAP = "YlOrRd"


def _grid(table: pd.DataFrame, title: str, label: str, width: float = 11.0) -> Figure:
    rows, cols = table.shape
    fig, ax = plt.subplots(figsize=(width, max(2.5, 0.32 * rows + 1.6)))
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap=CMAP, vmin=0)
    ax.set_xticks(range(cols), [str(c) for c in table.columns], rotation=0 if cols <= 14 else 90, fontsize=8)
    ax.set_yticks(range(rows), [_short(str(i)) for i in table.index], fontsize=8)
    for (r, c), value in pd.DataFrame(table.to_numpy()).stack().items():  # type: ignore[union-attr]
        if value:
            ax.text(c, r, f"{value:g}", ha="center", va="center", fontsize=7)
    ax.set_title(title, fontsize=11, loc="left")
    fig.colorbar(image, ax=ax, label=label, shrink=0.8)
    fig.tight_layout()
    return fig


def _short(text: str, limit: int = 55) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def movement_heatmap(long: pd.DataFrame) -> Figure:
    """Rows: movements (as ranked), columns: campaign years, cells: documents naming it."""
    order = list(dict.fromkeys(long["movement"]))
    table = long.pivot_table(index="movement", columns="year", values="documents", fill_value=0, aggfunc="sum").reindex(order)
    return _grid(table, "Movements × campaign year (documents that name them)", "documents")


def topic_trends(long: pd.DataFrame, measure: str = "source_share") -> Figure:
    """One small line chart per topic across campaign years, on a shared scale (fourteen
    lines on one axis would be unreadable)."""
    table = long.pivot_table(index="year", columns="topic", values=measure, fill_value=0, aggfunc="sum")
    topics = list(table.columns)
    ncols = 4
    nrows = max(1, -(-len(topics) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 2.0 * nrows + 0.6), sharex=True, sharey=True, squeeze=False)
    top = max(1.0, float(table.to_numpy().max()) if len(table) else 1.0)
    for ax, topic in zip(axes.flat, topics, strict=False):
        ax.plot(table.index, table[topic], marker="o", markersize=2.5, linewidth=1.3, color="#c0392b")
        ax.fill_between(table.index, table[topic], alpha=0.15, color="#c0392b")
        ax.set_title(topic.replace("_", " "), fontsize=8, loc="left")
        ax.set_ylim(0, top)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(topics) :]:
        ax.set_visible(False)
    fig.suptitle(f"Topics by campaign year ({measure.replace('_', ' ')})", fontsize=11, x=0.01, ha="left")
    fig.tight_layout()
    return fig


def locality_matrix(wide: pd.DataFrame) -> Figure:
    """Rows: localities, columns: campaign years, cells: documents (``analysis.localities``)."""
    table = wide.set_index("locality").drop(columns=["total"], errors="ignore")
    return _grid(table, "Localities × campaign year (documents)", "documents", width=10.0)


def svg(fig: Figure) -> str:
    """The figure as inline SVG text (no file), closed afterwards."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg") :]


def png(fig: Figure, path: str) -> None:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
