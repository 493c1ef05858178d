"""`thidua train`: fit the relevance model on the labelled documents the project owns,
measure it, and write a versioned model file with its training report.

The corpus is listed in ``data/training/corpus.toml``: sets of documents with a gold file
(one JSON record per document: ``id``, ``relevant``, optionally ``category``), each used to
``train`` or kept for ``dev`` (measured, never learnt from). Measured:

- cross-validation on the training sets, stratified 5-fold, and leave-one-set-out (each set
  was written separately: this is the honest test of a style the model has not seen);
- precision on the hard negatives: positives against the negatives that look like plans
  (Tháng Công nhân, giao ước, launches by non-union bodies, reviews, commendations,
  ceremony plans), the easy negatives left out;
- the dev sets, scored by the model trained on everything;
- the confusion matrix and the ten most confusing documents (out-of-fold).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold, cross_val_predict

from pipeline.classify import relevance
from pipeline.classify.relevance import (
    MIN_WORDS,
    MODEL_DIR,
    THRESHOLD,
    ClassifierError,
    Features,
    RelevanceModel,
    build_pipeline,
    features,
)
from pipeline.evaluate import find_doc, load_gold
from pipeline.record import read_local
from pipeline.settings import REPO
from pipeline.text import make_doc

CORPUS = REPO / "data" / "training" / "corpus.toml"
HARD_NEGATIVES = frozenset(
    {"thang_cong_nhan", "giao_uoc", "government_launch", "review", "five_year_review", "commendation", "anniversary_plan"}
)


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    set: str
    use: str  # train | dev
    relevant: bool
    category: str
    title: str
    features: Features


@dataclass(frozen=True, slots=True)
class CorpusSet:
    name: str
    gold: Path
    docs: Path
    use: str
    optional: bool = False


def read_corpus_file(path: Path = CORPUS) -> list[CorpusSet]:
    """The sets of the corpus file; paths are relative to the file's folder's parent's parent
    (the repository), as written."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ClassifierError(f"cannot read the training corpus list {path}: {exc}", hint="see data/training/README.md") from exc
    root = path.resolve().parent.parent.parent
    sets = []
    for i, entry in enumerate(data.get("set", []), 1):
        missing = [k for k in ("name", "gold", "docs", "use") if k not in entry]
        if missing or entry.get("use") not in ("train", "dev"):
            raise ClassifierError(f"{path}: set {i} ({entry.get('name', '?')}) needs name, gold, docs and use = train|dev",
                                  hint="see data/training/README.md")  # fmt: skip
        sets.append(CorpusSet(entry["name"], root / entry["gold"], root / entry["docs"], entry["use"], bool(entry.get("optional"))))
    return sets


def load_examples(sets: Sequence[CorpusSet], progress: Callable[[int, int], None] | None = None) -> list[Example]:
    """Every labelled document of the sets, read and tokenised as the pipeline reads them.
    An optional set whose files are missing (the seeds outside the repository) is skipped."""
    todo: list[tuple[CorpusSet, dict[str, Any], Path]] = []
    for s in sets:
        if not s.gold.exists():
            if s.optional:
                continue
            raise ClassifierError(f"training set {s.name}: no gold file {s.gold}")
        for rec in load_gold(s.gold):
            if "relevant" not in rec:
                raise ClassifierError(f"training set {s.name}: record {rec['id']} has no 'relevant' label")
            path = find_doc(s.docs, rec["id"])
            if path is None:
                raise ClassifierError(f"training set {s.name}: no document for {rec['id']} under {s.docs}")
            todo.append((s, rec, path))
    out = []
    for n, (s, rec, path) in enumerate(todo, 1):
        local = read_local(path, rec["id"])
        doc = make_doc(local.doc_id, local.main.text, local.main.title, local.main.published)
        relevant = bool(rec["relevant"])
        category = rec.get("category") or ("plan" if relevant else "other")
        out.append(Example(rec["id"], s.name, s.use, relevant, category, local.main.title, features(doc)))
        if progress is not None:
            progress(n, len(todo))
    return out


def corpus_digest(examples: Sequence[Example], seed: int) -> str:
    """A digest of what makes the model: the training documents and labels, the model's
    code (features and pipeline), scikit-learn's version and the seed."""
    h = hashlib.sha256(f"{sklearn.__version__}|{seed}".encode())
    h.update(Path(relevance.__file__).read_bytes())
    for e in sorted(examples, key=lambda e: (e.set, e.id)):
        if e.use == "train":
            h.update(f"{e.set}|{e.id}|{e.relevant}|{e.features.title}|{e.features.words}".encode())
    return h.hexdigest()


def scores(y: Sequence[bool] | np.ndarray, p: Sequence[float] | np.ndarray, threshold: float = THRESHOLD) -> dict[str, Any]:
    """Precision, recall, F1 and accuracy of the positive class, with the confusion matrix."""
    yt, yp = np.asarray(y, bool), np.asarray(p) >= threshold
    tp, fp = int((yt & yp).sum()), int((~yt & yp).sum())
    fn, tn = int((yt & ~yp).sum()), int((~yt & ~yp).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(yt), "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "accuracy": round((tp + tn) / len(yt), 4) if len(yt) else 1.0,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }  # fmt: skip


def _judgeable(examples: Sequence[Example]) -> list[Example]:
    return [e for e in examples if e.features.n_words >= MIN_WORDS]


def cross_validate(train: Sequence[Example], seed: int = 0) -> dict[str, Any]:
    """Out-of-fold probabilities, stratified 5-fold and leave-one-set-out, and what they score."""
    X, y = [e.features for e in train], np.array([e.relevant for e in train])
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    oof = cross_val_predict(build_pipeline(seed), X, y, cv=folds, method="predict_proba")[:, 1]
    out: dict[str, Any] = {"stratified_5fold": scores(y, oof)}
    groups = np.array([e.set for e in train])
    if len(set(groups)) > 1 and all(len(set(y[groups == g])) == 2 for g in set(groups)):
        by_set = cross_val_predict(build_pipeline(seed), X, y, cv=LeaveOneGroupOut(), groups=groups, method="predict_proba")[:, 1]
        out["leave_one_set_out"] = scores(y, by_set)
        out["leave_one_set_out"]["per_set"] = {g: scores(y[groups == g], by_set[groups == g]) for g in sorted(set(groups))}
    hard = np.array([e.relevant or e.category in HARD_NEGATIVES for e in train])
    out["hard_negatives"] = scores(y[hard], oof[hard])
    out["per_category"] = {
        cat: {"n": int(sum(1 for e in train if e.category == cat)),
              "called_relevant": int(sum(1 for e, p in zip(train, oof) if e.category == cat and p >= THRESHOLD))}
        for cat in sorted({e.category for e in train})
    }  # fmt: skip
    worst = sorted(zip(train, oof), key=lambda ep: -abs(float(ep[0].relevant) - ep[1]))[:10]
    out["most_confusing"] = [
        {"id": e.id, "set": e.set, "category": e.category, "relevant": e.relevant, "probability": round(float(p), 3), "title": e.title[:120]}
        for e, p in worst
    ]
    return out


@dataclass
class TrainingResult:
    model: RelevanceModel
    path: Path
    report: dict[str, Any]


def train(
    sets: Sequence[CorpusSet],
    out: Path = MODEL_DIR,
    activate: bool = True,
    seed: int = 0,
    validate: bool = True,
    progress: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Read the corpus, cross-validate, fit on every training document, score the dev sets,
    write ``<version>.joblib`` and ``<version>.report.json`` / ``.md`` into ``out`` and, with
    ``activate``, point ``out/CURRENT`` at it. The version names the day and a digest of
    the training data and settings: the same corpus gives the same version."""
    say = progress or (lambda _msg: None)
    say("reading and tokenising the corpus")
    examples = load_examples(sets)
    train_set = _judgeable([e for e in examples if e.use == "train"])
    if len({e.relevant for e in train_set}) < 2 or len(train_set) < 10:
        raise ClassifierError(f"the training sets hold {len(train_set)} usable documents; need at least 10, of both labels",
                              hint="add labelled documents to data/training/ and list them in data/training/corpus.toml")  # fmt: skip
    report: dict[str, Any] = {
        "trained_on": dt.date.today().isoformat(),
        "scikit_learn": sklearn.__version__,
        "threshold": THRESHOLD,
        "training": {s: dict(Counter("relevant" if e.relevant else "not relevant" for e in train_set if e.set == s))
                     for s in sorted({e.set for e in train_set})},
        "too_short_to_judge": [e.id for e in examples if e.features.n_words < MIN_WORDS],
    }  # fmt: skip
    if validate:
        say(f"cross-validating on {len(train_set)} documents")
        report["cross_validation"] = cross_validate(train_set, seed)
    say("fitting the model on every training document")
    pipeline = build_pipeline(seed).fit([e.features for e in train_set], [e.relevant for e in train_set])
    digest = corpus_digest(examples, seed)
    version = f"relevance-{dt.date.today():%Y%m%d}-{digest[:8]}"
    model = RelevanceModel(pipeline, version, {"digest": digest})
    report["version"] = version
    report["dev"] = {}
    for name in sorted({e.set for e in examples if e.use == "dev"}):
        dev = _judgeable([e for e in examples if e.set == name])
        p = model.probabilities([e.features for e in dev])
        report["dev"][name] = scores([e.relevant for e in dev], p) | {
            "errors": [{"id": e.id, "relevant": e.relevant, "probability": round(float(q), 3), "title": e.title[:120]}
                       for e, q in zip(dev, p) if (q >= THRESHOLD) != e.relevant]
        }  # fmt: skip
    model.meta["report"] = report
    _strip(model)
    path = model.save(out)
    (out / f"{version}.report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / f"{version}.report.md").write_text(report_markdown(report), encoding="utf-8")
    if activate:
        (out / "CURRENT").write_text(version + "\n", encoding="utf-8")
    return TrainingResult(model, path, report)


def _strip(model: RelevanceModel) -> None:
    """Drop what the vectorizers keep only for inspection (the pruned vocabulary), so the
    shipped file stays small."""
    for _, part in model.pipeline.named_steps["features"].transformer_list:
        vec = part.steps[-1][1]
        if hasattr(vec, "stop_words_"):
            vec.stop_words_ = None


def _row(name: str, s: dict[str, Any]) -> str:
    c = s["confusion"]
    return f"| {name} | {s['n']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} |"


def report_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Relevance model {report['version']}", "",
             f"Trained {report['trained_on']} with scikit-learn {report['scikit_learn']}; threshold {report['threshold']}.", "",
             "Training documents: " + "; ".join(f"{s}: " + ", ".join(f"{n} {k}" for k, n in sorted(c.items()))
                                                for s, c in report["training"].items()), "",
             "| measure | n | precision | recall | F1 | TP | FP | FN | TN |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    cv = report.get("cross_validation", {})
    if cv:
        lines.append(_row("cross-validation, stratified 5-fold", cv["stratified_5fold"]))
        if "leave_one_set_out" in cv:
            lines.append(_row("cross-validation, leave one set out", cv["leave_one_set_out"]))
            lines += [_row(f"… held-out set {g}", s) for g, s in cv["leave_one_set_out"]["per_set"].items()]
        lines.append(_row("hard negatives vs positives (5-fold)", cv["hard_negatives"]))
    lines += [_row(f"dev set {name}", s) for name, s in report["dev"].items()]
    if cv:
        lines += ["", "## Per category (5-fold, out of fold)", "", "| category | documents | called relevant |", "| --- | --- | --- |"]
        lines += [f"| {c} | {v['n']} | {v['called_relevant']} |" for c, v in cv["per_category"].items()]
        lines += ["", "## The ten most confusing documents (out of fold)", "",
                  "| document | set | category | label | probability | title |", "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
        lines += [f"| {d['id']} | {d['set']} | {d['category']} | {'relevant' if d['relevant'] else 'not'} | {d['probability']:.3f} | {d['title']} |"
                  for d in cv["most_confusing"]]  # fmt: skip
    for name, s in report["dev"].items():
        if s["errors"]:
            lines += ["", f"## Dev set {name}: misclassified", ""]
            lines += [f"- {e['id']} ({'relevant' if e['relevant'] else 'not relevant'}, p = {e['probability']:.3f}): {e['title']}" for e in s["errors"]]
    return "\n".join(lines) + "\n"
