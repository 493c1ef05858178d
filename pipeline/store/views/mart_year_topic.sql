-- Year x topic: documents of each campaign year that call for action on each topic.
CREATE OR REPLACE VIEW mart_year_topic AS
WITH docs AS (
    SELECT doc_id, year FROM stg_campaigns WHERE year IS NOT NULL
),
per_year AS (
    SELECT year, count(*) AS year_documents FROM docs GROUP BY year
),
hits AS (
    SELECT DISTINCT t.doc_id, d.year, t.topic
    FROM topics AS t
    JOIN docs AS d USING (doc_id)
)
SELECT
    h.year,
    h.topic,
    count(*)                                   AS documents,
    round(count(*) / any_value(p.year_documents), 3) AS share,
    any_value(p.year_documents)                AS year_documents
FROM hits AS h
JOIN per_year AS p USING (year)
GROUP BY h.year, h.topic
ORDER BY h.year, h.topic;
