"""Print an evaluation report: the per-field table, the guards, then every miss and false hit."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.evaluate import META, Report


def print_report(report: Report, console: Console, items: bool = True) -> None:
    table = Table(title=f"{report.gold_file}: {report.documents} documents", title_justify="left")
    for col in ("field", "P", "R", "F1", "accuracy", "tp", "fp", "fn"):
        table.add_column(col, justify="left" if col == "field" else "right")
    for name, s in report.scores.items():
        if not s.docs:
            continue
        acc = f"{s.accuracy:.2f}" if name in META or name == "relevant" else ""
        table.add_row(name, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}", acc, str(s.tp), str(s.fp), str(s.fn))
    for name, s in report.guards.items():
        style = "red" if s.fp else "green"
        table.add_row(f"[{style}]{name}[/]", "", "", "", "", "", f"[{style}]{s.fp}[/]", "")
    console.print(table)
    if not items:
        return
    for name, s in {**report.scores, **report.guards}.items():
        for label, rows in (("missed", s.misses), ("false hit", s.false_hits)):
            for doc_id, item, sentence in rows:
                console.print(f"[bold]{name}[/] {label} [cyan]{doc_id}[/]: {item}", highlight=False)
                if sentence:
                    console.print(f"    [dim]{sentence[:300]}[/]", highlight=False)
