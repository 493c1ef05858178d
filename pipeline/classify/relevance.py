"""Is this document a union's emulation campaign plan (or a report of one being launched)?

A scikit-learn pipeline: TF-IDF over the document's underthesea words, over character
n-grams of its title, and over the words around its verbs of launching, reviewing, signing
and honouring (with who acts: a union or another body), then a logistic regression whose
probabilities are calibrated (sigmoid, cross-validated). The words come from the tokens the
text layer made anyway, so scoring costs no segmentation. Character n-grams of the opening
and word bigrams were tried and dropped: no better under cross-validation, five times slower.

A document the model cannot judge gets a status instead of a guess: a page that is not
text (empty, binary, another language: the document's own status) or that has too few
words to say anything (``too_short``).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from pipeline.errors import ThiduaError
from pipeline.models import Doc, Relevance
from pipeline.settings import REPO, model_file

MODEL_DIR = REPO / "data" / "models" / "relevance"
MAX_WORDS = 2500  # words of the text the word features see
MIN_WORDS = 25  # fewer words than this: too short to judge
THRESHOLD = 0.5  # probabilities are calibrated, so one half is the natural cut
# Verbs whose neighbours say who does what: who launches (a union or a People's Committee),
# what is launched (an emulation campaign or a Tháng Công nhân), reviewed, signed, honoured.
TRIGGERS = frozenset({
    "phát_động", "ban_hành", "triển_khai", "hưởng_ứng", "ra_quân", "tổ_chức", "ký_kết", "ký",
    "tổng_kết", "sơ_kết", "khen_thưởng", "tuyên_dương", "kỷ_niệm", "chào_mừng",
})  # fmt: skip
WINDOW = 4  # words each side of a trigger
# Who acts: the heads of the organisation names that come before a trigger in its clause.
# A union head makes the clause's agent a union (a company's union is a union); otherwise a
# head of another kind of body makes it "other" (a People's Committee, a department, a
# company's management, the Youth or Women's Union).
UNION_HEADS = frozenset({"liên_đoàn", "lđlđ", "công_đoàn", "cđcs", "cđ", "tổng_liên_đoàn", "ctcđ", "cđvc", "cđn"})
OTHER_HEADS = frozenset({
    "ubnd", "ủy_ban", "uỷ_ban", "sở", "bộ", "ban_giám_đốc", "giám_đốc", "tổng_giám_đốc", "hội", "hội_đồng",
    "đoàn_thanh_niên", "tỉnh_đoàn", "thành_đoàn", "huyện_đoàn", "đoàn", "chính_phủ", "thủ_tướng", "bộ_trưởng",
    "hđnd", "tỉnh_ủy", "tỉnh_uỷ", "huyện_ủy", "ban_thi_đua", "công_ty", "bệnh_viện", "trường",
})  # fmt: skip
AGENT_SPAN = 10  # tokens back from a trigger, stopping at a clause mark
LAUNCHES = frozenset({"phát_động", "ban_hành", "ra_quân", "triển_khai"})
OPENING = 40  # tokens of the opening (a formal plan's header names its issuer there)
_CLAUSE = frozenset(".;:!?()\n")


class ClassifierError(ThiduaError):
    hint = "train a model with `thidua train` (it writes data/models/relevance/), or point THIDUA_RELEVANCE_MODEL at one"


@dataclass(frozen=True, slots=True)
class Features:
    """What the model reads of a document."""

    title: str
    words: str  # underthesea words, lower-cased, syllables joined by "_", space-separated
    n_words: int
    context: str = ""  # the words around each trigger verb, marked by side: "phát_động<ubnd phát_động>thi_đua"


def features(doc: Doc) -> Features:
    tokens = [t.text.lower().replace(" ", "_") for t in doc.tokens[: MAX_WORDS * 2]]
    words = [w for w in tokens if w[:1].isalpha()][:MAX_WORDS]
    return Features(doc.title.lower(), " ".join(words), len(words), _context(tokens))


def _context(tokens: Sequence[str]) -> str:
    """For each trigger verb: its neighbouring words by side, and who acts in its clause
    (``phát_động@union``, ``phát_động@other``, ``phát_động@none``)."""
    out = []
    words = [w for w in tokens if w[:1].isalpha()]
    at = 0  # index into words of the current token
    launchers = []
    for i, w in enumerate(tokens):
        if not w[:1].isalpha():
            continue
        if w in TRIGGERS:
            agent = _agent(tokens, i)
            out += [f"{w}<{x}" for x in words[max(0, at - WINDOW) : at]]
            out += [f"{w}>{x}" for x in words[at + 1 : at + 1 + WINDOW]]
            out.append(f"{w}@{agent}")
            if w in LAUNCHES and agent != "none":
                launchers.append(agent)
        at += 1
    # the document as a whole: who launches first, who launches most, who the opening names first
    if launchers:
        out += [f"first_launch@{launchers[0]}", f"most_launches@{max(sorted(set(launchers)), key=launchers.count)}"]
    opening = next((_kind(w) for w in tokens[:OPENING] if _kind(w) != "none"), "none")
    out.append(f"opening@{opening}")
    return " ".join(out)


def _kind(word: str) -> str:
    return "union" if word in UNION_HEADS else "other" if word in OTHER_HEADS else "none"


def _agent(tokens: Sequence[str], i: int) -> str:
    clause = []
    for w in reversed(tokens[max(0, i - AGENT_SPAN) : i]):
        if w in _CLAUSE or w[:1] in _CLAUSE:
            break
        clause.append(w)
    kinds = {_kind(w) for w in clause}
    return "union" if "union" in kinds else "other" if "other" in kinds else "none"


# Module-level selectors so a fitted pipeline pickles.
def _titles(xs: Sequence[Features]) -> list[str]:
    return [x.title for x in xs]


def _words(xs: Sequence[Features]) -> list[str]:
    return [x.words for x in xs]


def _contexts(xs: Sequence[Features]) -> list[str]:
    return [x.context for x in xs]


def _split(text: str) -> list[str]:
    return text.split()


def build_pipeline(seed: int = 0) -> Pipeline:
    """The untrained model."""

    def part(select: Any, vectorizer: TfidfVectorizer) -> Pipeline:
        return make_pipeline(FunctionTransformer(select), vectorizer)

    union = FeatureUnion([
        ("title", part(_titles, TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, max_features=20000))),
        ("words", part(_words, TfidfVectorizer(analyzer=_split, ngram_range=(1, 1), min_df=2, sublinear_tf=True, max_features=20000))),
        ("context", part(_contexts, TfidfVectorizer(analyzer=_split, min_df=2, sublinear_tf=True, max_features=20000))),
    ])  # fmt: skip
    linear = LogisticRegression(C=8.0, class_weight="balanced", max_iter=5000, solver="liblinear", random_state=seed)
    union.transformer_weights = {"context": 3.0}  # the few words around the verbs outweigh the many elsewhere (chosen by cross-validation)
    return Pipeline([("features", union), ("classifier", CalibratedClassifierCV(linear, method="sigmoid", cv=5))])


@dataclass
class RelevanceModel:
    """A trained pipeline with the facts about its training."""

    pipeline: Pipeline
    version: str
    meta: dict[str, Any] = field(default_factory=dict)
    threshold: float = THRESHOLD

    def probabilities(self, feats: Sequence[Features]) -> np.ndarray:
        if not feats:
            return np.zeros(0)
        return self.pipeline.predict_proba(list(feats))[:, 1]  # type: ignore[no-any-return]

    def judge(self, items: Sequence[tuple[Features | None, str]], threshold: float | None = None) -> list[Relevance]:
        """Verdicts on a batch of (features, document status) pairs, with one call into
        scikit-learn for the whole batch. A document whose status is not ``ok`` keeps its
        status; one with fewer than MIN_WORDS words is ``too_short``."""
        cut = self.threshold if threshold is None else threshold
        out: list[Relevance] = []
        todo: list[tuple[int, Features]] = []
        for i, (f, status) in enumerate(items):
            if status != "ok" or f is None:
                out.append(Relevance(None, None, status if status != "ok" else "empty", self.version))
            elif f.n_words < MIN_WORDS:
                out.append(Relevance(None, None, "too_short", self.version))
            else:
                out.append(Relevance(None, None, "scored", self.version))
                todo.append((i, f))
        for (i, _), p in zip(todo, self.probabilities([f for _, f in todo]), strict=True):
            out[i] = Relevance(round(float(p), 4), bool(p >= cut), "scored", self.version)
        return out

    def score(self, docs: Sequence[tuple[Doc | None, str]], threshold: float | None = None) -> list[Relevance]:
        """Verdicts on a batch of (doc, document status) pairs."""
        return self.judge([(features(d) if d is not None and st == "ok" else None, st) for d, st in docs], threshold)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.version}.joblib"
        joblib.dump({"pipeline": self.pipeline, "version": self.version, "meta": self.meta, "threshold": self.threshold}, path, compress=3)
        return path


def load_model(path: Path | None = None) -> RelevanceModel:
    """The model at ``path`` (a .joblib file, or a folder with a CURRENT file naming one);
    by default the shipped model. Loads from disk only: no network, no hub."""
    given = path or MODEL_DIR
    path = model_file(given)
    if path is None:
        raise ClassifierError(f"no relevance model in {given} (no CURRENT file)")
    if not path.exists():
        raise ClassifierError(f"relevance model {path} not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=UserWarning)  # a model pickled by another scikit-learn
            data = joblib.load(path)
        return RelevanceModel(data["pipeline"], data["version"], data.get("meta", {}), data.get("threshold", THRESHOLD))
    except UserWarning as exc:
        raise ClassifierError(f"relevance model {path.name} was written by another scikit-learn: {exc}",
                              hint="retrain it with `thidua train`") from exc  # fmt: skip
    except Exception as exc:  # a truncated or foreign file
        raise ClassifierError(f"cannot load relevance model {path}: {type(exc).__name__}: {exc}") from exc
