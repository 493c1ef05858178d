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
CREATE OR REPLACE TABLE mart_locality_year AS
WITH docs AS (
    SELECT year, level, province, district, province_2025, count(*) AS documents, count(DISTINCT issuer) AS issuers
    FROM stg_campaigns
    WHERE year IS NOT NULL
    GROUP BY year, level, province, district, province_2025
),
named AS (
    SELECT year, level, province, district, province_2025,
           count(DISTINCT movement_id) AS movements, sum(mentions)::BIGINT AS mentions
    FROM int_movement_places
    GROUP BY year, level, province, district, province_2025
)
SELECT
    d.year, d.level, d.province, d.district, d.province_2025, d.documents, d.issuers,
    coalesce(n.movements, 0) AS movements,
    coalesce(n.mentions, 0)  AS mentions
FROM docs AS d
LEFT JOIN named AS n
    ON d.year = n.year AND d.level IS NOT DISTINCT FROM n.level AND d.province IS NOT DISTINCT FROM n.province
   AND d.district IS NOT DISTINCT FROM n.district AND d.province_2025 IS NOT DISTINCT FROM n.province_2025
ORDER BY d.year, d.province_2025 NULLS FIRST, d.province NULLS FIRST, d.district NULLS FIRST, d.level;
