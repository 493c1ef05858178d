"""Text normalisation for stored text, and folding for matching keys only.

Stored text: NFC, the few safe character fixes, tidy whitespace, hard-wrapped lines rejoined.
Keys (``fold``): lower case, no tone marks or accents, đ → d, punctuation and dashes folded,
so "Đối mới" and "Đổi mới", "hoá" and "hóa" meet. Keys are never shown or stored as text.
"""
from __future__ import annotations

import re
import unicodedata

SAFE_FIXES = str.maketrans(
    {
        "\u00d0": "\u0110",  # Ð (eth) typed for Đ
        "\u00f0": "\u0111",  # ð typed for đ
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "\r": None,
    }
)
_SPACES = re.compile(r"[ \t\f\v]+")
_LIST_START = re.compile(r"^\s*(?:[-+•*–]\s|\d{1,2}[.)]\s|[a-zđ][.)]\s|[IVXLC]{1,5}[.)]\s|Đợt\b|Giai đoạn\b)", re.I)
_PARENTHESISED = re.compile(r"^\(.*\)$")  # "(đã ký)", "(Ký tên, đóng dấu)": a line of its own
_SENTENCE_END = re.compile(r"[.:;!?…]\s*[”\"’)]?\s*$")


def clean(text: str) -> str:
    """NFC, safe fixes, whitespace; keeps line structure."""
    text = unicodedata.normalize("NFC", text).translate(SAFE_FIXES)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def rejoin_wraps(paragraph: str) -> str:
    """Join lines of one paragraph that a hard wrap split in mid-sentence."""
    lines = paragraph.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        if (
            prev
            and line
            and not _SENTENCE_END.search(prev)
            and not _LIST_START.match(line)
            and not _is_heading(prev)
            and not _PARENTHESISED.match(prev)
            and not _is_heading(line)
        ):
            out[-1] = prev + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def normalize_text(text: str) -> str:
    """The stored form of a document's text: cleaned, paragraphs split by blank lines, wraps rejoined."""
    paragraphs = [rejoin_wraps(p) for p in re.split(r"\n\s*\n", clean(text)) if p.strip()]
    return "\n\n".join(paragraphs)


_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)


def strip_marks(text: str) -> str:
    """Remove tone marks and accents; đ → d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    """Matching key: lower case, no marks, punctuation and dashes to spaces, single spaces."""
    key = strip_marks(unicodedata.normalize("NFC", text).translate(SAFE_FIXES)).lower()
    return " ".join(_PUNCT.sub(" ", key).split())
