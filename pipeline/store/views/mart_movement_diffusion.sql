-- mart_movement_diffusion: how fast localities echo a national movement — days from its launch to each locality's first plan that names it (or a local variant of it).
-- @movement: canonical name of the launched movement
-- @launched_by: who launched it (registry)
-- @launch_date: the launch day: the registry's date, else 1 January of its launch year, else the page date of the first national plan that names it
-- @launch_basis: which of those the launch date is (registry date, registry year, first national plan)
-- @locality: the echoing locality (district, province) or, for bodies without a place, the issuer
-- @level: the echoing issuer's level
-- @province_2025: the province that holds the locality after the 2025 merger
-- @first_doc_id: the locality's first plan that names it
-- @first_date: that plan's page date (1 January of its campaign year when the page shows none)
-- @days_after_launch: first_date - launch_date (negative: named before the launch this table knows)
-- @named_as: the name that plan uses (the movement itself or a local variant)
CREATE OR REPLACE TABLE mart_movement_diffusion AS
WITH first_national AS (
    SELECT target_id, min(first_published) AS first_date FROM int_movement_firsts WHERE national GROUP BY target_id
),
launch AS (
    SELECT
        r.movement_id AS target_id, r.canonical AS movement, r.launched_by,
        coalesce(r.launched_on, make_date(nullif(r.launch_year, 0), 1, 1), n.first_date) AS launch_date,
        CASE WHEN r.launched_on IS NOT NULL THEN 'registry date'
             WHEN nullif(r.launch_year, 0) IS NOT NULL THEN 'registry year'
             WHEN n.first_date IS NOT NULL THEN 'first national plan' END AS launch_basis
    FROM movement_registry AS r
    LEFT JOIN first_national AS n ON n.target_id = r.movement_id
    WHERE r.registered
)
SELECT
    l.movement, l.launched_by, l.launch_date, l.launch_basis,
    f.locality, f.level, f.province_2025, f.first_doc_id, f.first_date,
    datediff('day', l.launch_date, f.first_date) AS days_after_launch,
    f.named_as
FROM int_movement_firsts AS f
JOIN launch AS l USING (target_id)
WHERE NOT f.national AND l.launch_date IS NOT NULL
ORDER BY l.movement, days_after_launch, f.locality;
