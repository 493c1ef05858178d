-- One row per processed document with its campaign metadata as columns (rename and cast only).
CREATE OR REPLACE VIEW stg_campaigns AS
SELECT
    d.doc_id,
    d.source_id,
    d.url,
    d.title,
    d.published,
    max(f.value) FILTER (WHERE f.field = 'issuer')        AS issuer,
    max(f.value) FILTER (WHERE f.field = 'level')         AS level,
    max(f.value) FILTER (WHERE f.field = 'province')      AS province,
    max(f.value) FILTER (WHERE f.field = 'district')      AS district,
    max(f.value) FILTER (WHERE f.field = 'province_2025') AS province_2025,
    TRY_CAST(max(f.value) FILTER (WHERE f.field = 'year') AS INTEGER) AS year,
    max(f.value) FILTER (WHERE f.field = 'doc_number')    AS doc_number,
    max(f.value) FILTER (WHERE f.field = 'signatory')     AS signatory
FROM documents AS d
LEFT JOIN campaign_fields AS f USING (doc_id)
WHERE d.status = 'ok'
GROUP BY d.doc_id, d.source_id, d.url, d.title, d.published;
