-- mart_drilldown: every fact behind the numbers — one row per movement, theme, phase, anniversary, legal reference and topic mention, with its document, URL, sentence and quote.
-- @fact: movement, theme, phase, anniversary, legal_ref or topic
-- @key: what the tables group by: the canonical movement, the theme kind, the phase ordinal, the anniversary event, the reference, the topic code
-- @value: the fact's text as printed (the quote, the cue, the phase's words)
-- @doc_id: the document
-- @url: its page
-- @title: its title
-- @source_id: the crawled source
-- @published: the page date
-- @year: campaign year
-- @level: issuer level
-- @issuer: issuer
-- @province: province as written
-- @district: district as written
-- @province_2025: province after the 2025 merger
-- @sentence_idx: the sentence's index in the document
-- @sentence: the sentence that holds the fact
-- @span_start: where the fact starts in the document text
-- @span_end: where it ends
-- @extractor: the extractor (and version) that found it
CREATE OR REPLACE VIEW mart_drilldown AS
WITH facts AS (
    SELECT 'movement' AS fact, canonical AS key, text AS value, doc_id, sentence_idx, span_start, span_end, extractor
    FROM stg_movement_mentions
    UNION ALL
    SELECT 'theme', kind, text, doc_id, sentence_idx, span_start, span_end, extractor FROM themes
    UNION ALL
    SELECT 'phase', CAST(n AS VARCHAR), surface, doc_id, sentence_idx, span_start, span_end, extractor FROM phases
    UNION ALL
    SELECT 'anniversary', event, surface, doc_id, sentence_idx, span_start, span_end, extractor FROM anniversaries
    UNION ALL
    SELECT 'legal_ref', ref, surface, doc_id, sentence_idx, span_start, span_end, extractor FROM legal_refs
    UNION ALL
    SELECT 'topic', topic, surface, doc_id, sentence_idx, span_start, span_end, extractor FROM topics
)
SELECT
    f.fact, f.key, f.value,
    c.doc_id, c.url, c.title, c.source_id, c.published, c.year, c.level, c.issuer, c.province, c.district, c.province_2025,
    f.sentence_idx,
    substr(d.text, s.span_start + 1, s.span_end - s.span_start) AS sentence,
    f.span_start, f.span_end, f.extractor
FROM facts AS f
JOIN stg_campaigns AS c USING (doc_id)
JOIN documents AS d USING (doc_id)
LEFT JOIN sentences AS s ON s.doc_id = f.doc_id AND s.sentence_idx = f.sentence_idx;
