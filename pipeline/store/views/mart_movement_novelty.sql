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
CREATE OR REPLACE VIEW mart_movement_novelty AS
WITH named AS (
    SELECT m.canonical, m.kind, m.parent, m.registered, c.doc_id, c.year, c.locality, c.issuer, c.published
    FROM stg_movement_mentions AS m
    JOIN stg_campaigns AS c USING (doc_id)
    WHERE c.year IS NOT NULL
),
first_year AS (
    SELECT canonical, kind, min(year) AS year FROM named GROUP BY canonical, kind
)
SELECT
    n.year,
    n.canonical                                                   AS movement,
    n.kind,
    any_value(n.parent)                                           AS parent,
    bool_or(n.registered)                                         AS registered,
    count(DISTINCT n.doc_id)                                      AS documents,
    count(DISTINCT n.locality)                                    AS localities,
    arg_min(n.doc_id, coalesce(n.published, DATE '9999-12-31'))   AS first_doc_id,
    arg_min(n.issuer, coalesce(n.published, DATE '9999-12-31'))   AS first_issuer,
    min(n.published)                                              AS first_published
FROM named AS n
JOIN first_year AS f USING (canonical, kind, year)
GROUP BY n.year, n.canonical, n.kind
ORDER BY n.year, documents DESC, movement;
