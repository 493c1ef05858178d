-- thidua schema, first version. Append-only: never edit this file once applied;
-- add 0002_*.sql instead (a test and the migration runner both check checksums).

CREATE TABLE sources (
    source_id     VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    level         VARCHAR,               -- national | province | district | sector | grassroots | press
    province      VARCHAR,
    base_url      VARCHAR,
    verified      BOOLEAN DEFAULT FALSE,
    updated_at    TIMESTAMP DEFAULT current_timestamp
);

CREATE SEQUENCE crawl_run_seq START 1;
CREATE TABLE crawl_runs (
    run_id        INTEGER PRIMARY KEY DEFAULT nextval('crawl_run_seq'),
    command       VARCHAR NOT NULL,      -- demo | crawl | nightly | reprocess
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,      -- running | ok | failed
    sources       VARCHAR[],
    pages_fetched INTEGER DEFAULT 0,
    pages_new     INTEGER DEFAULT 0,
    pages_failed  INTEGER DEFAULT 0,
    documents     INTEGER DEFAULT 0,
    message       VARCHAR
);

-- One row per distinct version of a URL: a re-fetch with the same content only moves
-- last_fetched; changed content is a new row and the old one stays.
CREATE TABLE pages (
    canonical_url  VARCHAR NOT NULL,
    content_hash   VARCHAR NOT NULL,     -- sha256 of the body
    source_id      VARCHAR NOT NULL,
    url            VARCHAR NOT NULL,     -- as fetched
    kind           VARCHAR NOT NULL,     -- article | listing | feed | sitemap | robots | other
    first_fetched  TIMESTAMP NOT NULL,
    last_fetched   TIMESTAMP NOT NULL,
    run_id         INTEGER,
    http_status    INTEGER NOT NULL,
    content_type   VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_length BIGINT,
    warc_file      VARCHAR,              -- relative to the archive directory
    warc_offset    BIGINT,
    warc_length    BIGINT,
    PRIMARY KEY (canonical_url, content_hash)
);

CREATE TABLE documents (
    doc_id            VARCHAR PRIMARY KEY,  -- hash of canonical URL and page content
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
    status            VARCHAR NOT NULL,     -- ok | empty
    processed_at      TIMESTAMP NOT NULL
);

CREATE TABLE sentences (
    doc_id       VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    PRIMARY KEY (doc_id, sentence_idx)
);

-- Campaign metadata, one row per field found, with provenance; stg_campaigns pivots it.
CREATE TABLE campaign_fields (
    doc_id       VARCHAR NOT NULL,
    field        VARCHAR NOT NULL,   -- issuer | level | province | district | province_2025 | year | doc_number | signatory
    value        VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL,
    PRIMARY KEY (doc_id, field)
);

CREATE TABLE quotes (
    doc_id       VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,
    text         VARCHAR NOT NULL,
    closed       BOOLEAN NOT NULL,
    depth        INTEGER NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE TABLE themes (
    doc_id       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,   -- campaign | year
    text         VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE TABLE phases (
    doc_id       VARCHAR NOT NULL,
    n            INTEGER NOT NULL,
    start_date   VARCHAR,            -- ISO date, YYYY-MM, or 'launch'
    end_date     VARCHAR,
    theme        VARCHAR,
    flagged      VARCHAR,            -- why the range looks wrong; NULL when sane
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE TABLE movement_registry (
    movement_id  VARCHAR PRIMARY KEY,  -- folded key of the canonical name
    canonical    VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,     -- movement | campaign
    launched_by  VARCHAR,
    launch_year  INTEGER,
    parent_id    VARCHAR,
    registered   BOOLEAN NOT NULL      -- false: a name the registry does not know yet
);

CREATE TABLE movement_aliases (
    movement_id  VARCHAR NOT NULL,
    alias        VARCHAR NOT NULL,
    alias_key    VARCHAR NOT NULL,
    PRIMARY KEY (movement_id, alias_key)
);

CREATE TABLE movement_mentions (
    doc_id       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,     -- movement | campaign
    text         VARCHAR NOT NULL,
    movement_id  VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE TABLE anniversaries (
    doc_id       VARCHAR NOT NULL,
    years        INTEGER NOT NULL,
    event        VARCHAR NOT NULL,
    from_date    VARCHAR,
    to_date      VARCHAR,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE TABLE legal_refs (
    doc_id       VARCHAR NOT NULL,
    ref          VARCHAR NOT NULL,
    ref_type     VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE TABLE topics (
    doc_id       VARCHAR NOT NULL,
    topic        VARCHAR NOT NULL,
    cue          VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    surface      VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    extractor    VARCHAR NOT NULL
);

CREATE SEQUENCE pipeline_error_seq START 1;
CREATE TABLE pipeline_errors (
    error_id     INTEGER PRIMARY KEY DEFAULT nextval('pipeline_error_seq'),
    occurred_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    run_id       INTEGER,
    stage        VARCHAR NOT NULL,     -- crawl | archive | text | extract | load
    source_id    VARCHAR,
    url          VARCHAR,
    doc_id       VARCHAR,
    error_type   VARCHAR,
    message      VARCHAR NOT NULL
);
