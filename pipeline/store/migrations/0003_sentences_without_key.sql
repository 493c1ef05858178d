-- The (doc_id, sentence_idx) primary key kept an ART index entry for every sentence, and
-- DuckDB holds such indexes in memory: a nightly job's memory grew with the corpus (about
-- 45 bytes per sentence). The loader deletes a document's sentences before writing them,
-- so the key guarded nothing the loader does not already ensure.
CREATE TABLE sentences_unkeyed (
    doc_id       VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL
);
INSERT INTO sentences_unkeyed SELECT doc_id, sentence_idx, span_start, span_end FROM sentences;
DROP TABLE sentences;
ALTER TABLE sentences_unkeyed RENAME TO sentences;
