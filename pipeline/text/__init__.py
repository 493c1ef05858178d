"""Text layer: HTML or plain text → main text, normalisation, sentences and word tokens with
offsets, and a spaCy Doc over them.

``TokenCache`` and ``make_doc`` load spaCy and underthesea, so they are imported when first
asked for: a module that needs only ``pipeline.text.normalize`` (the registry does, and so
the job that runs extraction in child processes) stays small."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pipeline.models import Doc

if TYPE_CHECKING:
    from pipeline.text.tokens import TokenCache

__all__ = ["TokenCache", "make_doc"]


def make_doc(
    doc_id: str, text: str, title: str = "", published: dt.date | None = None, cache: TokenCache | None = None
) -> Doc:
    """A Doc over already-normalised text: sentence spans, underthesea word tokens (from
    ``cache`` when it holds this text) and the spaCy Doc built from them."""
    from pipeline.text.tokens import bounded_vocab, no_cache, spacy_doc

    sentences, tokens = (cache or no_cache()).analyse(text)
    nlp = spacy_doc(bounded_vocab(), text, tokens, sentences)
    return Doc(doc_id=doc_id, text=text, title=title, published=published, sentences=sentences, tokens=tokens, nlp=nlp)


def __getattr__(name: str) -> Any:
    if name == "TokenCache":
        from pipeline.text.tokens import TokenCache

        return TokenCache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
