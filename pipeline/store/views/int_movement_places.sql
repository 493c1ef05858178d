-- int_movement_places: movement mentions counted per movement, campaign year, level and locality — the compact table the movement marts and `thidua movements` aggregate (millions of mentions become one row per place and year).
-- @movement_id: folded key of the canonical movement
-- @movement: canonical name
-- @kind: movement or campaign
-- @parent: the national movement it restates or shortens, if any
-- @parent_id: that movement's key
-- @registered: whether the movement registry knows it
-- @year: campaign year
-- @level: issuer level
-- @province: province as written
-- @district: district as written
-- @province_2025: province after the 2025 merger
-- @locality: "district, province", the province, or the issuer
-- @documents: documents of this place and year that name it
-- @mentions: mentions in them
-- Two plain aggregations (per document, then per place) rather than count(DISTINCT):
-- they spill to disk, so the rebuild fits in a small memory budget however big the corpus.
CREATE OR REPLACE TABLE int_movement_places AS
WITH per_document AS (
    SELECT movement_id, doc_id, count(*) AS mentions
    FROM movement_mentions
    GROUP BY movement_id, doc_id
),
placed AS (
    SELECT p.movement_id, c.year, c.level, c.province, c.district, c.province_2025, c.locality,
           count(*) AS documents, sum(p.mentions)::BIGINT AS mentions
    FROM per_document AS p
    JOIN stg_campaigns AS c USING (doc_id)
    WHERE c.year IS NOT NULL
    GROUP BY p.movement_id, c.year, c.level, c.province, c.district, c.province_2025, c.locality
)
SELECT
    p.movement_id,
    r.canonical                    AS movement,
    r.kind,
    pr.canonical                   AS parent,
    nullif(r.parent_id, '')        AS parent_id,
    r.registered,
    p.year, p.level, p.province, p.district, p.province_2025, p.locality,
    p.documents,
    p.mentions
FROM placed AS p
JOIN movement_registry AS r USING (movement_id)
LEFT JOIN movement_registry AS pr ON pr.movement_id = nullif(r.parent_id, '');
