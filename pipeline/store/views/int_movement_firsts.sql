-- int_movement_firsts: the first plan in each locality that names a movement or a local variant of it (variants count for their parent) — what mart_movement_diffusion measures from a launch.
-- @target_id: the movement echoed (a variant's parent, else the movement itself)
-- @locality: the naming locality (district, province) or, for bodies without a place, the issuer
-- @national: whether these are national issuers' plans (the launch side) or the others' (the echoes)
-- @level: the first plan's issuer level
-- @province_2025: the province that holds the first plan's locality after the 2025 merger
-- @first_doc_id: the locality's first plan that names it (the earliest date; on a tie, the smallest document id)
-- @first_date: that plan's page date (1 January of its campaign year when the page shows none)
-- @named_as: the name that plan uses (the movement itself or a local variant)
-- @first_published: the earliest page date among the locality's plans that name it and show one
-- A table of its own so that the mart joins two small tables: in one statement, DuckDB held
-- both aggregations of the mentions at once and a 20,000-document corpus outgrew 64 MB.
-- The aggregate keeps one narrow struct per place (the earliest date, then the smallest
-- document id and movement key: ties are settled the same way every time) and the first
-- plan's level and province are joined after it; so 1,000,000 documents rebuild in 64 MB.
CREATE OR REPLACE TABLE int_movement_firsts AS
WITH firsts AS (
    SELECT coalesce(nullif(r.parent_id, ''), r.movement_id) AS target_id, c.locality, c.level = 'national' AS national,
           min({'date': coalesce(c.published, make_date(c.year, 1, 1)), 'doc_id': c.doc_id, 'movement_id': m.movement_id}) AS first,
           min(c.published) AS first_published
    FROM movement_mentions AS m  -- every mention, not distinct pairs: a minimum needs no DISTINCT, which held more memory
    JOIN movement_registry AS r USING (movement_id)
    JOIN stg_campaigns AS c USING (doc_id)
    WHERE c.year IS NOT NULL
    GROUP BY ALL
)
SELECT f.target_id, f.locality, f.national, c.level, c.province_2025,
       f.first.doc_id AS first_doc_id, f.first.date AS first_date, r.canonical AS named_as, f.first_published
FROM firsts AS f
JOIN stg_campaigns AS c ON c.doc_id = f.first.doc_id
JOIN movement_registry AS r ON r.movement_id = f.first.movement_id;
