-- The relevance model's verdict on each document (pipeline/classify): the calibrated
-- probability that the page announces or reports a union's emulation campaign plan, the
-- label at the threshold in force, why a document was not scored, which model scored it.
CREATE TABLE document_relevance (
    doc_id      VARCHAR PRIMARY KEY,
    probability DOUBLE,            -- NULL when the document was not scored
    relevant    BOOLEAN,           -- probability >= the policy's threshold; NULL when not scored
    status      VARCHAR NOT NULL,  -- scored | too_short | the document's own status (empty, other_language, ...)
    model       VARCHAR NOT NULL,  -- the model file's version
    scored_at   TIMESTAMP NOT NULL
);

-- How the marts count documents: those labelled relevant (the default) or all of them.
-- `thidua relevance policy` changes it; one row.
CREATE TABLE relevance_policy (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    threshold  DOUBLE NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
    count_all  BOOLEAN NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
INSERT INTO relevance_policy VALUES (1, 0.5, false, current_timestamp);
