-- Like 0003 for sentences: DuckDB keeps a primary key's ART index in memory, pinned and
-- counted against its memory limit, so every key makes a job's memory grow with the
-- corpus (make bench measured it) and a large enough corpus runs a job out of memory.
-- documents, document_relevance and campaign_fields are written only by the loader, which
-- deletes a document's rows before writing them again (one row per document, one per
-- field), so their keys guarded nothing the loader does not already ensure.
CREATE TABLE documents_unkeyed (
    doc_id            VARCHAR NOT NULL,     -- hash of canonical URL and page content
    source_id         VARCHAR NOT NULL,
    url               VARCHAR NOT NULL,
    canonical_url     VARCHAR NOT NULL,
    content_hash      VARCHAR NOT NULL,     -- the page version it came from
    title             VARCHAR,
    sapo              VARCHAR,
    author            VARCHAR,
    published         DATE,
    text              VARCHAR NOT NULL,     -- NFC main text; every span points into it
    text_hash         VARCHAR NOT NULL,
    extraction_method VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,     -- ok | empty | listing | binary | too_large | other_language
    processed_at      TIMESTAMP NOT NULL
);
INSERT INTO documents_unkeyed SELECT * FROM documents;
DROP TABLE documents;
ALTER TABLE documents_unkeyed RENAME TO documents;

CREATE TABLE campaign_fields_unkeyed (
    doc_id       VARCHAR NOT NULL,
    field        VARCHAR NOT NULL,   -- issuer | level | province | district | province_2025 | year | doc_number | signatory
    value        VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);
INSERT INTO campaign_fields_unkeyed SELECT * FROM campaign_fields;
DROP TABLE campaign_fields;
ALTER TABLE campaign_fields_unkeyed RENAME TO campaign_fields;

CREATE TABLE document_relevance_unkeyed (
    doc_id      VARCHAR NOT NULL,
    probability DOUBLE,            -- NULL when the document was not scored
    relevant    BOOLEAN,           -- probability >= the policy's threshold; NULL when not scored
    status      VARCHAR NOT NULL,  -- scored | too_short | the document's own status (empty, other_language, ...)
    model       VARCHAR NOT NULL,  -- the model file's version
    scored_at   TIMESTAMP NOT NULL
);
INSERT INTO document_relevance_unkeyed SELECT * FROM document_relevance;
DROP TABLE document_relevance;
ALTER TABLE document_relevance_unkeyed RENAME TO document_relevance;
