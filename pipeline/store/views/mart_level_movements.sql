-- mart_level_movements: which movements each issuer level launches or echoes.
-- @movement: canonical name
-- @level: issuer level of the plans that name it
-- @role: launches (the registry's launcher is of this level), first to name (no known launcher; this level named it in its first year), or echoes
-- @launched_by: the registry's launcher, if known
-- @documents: plans of this level that name it
-- @localities: localities of this level that name it
-- @first_year: first campaign year this level names it
-- @last_year: last campaign year this level names it
CREATE OR REPLACE TABLE mart_level_movements AS
WITH launcher AS (
    SELECT movement_id, launched_by,
           CASE WHEN launched_by ILIKE 'Tổng Liên đoàn%' THEN 'national'
                WHEN launched_by ILIKE 'Liên đoàn Lao động quận%' OR launched_by ILIKE 'Liên đoàn Lao động huyện%'
                     OR launched_by ILIKE 'Liên đoàn Lao động thị xã%' THEN 'district'
                WHEN launched_by ILIKE 'Liên đoàn Lao động%' THEN 'province'
                WHEN launched_by ILIKE 'Công đoàn cơ sở%' THEN 'grassroots'
                WHEN launched_by ILIKE 'Công đoàn%' THEN 'sector' END AS launcher_level
    FROM movement_registry
),
per_level AS (
    SELECT movement_id, any_value(movement) AS movement, level,
           sum(documents)::BIGINT AS documents, count(DISTINCT locality) AS localities,
           min(year) AS first_year, max(year) AS last_year
    FROM int_movement_places
    WHERE level IS NOT NULL
    GROUP BY movement_id, level
)
SELECT
    p.movement, p.level,
    CASE WHEN l.launcher_level = p.level THEN 'launches'
         WHEN nullif(l.launched_by, '') IS NULL
              AND p.first_year = min(p.first_year) OVER (PARTITION BY p.movement_id) THEN 'first to name'
         ELSE 'echoes' END AS role,
    nullif(l.launched_by, '') AS launched_by,
    p.documents, p.localities, p.first_year, p.last_year
FROM per_level AS p
LEFT JOIN launcher AS l USING (movement_id)
ORDER BY p.movement, p.first_year, p.level;
