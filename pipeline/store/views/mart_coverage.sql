-- mart_coverage: documents per source per month, to spot crawl gaps (months between a source's first and last document with none show 0).
-- @source_id: the crawled source
-- @month: first day of the month of the page dates
-- @documents: documents with a page date in that month, relevant or not (what the crawl collected)
-- @counted_documents: of which the marts count (relevant ones, unless the relevance policy counts all)
-- @campaign_documents: of those, with a campaign year
-- @undated: documents of the source without a page date (the same figure on every row of the source)
CREATE OR REPLACE TABLE mart_coverage AS
WITH dated AS (
    SELECT source_id, date_trunc('month', published)::DATE AS month, counted, year
    FROM stg_documents
    WHERE published IS NOT NULL
),
spans AS (
    SELECT source_id, min(month) AS first_month, max(month) AS last_month FROM dated GROUP BY source_id
),
months AS (
    SELECT s.source_id, unnest(generate_series(s.first_month, s.last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM spans AS s
),
counted AS (
    SELECT source_id, month, count(*) AS documents, count(*) FILTER (WHERE counted) AS counted_documents,
           count(year) FILTER (WHERE counted) AS campaign_documents
    FROM dated GROUP BY source_id, month
),
undated AS (
    SELECT source_id, count(*) AS undated FROM stg_documents WHERE published IS NULL GROUP BY source_id
)
SELECT
    m.source_id, m.month,
    coalesce(c.documents, 0)          AS documents,
    coalesce(c.counted_documents, 0)  AS counted_documents,
    coalesce(c.campaign_documents, 0) AS campaign_documents,
    coalesce(u.undated, 0)            AS undated
FROM months AS m
LEFT JOIN counted AS c USING (source_id, month)
LEFT JOIN undated AS u USING (source_id)
ORDER BY m.source_id, m.month;
