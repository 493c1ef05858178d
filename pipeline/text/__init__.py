"""Text layer: HTML or plain text → main text, normalisation, sentences and word tokens with
offsets, and a spaCy Doc over them."""
from __future__ import annotations

import datetime as dt

from pipeline.models import Doc
from pipeline.text.tokens import TokenCache, bounded_vocab, spacy_doc

_NO_CACHE = TokenCache()

__all__ = ["TokenCache", "make_doc"]


def make_doc(
    doc_id: str, text: str, title: str = "", published: dt.date | None = None, cache: TokenCache | None = None
) -> Doc:
    """A Doc over already-normalised text: sentence spans, underthesea word tokens (from
    ``cache`` when it holds this text) and the spaCy Doc built from them."""
    sentences, tokens = (cache or _NO_CACHE).analyse(text)
    nlp = spacy_doc(bounded_vocab(), text, tokens, sentences)
    return Doc(doc_id=doc_id, text=text, title=title, published=published, sentences=sentences, tokens=tokens, nlp=nlp)
