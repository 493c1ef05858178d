-- mart_phase_calendar: when phases start and end, by issuer level and year — the patterns of the emulation calendar.
-- @year: campaign year
-- @level: issuer level
-- @phases_in_plan: how many phases the plan has
-- @n: the phase's ordinal
-- @starts: the start as month-day ("01-01"), a month ("--06") or "launch" (từ khi phát động)
-- @ends: the end, in the same form
-- @documents: plans with that pattern
-- @flagged: of which the extractor flagged the range as implausible
CREATE OR REPLACE TABLE mart_phase_calendar AS
WITH phased AS (
    SELECT
        c.year, c.level, p.doc_id, p.n, p.flagged,
        count(*) OVER (PARTITION BY p.doc_id) AS phases_in_plan,
        CASE WHEN p.start_date = 'launch' THEN 'launch'
             WHEN length(p.start_date) = 7 THEN '--' || substr(p.start_date, 6, 2)
             ELSE substr(p.start_date, 6, 5) END AS starts,
        CASE WHEN p.end_date = 'launch' THEN 'launch'
             WHEN length(p.end_date) = 7 THEN '--' || substr(p.end_date, 6, 2)
             ELSE substr(p.end_date, 6, 5) END AS ends
    FROM phases AS p
    JOIN stg_campaigns AS c USING (doc_id)
    WHERE c.year IS NOT NULL
)
SELECT year, level, phases_in_plan, n, starts, ends,
       count(DISTINCT doc_id) AS documents, count(flagged) AS flagged
FROM phased
GROUP BY year, level, phases_in_plan, n, starts, ends
ORDER BY year, level, phases_in_plan, n, documents DESC;
