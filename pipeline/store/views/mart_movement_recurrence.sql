-- Which movements recur: years seen, localities and levels that name each canonical movement.
CREATE OR REPLACE VIEW mart_movement_recurrence AS
WITH located AS (
    SELECT
        m.canonical,
        m.kind,
        m.doc_id,
        c.year,
        c.level,
        coalesce(c.district || ', ' || c.province, c.province, c.issuer) AS locality
    FROM stg_movement_mentions AS m
    JOIN stg_campaigns AS c USING (doc_id)
    WHERE c.year IS NOT NULL
),
per_movement AS (
    SELECT
        canonical                                  AS movement,
        kind,
        list_sort(list_distinct(list(year)))       AS years,
        count(DISTINCT year)                       AS n_years,
        count(DISTINCT locality)                   AS n_localities,
        list_sort(list_distinct(list(level)))      AS levels,
        min(year)                                  AS first_year,
        max(year)                                  AS last_year,
        count(DISTINCT doc_id)                     AS n_documents
    FROM located
    GROUP BY canonical, kind
)
SELECT * FROM per_movement
ORDER BY n_years DESC, n_localities DESC, movement;
