"""`thidua status`: the last runs, per-site figures of the latest, and redesign flags."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.store import Connection

JUMP = 0.3  # an empty-extraction rate this much above the site's usual one flags a redesign
MIN_EMPTY = 3


def runs(con: Connection, last: int = 5) -> pd.DataFrame:
    return con.execute(
        "SELECT run_id, command, status, started_at, finished_at, pages_fetched, pages_new, pages_failed,"
        " documents, message FROM crawl_runs ORDER BY run_id DESC LIMIT ?",
        [last],
    ).df()


def sites(con: Connection) -> pd.DataFrame:
    """Per-site figures of each site's latest run, with the site's usual empty rate and a flag."""
    df = con.execute(
        """
        WITH rated AS (
            SELECT s.*, r.started_at,
                   CASE WHEN s.documents + s.empty > 0 THEN s.empty / (s.documents + s.empty) END AS empty_rate,
                   row_number() OVER (PARTITION BY s.source_id ORDER BY s.run_id DESC) AS age
            FROM crawl_site_stats AS s JOIN crawl_runs AS r USING (run_id)
        ),
        usual AS (
            SELECT source_id, avg(empty_rate) AS usual_empty_rate
            FROM rated WHERE age BETWEEN 2 AND 8 GROUP BY source_id
        )
        SELECT l.source_id, l.run_id, l.started_at, l.fetched, l.new, l.changed, l.unchanged, l.not_modified,
               l.not_due, l.failed, l.documents, l.empty, l.no_date,
               round(l.empty_rate, 3) AS empty_rate, round(u.usual_empty_rate, 3) AS usual_empty_rate
        FROM rated AS l LEFT JOIN usual AS u USING (source_id)
        WHERE l.age = 1
        ORDER BY l.source_id
        """
    ).df()
    df["flag"] = [
        "empty extractions jumped: redesign? check the selectors"
        if pd.notna(rate) and pd.notna(usual) and rate - usual >= JUMP and empty >= MIN_EMPTY
        else ""
        for rate, usual, empty in zip(df["empty_rate"], df["usual_empty_rate"], df["empty"], strict=True)
    ]
    return df


def write_reports(con: Connection, directory: Path) -> list[Path]:
    """What a nightly run leaves for people and scripts that do not speak SQL: every mart
    exported (Parquet by year, CSV, data dictionary) and the HTML report."""
    from pipeline.reports.export import export
    from pipeline.reports.html import write_report

    export(con, directory / "export")
    return [directory / "export" / "data_dictionary.md", write_report(con, directory / "html")]
