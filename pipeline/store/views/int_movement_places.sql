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
-- Two plain aggregations (per document, then per place) rather than count(DISTINCT): they
-- spill to disk. Chained in one query, DuckDB held both at once; grouped by the six place
-- columns, the second was wide; joined to the registry in the same query, the output was
-- held too: 1,000,000 dense documents needed 96 MB. So each step is a temporary table of
-- its own, the second aggregation groups by a number given to each place, and the rebuild
-- fits in 64 MB.
CREATE OR REPLACE TEMP TABLE movement_places_per_document AS
SELECT movement_id, doc_id, count(*) AS mentions
FROM movement_mentions
GROUP BY movement_id, doc_id;

CREATE OR REPLACE TEMP TABLE movement_places_numbered AS
SELECT row_number() OVER () AS place, *
FROM (SELECT DISTINCT year, level, province, district, province_2025, locality FROM stg_campaigns WHERE year IS NOT NULL);

CREATE OR REPLACE TEMP TABLE movement_places_of_documents AS
SELECT c.doc_id, n.place
FROM stg_campaigns AS c
JOIN movement_places_numbered AS n
  ON c.year = n.year AND c.level IS NOT DISTINCT FROM n.level AND c.province IS NOT DISTINCT FROM n.province
 AND c.district IS NOT DISTINCT FROM n.district AND c.province_2025 IS NOT DISTINCT FROM n.province_2025
 AND c.locality IS NOT DISTINCT FROM n.locality;

CREATE OR REPLACE TEMP TABLE movement_places_placed AS
SELECT p.movement_id, d.place, count(*) AS documents, sum(p.mentions)::BIGINT AS mentions
FROM movement_places_per_document AS p
JOIN movement_places_of_documents AS d USING (doc_id)
GROUP BY p.movement_id, d.place;

DROP TABLE movement_places_per_document;
DROP TABLE movement_places_of_documents;

CREATE OR REPLACE TABLE int_movement_places AS
SELECT
    p.movement_id,
    r.canonical                    AS movement,
    r.kind,
    pr.canonical                   AS parent,
    nullif(r.parent_id, '')        AS parent_id,
    r.registered,
    n.year, n.level, n.province, n.district, n.province_2025, n.locality,
    p.documents,
    p.mentions
FROM movement_places_placed AS p
JOIN movement_places_numbered AS n USING (place)
JOIN movement_registry AS r USING (movement_id)
LEFT JOIN movement_registry AS pr ON pr.movement_id = nullif(r.parent_id, '');

DROP TABLE movement_places_numbered;
DROP TABLE movement_places_placed;
