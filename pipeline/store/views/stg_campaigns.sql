-- stg_campaigns: one row per current document (the newest version of each article page) with its campaign metadata as columns.
-- @doc_id: document id (hash of the page's canonical URL and content)
-- @source_id: the crawled source (website) the page came from
-- @url: the page's URL as fetched
-- @title: the page's title
-- @published: the page's date, when it shows one
-- @issuer: canonical name of the body that launches the campaign
-- @level: national, province, district, sector or grassroots
-- @province: the issuer's province as named when the document was written
-- @district: the issuer's district as named when the document was written
-- @province_2025: the province that holds that locality after the 1 July 2025 merger
-- @year: the year the campaign runs for (not the publication year)
-- @doc_number: the plan's own number
-- @signatory: who signed it
-- @locality: where the issuer is, for counting places: "district, province", else the province, else the issuer (national and bodies without a place)
-- Rename and cast only (locality only joins two of them). A table, rebuilt after each run: every mart reads it. Older versions stay in documents, unread here.
CREATE OR REPLACE TABLE stg_campaigns AS
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
    max(f.value) FILTER (WHERE f.field = 'signatory')     AS signatory,
    coalesce(
        max(f.value) FILTER (WHERE f.field = 'district') || ', ' || max(f.value) FILTER (WHERE f.field = 'province'),
        max(f.value) FILTER (WHERE f.field = 'province'),
        max(f.value) FILTER (WHERE f.field = 'issuer')
    )                                                     AS locality
FROM documents AS d
JOIN current_pages AS p USING (canonical_url, content_hash)
LEFT JOIN campaign_fields AS f USING (doc_id)
WHERE d.status = 'ok'
GROUP BY d.doc_id, d.source_id, d.url, d.title, d.published
ORDER BY d.doc_id;
