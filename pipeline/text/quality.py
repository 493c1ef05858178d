"""Is this text something to extract from? A status for every document that is not.

- ``binary``: the bytes are not text (NUL bytes, or mostly undecodable or control bytes);
- ``too_large``: more text than any campaign plan has (a 10 MB dump is a mistake, and
  segmenting it would take minutes);
- ``empty``: no words left after the page furniture is gone;
- ``other_language``: letters, but hardly a Vietnamese one among them (Vietnamese prose
  marks most syllables: ă â đ ê ô ơ ư and tone marks).
"""
from __future__ import annotations

import re

MAX_TEXT_CHARS = 1_000_000
MAX_RAW_BYTES = 8 * 2**20  # a file this large is not read at all
MIN_LETTERS = 20
MIN_VIETNAMESE_SHARE = 0.05  # of letters; Vietnamese prose runs at 0.25–0.40, English at 0
_VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
_TEXT_BYTES = frozenset(b"\t\n\r\f\b") | frozenset(range(0x20, 0x7F)) | frozenset(range(0x80, 0x100))

STATUSES = ("ok", "empty", "listing", "binary", "too_large", "other_language")


def bytes_status(raw: bytes) -> str:
    """``too_large`` past MAX_RAW_BYTES, ``binary`` for bytes that are not text (sampled:
    the first 64 KB), else ``ok``."""
    if len(raw) > MAX_RAW_BYTES:
        return "too_large"
    head = raw[:65536]
    if b"\x00" in head:
        return "binary"
    if head and sum(1 for b in head if b not in _TEXT_BYTES) / len(head) > 0.1:
        return "binary"
    return "ok"


def text_status(text: str) -> str:
    """The status of a document's text: ok, empty, binary, too_large or other_language."""
    if len(text) > MAX_TEXT_CHARS:
        return "too_large"
    if text and text.count("\ufffd") / len(text) > 0.1:
        return "binary"
    letters = sum(1 for c in text if c.isalpha())
    if letters < MIN_LETTERS:
        return "empty"
    if len(_VIETNAMESE.findall(text)) / letters < MIN_VIETNAMESE_SHARE:
        return "other_language"
    return "ok"
