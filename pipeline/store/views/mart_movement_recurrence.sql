-- mart_movement_recurrence: which movements recur — for each canonical movement, the campaign years, localities and levels whose plans name it.
-- @movement: canonical name
-- @kind: movement (phong trào) or campaign (cuộc vận động)
-- @parent: the national movement it restates or shortens, if any
-- @registered: whether the movement registry knows it
-- @years: the campaign years whose plans name it
-- @n_years: how many distinct years
-- @n_localities: how many distinct localities (district, province, or the national body)
-- @levels: the issuer levels that name it
-- @first_year: first campaign year it is named
-- @last_year: last campaign year it is named
-- @n_documents: documents that name it
-- @n_mentions: mentions in all (a document may name it more than once)
-- The table is movement_recurrence() with no filters; `thidua movements` calls the macro
-- with its filters (level, province as written, province after 2025, campaign years from,
-- minimum years). Both read int_movement_places: one row per movement, place and year.
CREATE OR REPLACE MACRO movement_recurrence(level_filter := NULL, province_filter := NULL, province_2025_filter := NULL,
                                            since_year := NULL, min_years := 1) AS TABLE
WITH places AS (
    SELECT *
    FROM int_movement_places
    WHERE (level_filter IS NULL OR level = level_filter)
      AND (province_filter IS NULL OR province = province_filter)
      AND (province_2025_filter IS NULL OR province_2025 = province_2025_filter)
      AND (since_year IS NULL OR year >= since_year)
),
-- the distinct years, levels and localities are each taken in a step of their own: as
-- DISTINCT aggregates of one query they were held all at once, and 400,000 documents
-- outgrew 64 MB of DuckDB memory
years AS (
    SELECT movement_id, list(year ORDER BY year) AS years, count(*) AS n_years
    FROM (SELECT DISTINCT movement_id, year FROM places)
    GROUP BY movement_id
),
levels AS (
    SELECT movement_id, coalesce(list(level ORDER BY level) FILTER (WHERE level IS NOT NULL), []) AS levels
    FROM (SELECT DISTINCT movement_id, level FROM places)
    GROUP BY movement_id
),
localities AS (
    SELECT movement_id, count(locality) AS n_localities
    FROM (SELECT DISTINCT movement_id, locality FROM places)
    GROUP BY movement_id
),
per_movement AS (
    SELECT
        t.movement, t.kind, t.parent, t.registered,
        y.years, y.n_years, o.n_localities, v.levels,
        t.first_year, t.last_year, t.n_documents, t.n_mentions
    FROM (
        SELECT
            movement_id,
            any_value(movement)    AS movement,
            any_value(kind)        AS kind,
            any_value(parent)      AS parent,
            bool_or(registered)    AS registered,
            min(year)              AS first_year,
            max(year)              AS last_year,
            sum(documents)::BIGINT AS n_documents,
            sum(mentions)::BIGINT  AS n_mentions
        FROM places
        GROUP BY movement_id
    ) AS t
    JOIN years AS y USING (movement_id)
    JOIN levels AS v USING (movement_id)
    JOIN localities AS o USING (movement_id)
)
SELECT * FROM per_movement
WHERE n_years >= min_years
ORDER BY n_years DESC, n_localities DESC, movement;

CREATE OR REPLACE TABLE mart_movement_recurrence AS
SELECT * FROM movement_recurrence();
