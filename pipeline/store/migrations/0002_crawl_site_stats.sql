-- Per-site figures of each run, so `thidua status` can show them and flag redesigns.
CREATE TABLE crawl_site_stats (
    run_id          INTEGER NOT NULL,
    source_id       VARCHAR NOT NULL,
    fetched         INTEGER NOT NULL DEFAULT 0,  -- responses received
    new             INTEGER NOT NULL DEFAULT 0,  -- URLs never stored before
    changed         INTEGER NOT NULL DEFAULT 0,  -- known URLs with new content (a new version)
    unchanged       INTEGER NOT NULL DEFAULT 0,  -- same content, or 304 Not Modified
    not_modified    INTEGER NOT NULL DEFAULT 0,  -- of which 304
    not_due         INTEGER NOT NULL DEFAULT 0,  -- known articles not re-checked this run
    failed          INTEGER NOT NULL DEFAULT 0,
    documents       INTEGER NOT NULL DEFAULT 0,
    empty           INTEGER NOT NULL DEFAULT 0,  -- article pages that extracted to nothing
    no_date         INTEGER NOT NULL DEFAULT 0,  -- documents without a published date
    PRIMARY KEY (run_id, source_id)
);
