-- Movement mentions with their canonical name from the registry.
CREATE OR REPLACE VIEW stg_movement_mentions AS
SELECT
    m.doc_id,
    m.text,
    m.kind,
    m.movement_id,
    r.canonical,
    r.parent_id,
    r.registered,
    m.span_start,
    m.span_end,
    m.sentence_idx,
    m.extractor
FROM movement_mentions AS m
JOIN movement_registry AS r USING (movement_id);
