"""Sentences and word tokens of a text, cached by content hash, and the spaCy Doc built from them.

underthesea segments words ("Lao động", "Công đoàn" are one token each); its spans are
aligned to character offsets in ``pipeline.text.vn``. Here they become a spaCy ``Doc``
through a registered tokenizer (``thidua.vi_underthesea.v1``): ``spacy.blank("vi")`` alone
needs pyvi, and pyvi's segmentation is weaker. The Doc's text is exactly the input text
(every gap the segmenter left is kept as whitespace or as its own token) and its sentence
starts are ours.

Segmenting is the slowest step of processing, so results are cached by the hash of the
text and the segmenter's version in a small SQLite file: re-processing unchanged text
(``thidua reprocess``, a new extractor version) does not segment it again. SQLite, not the
DuckDB store, because two processing processes may share it and the store has one writer.
"""
from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
import zlib
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc as SpacyDoc
from spacy.vocab import Vocab

from pipeline.models import Span, Token
from pipeline.text import vn

SEGMENTER = f"underthesea-{vn.version()}/align.v1"


def _pack(spans: Sequence[Span | Token]) -> bytes:
    flat = array("i")
    for s in spans:
        flat.append(s.start)
        flat.append(s.end)
    return zlib.compress(flat.tobytes(), 1)


def _unpack(blob: bytes) -> list[tuple[int, int]]:
    flat = array("i")
    flat.frombytes(zlib.decompress(blob))
    return list(zip(flat[0::2], flat[1::2], strict=True))


class TokenCache:
    """Sentence and token spans by (text hash, segmenter version). ``path=None``: no cache."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.hits = self.misses = 0
        self._local = threading.local()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as con:
                con.execute(
                    "CREATE TABLE IF NOT EXISTS spans (text_hash TEXT, segmenter TEXT, sentences BLOB, tokens BLOB,"
                    " PRIMARY KEY (text_hash, segmenter))"
                )

    def _connect(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            assert self.path is not None
            con = sqlite3.connect(self.path, timeout=60)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con

    def analyse(self, text: str) -> tuple[tuple[Span, ...], tuple[Token, ...]]:
        """Sentence spans and word tokens of ``text`` (from the cache when it has them)."""
        if self.path is None:
            self.misses += 1
            return vn.sentences(text), vn.word_tokens(text)
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        con = self._connect()
        row = con.execute("SELECT sentences, tokens FROM spans WHERE text_hash = ? AND segmenter = ?", (key, SEGMENTER)).fetchone()
        if row is not None:
            self.hits += 1
            sentences = tuple(Span(s, e) for s, e in _unpack(row[0]))
            tokens = tuple(Token(s, e, text[s:e]) for s, e in _unpack(row[1]))
            return sentences, tokens
        self.misses += 1
        sentences, tokens = vn.sentences(text), vn.word_tokens(text)
        with con:
            con.execute("INSERT OR REPLACE INTO spans VALUES (?, ?, ?, ?)", (key, SEGMENTER, _pack(sentences), _pack(tokens)))
        return sentences, tokens

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


def spacy_doc(vocab: Vocab, text: str, tokens: Sequence[Token], sentences: Sequence[Span] = ()) -> SpacyDoc:
    """A spaCy Doc whose text is exactly ``text``: the tokens, plus every gap between them
    that is not a single space as its own token (whitespace runs, characters the segmenter
    skipped). With ``sentences``, sentence starts are set from them."""
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[int] = []

    def gap(start: int, end: int) -> None:
        piece = text[start:end]
        if not piece:
            return
        if piece == " " and words:
            spaces[-1] = True
            return
        pos = start
        for chunk in _chunks(piece):  # non-space runs and whitespace runs, in order
            if chunk.isspace() and chunk.startswith(" ") and words and not spaces[-1]:
                spaces[-1] = True
                pos += 1
                chunk = chunk[1:]
                if not chunk:
                    continue
            words.append(chunk)
            spaces.append(False)
            starts.append(pos)
            pos += len(chunk)

    pos = 0
    for start, end, word in tokens:
        if start != pos:
            if start < pos or end <= start:
                continue  # overlapping or empty: the segmenter's alignment failed here, keep the text
            if start == pos + 1 and words and text[pos] == " ":  # the usual gap: one space
                spaces[-1] = True
            else:
                gap(pos, start)
        elif end <= start:
            continue
        words.append(word)
        spaces.append(False)
        starts.append(start)
        pos = end
    gap(pos, len(text))
    if not sentences or not words:
        return SpacyDoc(vocab, words=words, spaces=spaces)
    first = {s.start for s in sentences}
    sent_starts: list[bool | int | None] = [start in first for start in starts]
    sent_starts[0] = True
    return SpacyDoc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)


def _chunks(piece: str) -> list[str]:
    out: list[str] = []
    for ch in piece:
        if out and out[-1][-1].isspace() == ch.isspace():
            out[-1] += ch
        else:
            out.append(ch)
    return out


class UndertheseaTokenizer:
    """spaCy tokenizer: underthesea word segmentation, offsets kept, text unchanged."""

    def __init__(self, vocab: Vocab, cache: TokenCache | None = None) -> None:
        self.vocab = vocab
        self.cache = cache or TokenCache()

    def __call__(self, text: str) -> SpacyDoc:
        sentences, tokens = self.cache.analyse(text)
        return spacy_doc(self.vocab, text, tokens, sentences)

    # nothing to save: the segmenter ships with underthesea
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> UndertheseaTokenizer:
        return self

    def to_disk(self, path: Path, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Path, **kwargs: Any) -> UndertheseaTokenizer:
        return self


@spacy.registry.tokenizers("thidua.vi_underthesea.v1")
def create_tokenizer() -> Any:
    def make(nlp: Language) -> UndertheseaTokenizer:
        return UndertheseaTokenizer(nlp.vocab)

    return make


@functools.cache
def blank_nlp() -> Language:
    """``spacy.blank("vi")`` with our tokenizer instead of pyvi's (Vietnamese lexical attributes kept)."""
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "thidua.vi_underthesea.v1"}}})


# spaCy keeps every string it has seen (names, numbers, URLs): past this many, start afresh.
# Measured: about 460 bytes a string (50,000 new words took 22 MB), so at most some 5 MB;
# a fresh vocabulary takes about 0.01 s to make once spaCy is loaded. The bench site's 71
# articles need about 5,000 strings and each page adds one more (its number): at 20,000 the
# vocabulary was still filling at 16,000 pages, and make bench counted that as growth with
# the pages seen. (At 200,000 it was 90 MB.) Real pages add more strings each (about 40 a
# page over our 107 sample and held-out pages), so the vocabulary resets more often.
@functools.cache
def no_cache() -> TokenCache:
    """A TokenCache that keeps nothing, for texts analysed without one."""
    return TokenCache()


MAX_VOCAB_STRINGS = 10_000


def bounded_vocab() -> Vocab:
    """The shared vocabulary, replaced by a fresh one once it holds MAX_VOCAB_STRINGS strings.
    spaCy's StringStore never forgets, so over a long job it grew with every page (make bench
    measured it). Docs made before keep the vocabulary they were made with."""
    vocab = blank_nlp().vocab
    if len(vocab.strings) > MAX_VOCAB_STRINGS:
        blank_nlp.cache_clear()
        vocab = blank_nlp().vocab
    return vocab
