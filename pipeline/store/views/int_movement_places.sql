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
CREATE OR REPLACE TABLE int_movement_places AS
SELECT
    m.movement_id,
    any_value(m.canonical)      AS movement,
    any_value(m.kind)           AS kind,
    any_value(m.parent)         AS parent,
    any_value(m.parent_id)      AS parent_id,
    bool_or(m.registered)       AS registered,
    c.year, c.level, c.province, c.district, c.province_2025, c.locality,
    count(DISTINCT m.doc_id)    AS documents,
    count(*)                    AS mentions
FROM stg_movement_mentions AS m
JOIN stg_campaigns AS c USING (doc_id)
WHERE c.year IS NOT NULL
GROUP BY m.movement_id, c.year, c.level, c.province, c.district, c.province_2025, c.locality
ORDER BY m.movement_id, c.year;
