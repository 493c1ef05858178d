"""Text normalisation for stored text, and folding for matching keys only.

Stored text: NFC, the few safe character fixes, tidy whitespace, hard-wrapped lines rejoined.
Keys (``fold``): lower case, no tone marks or accents, đ → d, punctuation and dashes folded,
so "Đối mới" and "Đổi mới", "hoá" and "hóa" meet. Keys are never shown or stored as text.
"""
from __future__ import annotations

import functools
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
# control characters (C0 but tab and newline, DEL, C1) and line/paragraph separators
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_SEPARATORS = re.compile("[\u2028\u2029\x85]")
_FIXABLE = re.compile("[" + "".join(chr(c) for c in SAFE_FIXES) + "]")
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LIST_START = re.compile(r"^\s*(?:[-+•*–]\s|\d{1,2}[.)]\s|[a-zđ][.)]\s|[IVXLC]{1,5}[.)]\s|Đợt\b|Giai đoạn\b)", re.I)
_PARENTHESISED = re.compile(r"^\(.*\)$")  # "(đã ký)", "(Ký tên, đóng dấu)": a line of its own
_SENTENCE_END = re.compile(r"[.:;!?…]\s*[”\"’)]?\s*$")


def clean_chars(text: str) -> str:
    """NFC and the safe character fixes; control characters dropped, line separators made
    newlines. Spacing is left as it is (a reader of plain pages looks at it)."""
    text = unicodedata.normalize("NFC", text)
    if _FIXABLE.search(text):  # translate looks at every character: only when there is something to fix
        text = text.translate(SAFE_FIXES)
    if _ODD.search(text):
        text = _CONTROLS.sub("", _LINE_SEPARATORS.sub("\n", text))
    return text


def clean_line(line: str) -> str:
    """One line with its whitespace runs made single spaces and its ends trimmed."""
    return _SPACES.sub(" ", line).strip()


def clean(text: str) -> str:
    """NFC, safe fixes, whitespace; keeps line structure."""
    lines = [line.strip() for line in _SPACES.sub(" ", clean_chars(text)).split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _is_heading(line: str) -> bool:
    """A line in capitals (at least three letters, none in lower case)."""
    return line.isupper() and sum(c.isalpha() for c in line) >= 3


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


def _strip_char(c: str) -> str:
    base = "".join(x for x in unicodedata.normalize("NFD", c) if unicodedata.category(x) != "Mn")
    return base or c


# Latin letters with marks (Vietnamese lives in U+00C0–U+024F and U+1E00–U+1EFF) → bare letter.
_MARKS = {cp: _strip_char(chr(cp)) for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)) if _strip_char(chr(cp)) != chr(cp)}
_MARKS |= {ord("đ"): "d", ord("Đ"): "D"}
_COMBINING = re.compile("[\u0300-\u036f]")


@functools.lru_cache(maxsize=8)
def fold_aligned(text: str) -> str:
    """Lower case without tone marks, character for character: ``fold_aligned(t)[i]`` is
    ``t[i]`` folded, so a match in it is a match at the same offsets in ``t``. (A stray
    combining mark stays as it is; a character whose lower case is longer stays too.)"""
    out = text.translate(_MARKS).lower()
    if len(out) != len(text):
        out = "".join(low if len(low := c.lower()) == 1 else c for c in text.translate(_MARKS))
    return out


def strip_marks(text: str) -> str:
    """Remove tone marks and accents; đ → d. On NFC text each character maps to one, so
    offsets carry over; combining marks of decomposed text are dropped."""
    out = text.translate(_MARKS)
    if _COMBINING.search(out):
        out = "".join(c for c in unicodedata.normalize("NFD", out) if unicodedata.category(c) != "Mn")
    return out


def fold(text: str) -> str:
    """Matching key: lower case, no marks, punctuation and dashes to spaces, single spaces."""
    key = strip_marks(unicodedata.normalize("NFC", text).translate(SAFE_FIXES)).lower()
    return " ".join(_PUNCT.sub(" ", key).split())
