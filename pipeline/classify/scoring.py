"""Relevance verdicts for documents already stored: those that have none yet (a database
from before the classifier, documents processed without a model) or, after a new model was
trained, those another model scored. Tokens come from the token cache, so a re-score does
not re-segment text it has seen."""
from __future__ import annotations

from collections.abc import Callable

from pipeline.classify.relevance import Features, RelevanceModel, features
from pipeline.models import Doc
from pipeline.store import Connection, load
from pipeline.text import TokenCache

BATCH = 500
WHICH = {"missing": "WHERE r.doc_id IS NULL", "stale": "WHERE r.model IS DISTINCT FROM ?", "all": ""}


def score_stored(
    con: Connection,
    model: RelevanceModel,
    cache: TokenCache | None = None,
    which: str = "missing",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Score stored documents: ``missing`` those with no verdict, ``stale`` those too whose
    verdict another model gave, ``all`` every one. Returns how many verdicts were written."""
    if which not in WHICH:
        raise ValueError(f"which must be one of {', '.join(WHICH)}")
    threshold, _ = load.relevance_policy(con)
    where, params = WHICH[which], ([model.version] if which == "stale" else [])
    base = f"FROM documents AS d LEFT JOIN document_relevance AS r USING (doc_id) {where}"
    row = con.execute(f"SELECT count(*) {base}", params).fetchone()
    total = int(row[0]) if row else 0
    cache = cache or TokenCache()
    done, after = 0, ""
    while True:
        rows = con.execute(
            f"SELECT d.doc_id, d.title, d.text, d.status {base} {'AND' if where else 'WHERE'} d.doc_id > ? ORDER BY d.doc_id LIMIT {BATCH}",
            [*params, after],
        ).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        items: list[tuple[Features | None, str]] = []
        for doc_id, title, text, status in rows:
            if status != "ok":
                items.append((None, status))
                continue
            _, tokens = cache.analyse(text)
            items.append((features(Doc(doc_id, text, title or "", tokens=tuple(tokens))), status))
        verdicts = model.judge(items, threshold)
        load.write_relevance(con, [(r[0], v) for r, v in zip(rows, verdicts, strict=True)])
        done += len(rows)
        if progress is not None:
            progress(done, total)
    return done
