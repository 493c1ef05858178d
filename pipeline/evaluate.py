"""Compare extracted records with a gold file: precision, recall, F1 per field, and every
miss and false hit with the sentence it is in.

Matching rules (the codebook's fields):

- metadata (issuer, level, province, district, province_2025, year, doc_number,
  signatory, published, title, author): one value per document. Accuracy counts a
  document right when both sides agree, null included; precision and recall count the
  non-null values. Names are compared on their folded keys (case, tone-mark placement);
  doc_number without spaces.
- movements: per document, the set of quoted names, by exact surface (as the stored text
  writes it: NFC, the safe fixes such as Ð → Đ, whitespace runs and hard wraps as one
  space; case and marks kept) and, separately, by canonical name (folded). Themes: by (kind, text) and by text whatever the kind.
- phases: (n, start, end) exact; per bound (n, start) and (n, end).
- anniversaries: (years, from, to); legal references: the normalised number; topics: codes.
- campaign fields (everything but movements) are scored on the gold documents marked
  ``relevant``: a page that announces no campaign has no issuer or phases to find, and
  telling those pages apart is the relevance classifier's job, measured on its own.
- guards: gold ``other_quotes`` reported as movements and gold ``boilerplate_quotes``
  reported as any fact are counted; both must be 0.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ThiduaError
from pipeline.models import Doc
from pipeline.text.normalize import clean_chars, fold

META = ("issuer", "level", "province", "district", "province_2025", "year", "doc_number", "signatory", "published", "title", "author")


class GoldError(ThiduaError):
    hint = "a gold file has one JSON object per line with an 'id' (see ../shared/gold/CODEBOOK.md)"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    right: int = 0  # metadata: documents where both sides agree (null included)
    docs: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (doc id, item, sentence)
    false_hits: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return self.right / self.docs if self.docs else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "accuracy": round(self.accuracy, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn, "docs": self.docs,
        }  # fmt: skip


@dataclass
class Report:
    gold_file: str
    documents: int
    scores: dict[str, Score]
    missing_docs: list[str]
    guards: dict[str, Score]

    def as_dict(self, with_items: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "gold": self.gold_file,
            "documents": self.documents,
            "missing_docs": self.missing_docs,
            "fields": {k: s.as_dict() for k, s in self.scores.items()},
            "guards": {k: s.fp for k, s in self.guards.items()},
        }
        if with_items:
            out["misses"] = {k: s.misses for k, s in self.scores.items() if s.misses}
            out["false_hits"] = {k: s.false_hits for k, s in {**self.scores, **self.guards}.items() if s.false_hits}
        return out


def load_gold(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"cannot read gold file {path}: {exc.strerror}") from exc
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(rec, dict) or "id" not in rec:
            raise GoldError(f"{path}:{n}: a record needs an 'id'")
        out.append(rec)
    return out


def find_doc(docs: Path, doc_id: str) -> Path | None:
    """The file of a gold record: DIR/<id>.txt or .html, else any file named <id>.* below DIR."""
    for suffix in (".txt", ".html", ".htm"):
        if (docs / f"{doc_id}{suffix}").is_file():
            return docs / f"{doc_id}{suffix}"
    return next((p for p in sorted(docs.rglob(f"{doc_id}.*")) if p.is_file()), None)


# -- keys ---------------------------------------------------------------------------------
def _meta_key(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if name == "doc_number":
        return re.sub(r"\s+", "", str(value)).upper()
    if name in ("year", "published", "level"):
        return str(value)
    return fold(str(value))


def _texts(items: Iterable[Any], key: str = "text") -> list[str]:
    return [i[key] if isinstance(i, dict) else str(i) for i in items or []]


def _surface(text: str) -> str:
    """A quoted string as the stored text has it (normalised, not folded)."""
    return " ".join(clean_chars(text).split())


def _ref(item: Any) -> str:
    text = item["ref"] if isinstance(item, dict) else str(item)
    return re.sub(r"\s+", "", text).upper()


FIELDS: dict[str, Callable[[dict[str, Any]], set[Any]]] = {
    "movements": lambda r: {_surface(t) for t in _texts(r.get("movements") or [])},
    "movements_canonical": lambda r: {fold(m.get("canonical") or m["text"]) for m in r.get("movements") or []},
    "themes": lambda r: {(t["kind"], fold(t["text"])) for t in r.get("themes") or []},
    "themes_any_kind": lambda r: {fold(t["text"]) for t in r.get("themes") or []},
    "phases_exact": lambda r: {(p["n"], p["start"], p["end"]) for p in r.get("phases") or []},
    "phase_starts": lambda r: {(p["n"], p["start"]) for p in r.get("phases") or []},
    "phase_ends": lambda r: {(p["n"], p["end"]) for p in r.get("phases") or []},
    "anniversaries": lambda r: {(a["years"], a.get("from"), a.get("to")) for a in r.get("anniversaries") or []},
    "anniversary_years": lambda r: {a["years"] for a in r.get("anniversaries") or []},
    "legal_refs": lambda r: {_ref(x) for x in r.get("legal_refs") or []},
    "topics": lambda r: set(r.get("topics") or []),
}


CONTAINER = {name: name.split("_")[0] for name in FIELDS} | {
    "phases_exact": "phases", "phase_starts": "phases", "phase_ends": "phases", "anniversary_years": "anniversaries",
    "legal_refs": "legal_refs",
}  # fmt: skip


def _sentence_of(doc: Doc | None, needle: str) -> str:
    """The sentence holding ``needle`` (found on folded keys when the exact text is not there)."""
    if doc is None or not needle:
        return ""
    at = doc.text.find(needle)
    if at < 0:
        # a fold changes lengths only through punctuation runs: search sentence by sentence
        key = fold(needle)
        for s in doc.sentences:
            if key and key in fold(doc.text[s.start : s.end]):
                return doc.text[s.start : s.end].strip()
        return "(not in the extracted text)"
    i = doc.sentence_of(at)
    return doc.text[doc.sentences[i].start : doc.sentences[i].end].strip() if i >= 0 else ""


def _span_sentence(doc: Doc | None, rec: dict[str, Any], field_name: str, item: Any) -> str:
    """The sentence of the predicted fact that produced ``item``."""
    if doc is None:
        return ""
    key = FIELDS[field_name]
    container = CONTAINER[field_name]
    for entry in rec.get(container) or []:
        if isinstance(entry, dict) and "span" in entry and item in key({container: [entry]}):
            i = doc.sentence_of(entry["span"][0])
            if i >= 0:
                return doc.text[doc.sentences[i].start : doc.sentences[i].end].strip()
    return _sentence_of(doc, item if isinstance(item, str) else "")


def _describe(item: Any) -> str:
    if isinstance(item, tuple):
        return " | ".join("" if x is None else str(x) for x in item)
    return str(item)


def evaluate(
    gold: list[dict[str, Any]],
    predict: Callable[[Path], tuple[dict[str, Any], Doc | None]],
    docs: Path,
    gold_name: str = "",
) -> Report:
    scores = {name: Score() for name in ("relevant", *META, *FIELDS)}
    guards = {"other_quotes_as_movements": Score(), "boilerplate_quotes_reported": Score()}
    missing: list[str] = []
    n = 0
    for g in gold:
        path = find_doc(docs, g["id"])
        if path is None:
            missing.append(g["id"])
            continue
        n += 1
        pred, doc = predict(path)
        campaign = g.get("relevant", True) is not False
        if "relevant" in g and pred.get("relevant") is not None:  # the relevance model's label (positive class: relevant)
            _score_relevance(scores["relevant"], g, pred, doc)
        for name in META:
            if name not in g or not campaign:
                continue
            s = scores[name]
            s.docs += 1
            gk, pk = _meta_key(name, g.get(name)), _meta_key(name, pred.get(name))
            s.right += gk == pk
            if pk is not None and pk == gk:
                s.tp += 1
            else:
                if pk is not None:
                    s.fp += 1
                    s.false_hits.append((g["id"], f"{pred.get(name)} (gold: {g.get(name)})", _meta_sentence(doc, pred, name)))
                if gk is not None:
                    s.fn += 1
                    s.misses.append((g["id"], str(g.get(name)), _sentence_of(doc, str(g.get(name)))))
        for name, key in FIELDS.items():
            if CONTAINER[name] not in g or (CONTAINER[name] != "movements" and not campaign):
                continue
            s = scores[name]
            s.docs += 1
            gold_items, pred_items = key(g), key(pred)
            s.tp += len(gold_items & pred_items)
            s.right += gold_items == pred_items
            for item in sorted(gold_items - pred_items, key=_describe):
                s.fn += 1
                s.misses.append((g["id"], _describe(item), _sentence_of(doc, item if isinstance(item, str) else _probe_text(item))))
            for item in sorted(pred_items - gold_items, key=_describe):
                s.fp += 1
                s.false_hits.append((g["id"], _describe(item), _span_sentence(doc, pred, name, item)))
        _guards(g, pred, doc, guards)
    return Report(gold_name, n, scores, missing, guards)


def _score_relevance(s: Score, g: dict[str, Any], pred: dict[str, Any], doc: Doc | None) -> None:
    s.docs += 1
    gold, said = bool(g["relevant"]), bool(pred["relevant"])
    s.right += gold == said
    s.tp += gold and said
    lead = doc.text[:160].replace("\n", " ") if doc is not None else ""
    if said and not gold:
        s.fp += 1
        s.false_hits.append((g["id"], f"relevant (p = {pred.get('relevance')})", lead))
    elif gold and not said:
        s.fn += 1
        s.misses.append((g["id"], f"relevant (p = {pred.get('relevance')}, {pred.get('relevance_status')})", lead))


def _probe_text(item: Any) -> str:
    if isinstance(item, tuple):
        return next((x for x in reversed(item) if isinstance(x, str) and len(x) > 12), "")
    return ""


def _meta_sentence(doc: Doc | None, pred: dict[str, Any], name: str) -> str:
    span = (pred.get("spans") or {}).get(name)
    if doc is None or not span:
        return ""
    i = doc.sentence_of(span[0])
    return doc.text[doc.sentences[i].start : doc.sentences[i].end].strip() if i >= 0 else ""


def _guards(g: dict[str, Any], pred: dict[str, Any], doc: Doc | None, guards: dict[str, Score]) -> None:
    reported_movements = {fold(m["text"]) for m in pred.get("movements") or []}
    movement_names = {fold(m["text"]) for m in g.get("movements") or []}
    for q in g.get("other_quotes") or []:
        key = fold(q["text"])
        if key in reported_movements and key not in movement_names:
            guards["other_quotes_as_movements"].fp += 1
            guards["other_quotes_as_movements"].false_hits.append((g["id"], q["text"], _sentence_of(doc, q["text"])))
    reported = reported_movements | {fold(t["text"]) for t in pred.get("themes") or []}
    reported |= {fold(q["text"]) for q in pred.get("other_quotes") or []}
    body_quotes = movement_names | {fold(t["text"]) for t in g.get("themes") or []} | {fold(q["text"]) for q in g.get("other_quotes") or []}
    for text in g.get("boilerplate_quotes") or []:
        key = fold(text)
        if key in reported and key not in body_quotes:
            guards["boilerplate_quotes_reported"].fp += 1
            guards["boilerplate_quotes_reported"].false_hits.append((g["id"], text, _sentence_of(doc, text)))


def load_baseline(path: Path) -> dict[str, dict[str, float]]:
    """Minimum scores per gold set: ``[set] field.metric = value`` (metric: f1, precision,
    recall, accuracy, or max_false_hits for a guard)."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, float]] = {}
    for set_name, fields in data.items():
        flat: dict[str, float] = {}
        for fld, metrics in fields.items():
            for metric, value in metrics.items():
                flat[f"{fld}.{metric}"] = float(value)
        out[set_name] = flat
    return out


def check_baseline(report: Report, minimums: dict[str, float]) -> list[str]:
    """Every pinned minimum the report falls below (guards: more false hits than allowed)."""
    failures = []
    for key, bound in sorted(minimums.items()):
        fld, metric = key.rsplit(".", 1)
        if metric == "max_false_hits":
            got = report.guards[fld].fp if fld in report.guards else report.scores[fld].fp
            if got > bound:
                failures.append(f"{fld}: {got} false hits, at most {bound:g} allowed")
            continue
        if fld not in report.scores:
            failures.append(f"{fld}: no such field in the report")
            continue
        value = getattr(report.scores[fld], metric)
        if value + 1e-9 < bound:
            failures.append(f"{fld} {metric} {value:.3f} < pinned minimum {bound:.3f}")
    return failures
