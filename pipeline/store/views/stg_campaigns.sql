-- One row per current document (the newest version of each article page) with its campaign
-- metadata as columns (rename and cast only). Older versions stay in documents, unread here.
CREATE OR REPLACE VIEW stg_campaigns AS
WITH current_pages AS (
    SELECT canonical_url, content_hash
    FROM pages
    WHERE kind = 'article'
    QUALIFY row_number() OVER (PARTITION BY canonical_url ORDER BY first_fetched DESC) = 1
)
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
JOIN current_pages AS p USING (canonical_url, content_hash)
LEFT JOIN campaign_fields AS f USING (doc_id)
WHERE d.status = 'ok'
GROUP BY d.doc_id, d.source_id, d.url, d.title, d.published;
