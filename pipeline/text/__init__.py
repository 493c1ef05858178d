"""Text layer: HTML → main text, normalisation, sentences and tokens with offsets."""
from __future__ import annotations

from pipeline.models import Doc
from pipeline.text import vn


def make_doc(doc_id: str, text: str, title: str = "", published: object = None) -> Doc:
    """A Doc over already-normalised text, with sentence spans (tokens are left to callers that need them)."""
    return Doc(doc_id=doc_id, text=text, title=title, published=published, sentences=vn.sentences(text))  # type: ignore[arg-type]
