-- mart_movement_novelty: movements that appear for the first time in a year, with who named them first.
-- @year: the first campaign year whose plans name the movement
-- @movement: canonical name
-- @kind: movement or campaign
-- @parent: the national movement it restates or shortens, if any
-- @registered: whether the movement registry knows it
-- @documents: documents of that year that name it
-- @localities: localities of that year that name it
-- @first_doc_id: the earliest of those documents (by page date)
-- @first_issuer: its issuer
-- @first_published: its page date
CREATE OR REPLACE TABLE mart_movement_novelty AS
WITH firsts AS (
    SELECT movement_id, any_value(movement) AS movement, any_value(kind) AS kind, any_value(parent) AS parent,
           bool_or(registered) AS registered, min(year) AS year
    FROM int_movement_places
    GROUP BY movement_id
),
first_year AS (
    SELECT p.movement_id, sum(p.documents)::BIGINT AS documents, count(DISTINCT p.locality) AS localities
    FROM int_movement_places AS p
    JOIN firsts AS f ON f.movement_id = p.movement_id AND f.year = p.year
    GROUP BY p.movement_id
),
first_doc AS (
    SELECT m.movement_id,
           arg_min(c.doc_id, coalesce(c.published, DATE '9999-12-31')) AS first_doc_id,
           arg_min(c.issuer, coalesce(c.published, DATE '9999-12-31')) AS first_issuer,
           min(c.published)                                            AS first_published
    FROM movement_mentions AS m
    JOIN stg_campaigns AS c USING (doc_id)
    JOIN firsts AS f ON f.movement_id = m.movement_id AND f.year = c.year
    GROUP BY m.movement_id
)
SELECT f.year, f.movement, f.kind, f.parent, f.registered, y.documents, y.localities,
       d.first_doc_id, d.first_issuer, d.first_published
FROM firsts AS f
JOIN first_year AS y USING (movement_id)
JOIN first_doc AS d USING (movement_id)
ORDER BY f.year, y.documents DESC, f.movement;
