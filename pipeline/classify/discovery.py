"""Topic discovery: an NMF topic model over the words of the documents the marts count (the
relevant ones), to surface themes the codebook's topics lack. It helps a researcher find new
codes; it does not replace the codebook (data/registry/topics.toml).

Words are the underthesea tokens of each document (from the token cache) written in lower
case: a capitalised word is a name (a place, a company, a person, "Đại hội XIII") or starts
a sentence, and names would make topics of places rather than themes. The project's
stop-word list (data/registry/stopwords.txt, one word per line, editable) and words in more
than ``max_df`` of the documents are left out.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.classify.relevance import ClassifierError
from pipeline.settings import REPO
from pipeline.store import Connection
from pipeline.text import TokenCache

STOPWORDS = REPO / "data" / "registry" / "stopwords.txt"
MIN_DOCUMENTS = 10


@dataclass(frozen=True, slots=True)
class Discovered:
    topics: pd.DataFrame  # topic, label, top_words, documents (where it is the strongest topic)
    shares: pd.DataFrame  # year, topic, share (mean topic weight of the year's documents), documents
    documents: int


def read_stopwords(path: Path = STOPWORDS) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower().replace(" ", "_") for w in lines if w.strip() and not w.lstrip().startswith("#"))


def _words(text: str, cache: TokenCache, stop: frozenset[str]) -> str:
    _, tokens = cache.analyse(text)
    out = []
    for t in tokens:
        if not t.text.islower() or not t.text[:1].isalpha():
            continue
        w = t.text.replace(" ", "_")
        if len(w) > 1 and w not in stop:
            out.append(w)
    return " ".join(out)


def _split(text: str) -> list[str]:
    return text.split()


def discover(
    con: Connection,
    k: int = 8,
    top: int = 12,
    since: int | None = None,
    sample: int = 20000,
    cache: TokenCache | None = None,
    stopwords: frozenset[str] | None = None,
    max_df: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
) -> Discovered:
    """Fit ``k`` NMF topics on the counted documents (from ``since`` on; at most ``sample`` of
    them, picked by a hash of the id so the same database gives the same sample)."""
    if k < 2:
        raise ClassifierError("ask for at least two topics", hint="--k 2 or more")
    rows = con.execute(
        "SELECT c.doc_id, c.year, d.text FROM stg_campaigns AS c JOIN documents AS d USING (doc_id)"
        " WHERE (? IS NULL OR c.year >= ?)",
        [since, since],
    ).fetchall()
    if len(rows) > sample:
        rows = sorted(rows, key=lambda r: hashlib.sha1(r[0].encode()).hexdigest())[:sample]
    if len(rows) < max(MIN_DOCUMENTS, k):
        raise ClassifierError(f"{len(rows)} documents are counted; topic discovery needs at least {max(MIN_DOCUMENTS, k)}",
                              hint="crawl and process more, or lower --k; `thidua relevance` shows what is counted")  # fmt: skip
    cache = cache or TokenCache()
    stop = read_stopwords() if stopwords is None else stopwords
    texts = []
    for i, (_, _, text) in enumerate(rows, 1):
        texts.append(_words(text, cache, stop))
        if progress is not None:
            progress(i, len(rows))
    vec = TfidfVectorizer(analyzer=_split, min_df=2, max_df=max_df, sublinear_tf=True)
    try:
        X = vec.fit_transform(texts)
    except ValueError as exc:  # no word left after min_df / max_df
        raise ClassifierError(f"no words left to model: {exc}", hint="lower --max-df or add documents") from exc
    k = min(k, X.shape[1])
    nmf = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=500)
    W = nmf.fit_transform(X)
    vocab = np.asarray(vec.get_feature_names_out())
    strongest = W.argmax(axis=1)
    strongest[W.max(axis=1) == 0] = -1
    topics = []
    for t, weights in enumerate(nmf.components_):
        words = [w.replace("_", " ") for w in vocab[np.argsort(weights)[::-1][:top]]]
        topics.append({"topic": t + 1, "label": " / ".join(words[:3]), "top_words": ", ".join(words),
                       "documents": int((strongest == t).sum())})  # fmt: skip
    norm = W / np.where(W.sum(axis=1, keepdims=True) == 0, 1, W.sum(axis=1, keepdims=True))
    frame = pd.DataFrame(norm, columns=[t + 1 for t in range(k)])
    frame["year"] = [r[1] for r in rows]
    frame = frame.dropna(subset=["year"])
    shares = frame.melt(id_vars="year", var_name="topic", value_name="share").groupby(["year", "topic"], as_index=False)["share"].mean()
    counts = frame.groupby("year").size().rename("documents").reset_index()
    shares = shares.merge(counts, on="year")
    shares["year"] = shares["year"].astype(int)
    shares["share"] = shares["share"].round(4)
    return Discovered(pd.DataFrame(topics), shares, len(rows))
