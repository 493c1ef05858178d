-- stg_movement_mentions: movement mentions with their canonical name and registry facts.
-- @doc_id: the document
-- @text: the name as printed
-- @kind: movement (phong trào) or campaign (cuộc vận động)
-- @movement_id: folded key of the canonical movement
-- @canonical: canonical name
-- @parent_id: the national movement a local or partial variant belongs to (its movement_id)
-- @parent: that movement's canonical name
-- @registered: whether the registry knows the movement (false: a name seen in documents only)
-- @span_start: where the name starts in the document text
-- @span_end: where it ends
-- @sentence_idx: the sentence that holds it
-- @extractor: the extractor (and version) that found it
CREATE OR REPLACE VIEW stg_movement_mentions AS
SELECT
    m.doc_id,
    m.text,
    m.kind,
    m.movement_id,
    r.canonical,
    nullif(r.parent_id, '') AS parent_id,
    p.canonical             AS parent,
    r.registered,
    m.span_start,
    m.span_end,
    m.sentence_idx,
    m.extractor
FROM movement_mentions AS m
JOIN movement_registry AS r USING (movement_id)
LEFT JOIN movement_registry AS p ON p.movement_id = nullif(r.parent_id, '');
