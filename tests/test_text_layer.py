"""The text layer: underthesea tokens aligned to offsets, the spaCy Doc over them, the cache."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from pipeline.text import make_doc
from pipeline.text.normalize import fold, fold_aligned, normalize_text
from pipeline.text.tokens import TokenCache

TEXT = normalize_text(
    "Kế hoạch số 81/KH-TLĐ ngày 23/12/2020 của Tổng Liên đoàn.\n\n"
    "Phong trào thi đua “Lao động giỏi, Lao động sáng tạo”  được   phát động từ 01/7 đến 31/12/2021."
)


def test_tokens_point_at_their_text_and_the_spacy_doc_keeps_it_whole() -> None:
    doc = make_doc("t", TEXT)
    assert doc.tokens and all(TEXT[t.start : t.end] == t.text for t in doc.tokens)
    words = [t.text for t in doc.tokens]
    assert "Lao động" in words and "Phong trào" in words  # multi-syllable words are one token
    assert doc.nlp.text == TEXT
    assert [s.text.strip() for s in doc.nlp.sents] == [TEXT[s.start : s.end].strip() for s in doc.sentences]
    assert all(t.idx == TEXT.find(t.text, t.idx) for t in doc.nlp)


def test_registered_tokenizer_replaces_pyvi() -> None:
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "thidua.vi_underthesea.v1"}}})
    doc = nlp("Công đoàn Việt Nam phát động phong trào thi đua.")
    assert doc.text == "Công đoàn Việt Nam phát động phong trào thi đua."
    assert "Công đoàn" in [t.text for t in doc]


def test_odd_whitespace_and_unsegmented_characters_survive() -> None:
    for text in ("  a\t\tb  ", "\n\nx", "“ ” - …", "", "Đợt I1 (từ 01/2021)\u2028tiếp"):
        doc = make_doc("t", text)
        assert doc.nlp.text == text
        assert all(text[t.start : t.end] == t.text for t in doc.tokens)


def test_cache_segments_a_text_once(tmp_path: Path) -> None:
    path = tmp_path / "tokens.sqlite"
    first = TokenCache(path)
    doc1 = make_doc("a", TEXT, cache=first)
    assert (first.hits, first.misses) == (0, 1)
    first.close()
    again = TokenCache(path)  # a later run
    doc2 = make_doc("b", TEXT, cache=again)
    assert (again.hits, again.misses) == (1, 0)
    assert doc2.tokens == doc1.tokens and doc2.sentences == doc1.sentences
    make_doc("c", TEXT + " Thêm.", cache=again)
    assert again.misses == 1


def test_folding_keeps_offsets() -> None:
    text = "Đổi mới, sáng tạo — HOÀ hợp İ"
    folded = fold_aligned(text)
    assert len(folded) == len(text) and folded.startswith("doi moi, sang tao")
    assert fold("Đối mới") == fold("Đổi mới") and fold("hoà") == fold("hòa")


def test_the_spacy_vocabulary_stays_bounded_over_a_long_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """spaCy remembers every string it sees; past the bound the shared vocabulary starts
    afresh, and documents made before and after are whole."""
    from pipeline.text import make_doc, tokens

    monkeypatch.setattr(tokens, "MAX_VOCAB_STRINGS", 300)
    tokens.blank_nlp.cache_clear()
    docs = [make_doc(str(i), f"Kế hoạch số {i * 7919} ngày {i % 28 + 1}/3/2024 của đơn vị mã {i}-{i * 31}.") for i in range(200)]
    assert len(tokens.blank_nlp().vocab.strings) <= 300 + 20  # one document's strings past the bound at most
    assert len({id(d.nlp.vocab) for d in docs}) > 1  # the vocabulary was replaced along the way
    assert all(d.nlp.text == d.text for d in docs)
    tokens.blank_nlp.cache_clear()
