-- mart_locality_year: campaigns by locality and year, with the province as written and the province after the 2025 merger, to compare places before and after it.
-- @year: campaign year
-- @level: issuer level
-- @province: province as named when the document was written
-- @district: district as named, for district-level issuers
-- @province_2025: the province that holds it after 1 July 2025
-- @documents: documents
-- @issuers: distinct issuers
-- @movements: distinct canonical movements named
-- @mentions: movement mentions
CREATE OR REPLACE VIEW mart_locality_year AS
WITH docs AS (
    SELECT doc_id, year, level, province, district, province_2025, issuer
    FROM stg_campaigns
    WHERE year IS NOT NULL
)
SELECT
    d.year, d.level, d.province, d.district, d.province_2025,
    count(DISTINCT d.doc_id)      AS documents,
    count(DISTINCT d.issuer)      AS issuers,
    count(DISTINCT m.movement_id) AS movements,
    count(m.movement_id)          AS mentions
FROM docs AS d
LEFT JOIN movement_mentions AS m USING (doc_id)
GROUP BY d.year, d.level, d.province, d.district, d.province_2025
ORDER BY d.year, d.province_2025 NULLS FIRST, d.province NULLS FIRST, d.district NULLS FIRST, d.level;
