-- mart_year_topic: how topics shift year by year — documents of each campaign year that call for action on each topic, as counts and as shares.
-- @year: campaign year
-- @topic: codebook topic code
-- @documents: documents of that year with the topic
-- @year_documents: documents of that year
-- @share: documents / year_documents (weighs sources by how much they publish)
-- @n_sources: sources with at least one document of that year
-- @source_share: the mean over those sources of each source's share (each source counts once: raw counts measure reporting volume, not campaigns)
CREATE OR REPLACE TABLE mart_year_topic AS
WITH docs AS (
    SELECT doc_id, source_id, year FROM stg_campaigns WHERE year IS NOT NULL
),
source_year AS (
    SELECT source_id, year, count(*) AS source_documents FROM docs GROUP BY source_id, year
),
per_year AS (
    SELECT year, sum(source_documents) AS year_documents, count(*) AS n_sources FROM source_year GROUP BY year
),
hits AS (
    SELECT DISTINCT t.doc_id, d.source_id, d.year, t.topic
    FROM topics AS t
    JOIN docs AS d USING (doc_id)
),
per_source AS (
    SELECT year, topic, source_id, count(*) AS documents FROM hits GROUP BY year, topic, source_id
)
SELECT
    p.year,
    p.topic,
    sum(p.documents)::BIGINT                                                      AS documents,
    any_value(y.year_documents)::BIGINT                                           AS year_documents,
    round(sum(p.documents) / any_value(y.year_documents), 3)                      AS share,
    any_value(y.n_sources)                                                        AS n_sources,
    round(sum(p.documents / s.source_documents) / any_value(y.n_sources), 3)      AS source_share
FROM per_source AS p
JOIN source_year AS s USING (source_id, year)
JOIN per_year AS y USING (year)
GROUP BY p.year, p.topic
ORDER BY p.year, p.topic;
