-- 目标任务: annual targets per district and indicator, the districts' monthly reported actuals,
-- and progress against time (时间过半、任务过半). Every value is in its indicator's canonical unit
-- (data/reference/indicators.csv), exact: DECIMAL(38, 12).
CREATE TABLE IF NOT EXISTS ref_indicators (
    indicator     VARCHAR,
    unit          VARCHAR NOT NULL,     -- canonical unit: 个 / 亿元 / 万元 / 万美元
    source        VARCHAR NOT NULL,     -- ledger (counted/summed from the project ledgers) / reported
    ledger_metric VARCHAR,              -- signed_projects / signed_investment (see indicator_ledger_actuals)
    sort_order    INTEGER
);

CREATE TABLE IF NOT EXISTS indicator_targets (
    load_id       BIGINT NOT NULL,
    as_of         DATE NOT NULL,        -- the file's date: the newest file's target wins
    source_file   VARCHAR NOT NULL,
    source_sheet  VARCHAR,
    source_row    INTEGER,
    year          INTEGER NOT NULL,
    district_code VARCHAR NOT NULL,     -- the city's code for a 全市/合计 row
    district      VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    unit          VARCHAR NOT NULL,
    target        DECIMAL(38, 12) NOT NULL,
    written       VARCHAR               -- the cell as written and the unit it was read in
);

CREATE TABLE IF NOT EXISTS indicator_actuals (
    load_id       BIGINT NOT NULL,
    source_file   VARCHAR NOT NULL,
    source_sheet  VARCHAR,
    source_row    INTEGER,
    as_of         DATE NOT NULL,        -- cumulative from 1 January to this date
    year          INTEGER NOT NULL,
    district_code VARCHAR NOT NULL,
    district      VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    unit          VARCHAR NOT NULL,
    actual        DECIMAL(38, 12) NOT NULL,
    prior_actual  DECIMAL(38, 12),      -- 上年同期 as the report wrote it
    reported_yoy  DECIMAL(38, 12),      -- 同比 as the report wrote it (0.8021 = +80.21%)
    written       VARCHAR
);

-- The same date one year earlier; a month end stays a month end (2025-02-28 → 2024-02-29).
CREATE OR REPLACE MACRO same_day_last_year(d) AS
    CASE WHEN d = last_day(d) THEN last_day(CAST(d - INTERVAL 1 YEAR AS DATE))
         ELSE CAST(d - INTERVAL 1 YEAR AS DATE) END;

-- The target in force: the newest file's (a mid-year report may restate an adjusted target).
CREATE OR REPLACE VIEW indicator_target_current AS
SELECT year, district_code, district, indicator, unit, target, as_of AS target_as_of,
       source_file AS target_file
FROM indicator_targets
QUALIFY row_number() OVER (PARTITION BY year, district_code, indicator
                           ORDER BY as_of DESC, load_id DESC, source_row DESC) = 1;

-- One reported actual per date, district and indicator: the latest load wins.
CREATE OR REPLACE VIEW indicator_reported AS
SELECT as_of, year, district_code, district, indicator, unit, actual, prior_actual, reported_yoy,
       source_file, load_id
FROM indicator_actuals
QUALIFY row_number() OVER (PARTITION BY as_of, district_code, indicator
                           ORDER BY load_id DESC, source_row DESC) = 1;

-- The dates progress is measured at: a year's report dates; in a year with targets but no
-- report yet, the dates of the project ledgers (then only ledger-sourced indicators have actuals).
CREATE OR REPLACE VIEW indicator_calendar AS
WITH reported AS (SELECT DISTINCT as_of FROM indicator_actuals),
target_years AS (SELECT DISTINCT year FROM indicator_targets),
ledger AS (
    SELECT DISTINCT as_of FROM load_districts
    WHERE year(as_of) IN (SELECT year FROM target_years)
      AND year(as_of) NOT IN (SELECT year(as_of) FROM reported)
)
SELECT as_of, CAST(year(as_of) AS INTEGER) AS year FROM reported
UNION
SELECT as_of, CAST(year(as_of) AS INTEGER) AS year FROM ledger;

-- 签约项目数 / 签约项目投资额 from the ledgers, as of each calendar date (and the same date a year
-- earlier, for 同比): every project as its latest snapshot up to that date describes it (a sign
-- date an earlier snapshot gave is kept), counted when its sign date falls between 1 January and
-- that date. A project two districts both list counts for each of them, once for the city.
-- ledger_as_of: the district's newest ledger up to that date (older than the date = not updated).
CREATE OR REPLACE VIEW indicator_ledger_actuals AS
WITH dates AS (
    SELECT as_of AS report_date FROM indicator_calendar
    UNION
    SELECT same_day_last_year(as_of) FROM indicator_calendar
),
bounds AS (SELECT list(DISTINCT year(report_date)) AS years, max(report_date) AS last_date FROM dates),
-- the project as its snapshots described it, interval by interval (project_timeline, kept by the
-- loader: warehouse/derived.py): from as_of until next_as_of, with the sign date known by then;
-- only intervals whose sign date falls in a year measured can count
in_force AS (
    SELECT t.*, greatest(t.sign_date, t.as_of) AS counts_from,      -- counted on dates in [from, until)
           least(coalesce(t.next_as_of, DATE '9999-12-31'), make_date(year(t.sign_date) + 1, 1, 1)) AS counts_until
    FROM project_timeline t, bounds b
    WHERE t.as_of <= b.last_date AND list_contains(b.years, year(t.sign_date)) AND t.district_code IS NOT NULL
),
-- an interval that is a project's only row on its date counts +1 (and its amount) from counts_from
-- and −1 from counts_until: each event is put on the first report date on or after it, and a
-- running sum over the report dates gives the projects counted on each
events AS (
    SELECT district_code, counts_from AS day, 1 AS n, total_investment_wan AS wan
    FROM in_force WHERE NOT shared AND counts_from < counts_until
    UNION ALL
    SELECT district_code, counts_until, -1, -total_investment_wan
    FROM in_force WHERE NOT shared AND counts_from < counts_until
),
event_days AS (
    SELECT district_code, day, sum(n) AS n, sum(wan) AS wan FROM events GROUP BY ALL
),
event_sums AS (
    SELECT d.report_date, e.district_code, sum(e.n) AS n, sum(e.wan) AS wan
    FROM event_days e ASOF JOIN dates d ON e.day <= d.report_date
    GROUP BY ALL
),
-- a project listed more than once on a date (by two districts, or twice) counts once per
-- district and once for the city, at its largest amount: counted date by date
shared_counted AS (
    SELECT d.report_date, f.district_code, f.project_id, max(f.total_investment_wan) AS wan
    FROM in_force f JOIN dates d ON d.report_date >= f.counts_from AND d.report_date < f.counts_until
    WHERE f.shared
    GROUP BY ALL
),
ledger_dates AS (
    SELECT DISTINCT district_code, as_of FROM load_districts WHERE district_code IS NOT NULL
),
district_dates AS (
    SELECT d.report_date, l.district_code, max(l.as_of) AS ledger_as_of
    FROM dates d JOIN ledger_dates l ON l.as_of <= d.report_date
    GROUP BY ALL
),
running AS (   -- singles: running sums per district over all report dates
    SELECT dd.report_date, dd.district_code, dd.ledger_as_of,
           sum(coalesce(es.n, 0)) OVER w AS n, sum(es.wan) OVER w AS wan
    FROM district_dates dd LEFT JOIN event_sums es USING (report_date, district_code)
    WINDOW w AS (PARTITION BY dd.district_code ORDER BY dd.report_date)
),
shared_district AS (
    SELECT report_date, district_code, count(*) AS n, sum(wan) AS wan FROM shared_counted GROUP BY ALL
),
per_district AS (
    SELECT r.report_date, r.district_code, r.ledger_as_of,
           r.n + coalesce(s.n, 0) AS projects, coalesce(r.wan, 0) + coalesce(s.wan, 0) AS wan
    FROM running r LEFT JOIN shared_district s USING (report_date, district_code)
),
shared_city AS (
    SELECT report_date, count(*) AS n, sum(wan) AS wan
    FROM (SELECT report_date, project_id, max(wan) AS wan FROM shared_counted GROUP BY ALL)
    GROUP BY ALL
),
per_city AS (
    SELECT r.report_date, (SELECT any_value(city_code) FROM ref_districts) AS district_code,
           max(r.ledger_as_of) AS ledger_as_of,
           sum(r.n) + coalesce(any_value(s.n), 0) AS projects,
           coalesce(sum(r.wan), 0) + coalesce(any_value(s.wan), 0) AS wan
    FROM running r LEFT JOIN shared_city s USING (report_date)
    GROUP BY r.report_date
),
measured AS (
    SELECT * FROM per_district UNION ALL SELECT * FROM per_city
)
SELECT m.report_date AS as_of, m.district_code, i.indicator, i.unit, m.ledger_as_of,
       CASE i.ledger_metric
           WHEN 'signed_projects' THEN CAST(m.projects AS DECIMAL(38, 12))
           WHEN 'signed_investment' THEN CASE i.unit
               WHEN '亿元' THEN CAST(m.wan * 0.0001 AS DECIMAL(38, 12))
               WHEN '万元' THEN CAST(m.wan AS DECIMAL(38, 12))
               WHEN '元' THEN CAST(m.wan * 10000 AS DECIMAL(38, 12)) END
       END AS actual
FROM measured m CROSS JOIN ref_indicators i
WHERE i.source = 'ledger' AND m.district_code IS NOT NULL;

-- The view above, kept as a table (indicator_progress below reads it): it reads every project's history.
-- Made here from the view when the schema is applied; every load refreshes it in its own transaction
-- (warehouse/derived.py CITY_DEFINITIONS, refresh_city, from etl/load.py). A district account sees
-- its own districts' rows (warehouse/scope.py).
CREATE OR REPLACE TABLE indicator_ledger AS SELECT * FROM indicator_ledger_actuals;

-- Progress per district, indicator and date. actual: for ledger-sourced indicators the ledger's
-- figure when the district's newest ledger is of the report's month, else the district's own
-- report if it made one, else the older ledger's figure (ledger_as_of says how old); for the
-- others the report's. Both are shown, and `disagreement` flags a difference when the ledger is
-- of the report's month (beyond rounding to two decimals of the unit: reports write 12.35亿元).
-- completion = actual / target; time_progress = month / 12; gap_points = (completion −
-- time_progress) × 100; rank among the districts (the 全市 row is not ranked). One more row per
-- date and indicator, is_total (and is_city), is the city's total: the report's 全市 row where
-- it has both a target and an actual, else the sum over the districts that have both
-- (from_city_row says which); the report's own 全市 rows stay as they are (is_city only). The traffic light needs the thresholds in the settings: warehouse/targets.py adds it.
CREATE OR REPLACE VIEW indicator_progress_live AS
WITH city AS (SELECT any_value(city_code) AS code FROM ref_districts),
ledger AS (SELECT * FROM indicator_ledger),
keys AS (
    SELECT c.as_of, c.year, t.district_code, t.indicator
    FROM indicator_calendar c JOIN indicator_target_current t USING (year)
    UNION
    SELECT as_of, year, district_code, indicator FROM indicator_reported
),
written_names AS (
    SELECT district_code, any_value(district) AS district
    FROM (SELECT district_code, district FROM indicator_targets
          UNION ALL SELECT district_code, district FROM indicator_actuals)
    GROUP BY ALL
),
prior_reported AS (
    SELECT year, month(as_of) AS month, district_code, indicator, actual
    FROM indicator_reported
    QUALIFY row_number() OVER (PARTITION BY year, month(as_of), district_code, indicator
                               ORDER BY as_of DESC) = 1
),
joined AS (
    SELECT k.as_of, k.year, k.district_code, k.indicator,
           coalesce(i.unit, t.unit, r.unit) AS unit, coalesce(i.source, 'reported') AS source,
           coalesce(i.sort_order, 999) AS indicator_order,
           t.target, t.target_file, r.actual AS actual_reported, l.actual AS actual_ledger, l.ledger_as_of,
           pr.actual AS prior_reported, lp.actual AS prior_ledger, r.prior_actual AS prior_written,
           r.reported_yoy,
           coalesce(date_trunc('month', l.ledger_as_of) = date_trunc('month', k.as_of), FALSE) AS ledger_current
    FROM keys k
    LEFT JOIN ref_indicators i USING (indicator)
    LEFT JOIN indicator_target_current t USING (year, district_code, indicator)
    LEFT JOIN indicator_reported r USING (as_of, district_code, indicator)
    LEFT JOIN ledger l
      ON l.as_of = k.as_of AND l.district_code = k.district_code AND l.indicator = k.indicator
    LEFT JOIN prior_reported pr
      ON pr.year = k.year - 1 AND pr.month = month(k.as_of) AND pr.district_code = k.district_code
     AND pr.indicator = k.indicator
    LEFT JOIN ledger lp
      ON lp.as_of = same_day_last_year(k.as_of) AND lp.district_code = k.district_code
     AND lp.indicator = k.indicator
),
measured AS (
    SELECT j.*,
           CASE WHEN source <> 'ledger' THEN actual_reported
                WHEN ledger_current THEN actual_ledger
                ELSE coalesce(actual_reported, actual_ledger) END AS actual,
           CASE WHEN source = 'ledger' AND actual_ledger IS NOT NULL
                     AND (ledger_current OR actual_reported IS NULL) THEN '台账'
                WHEN actual_reported IS NOT NULL THEN '报送' END AS actual_source,
           CASE WHEN source = 'ledger' THEN coalesce(prior_ledger, prior_reported, prior_written)
                ELSE coalesce(prior_reported, prior_written) END AS prior_actual,
           coalesce(abs(actual_ledger - actual_reported) > 0.005 AND ledger_current, FALSE) AS disagreement,
           j.district_code = (SELECT code FROM city) AS is_city,
           month(as_of) / 12 AS time_progress
    FROM joined j
),
named AS (
    SELECT m.*,
           CASE WHEN m.is_city THEN '全市' ELSE coalesce(rd.name, n.district) END AS district,
           CASE WHEN m.is_city THEN -1 ELSE coalesce(rd.sort_order, 999) END AS district_order,
           FALSE AS is_total, NULL::BOOLEAN AS from_city_row
    FROM measured m
    LEFT JOIN ref_districts rd ON rd.code = m.district_code
    LEFT JOIN written_names n ON n.district_code = m.district_code
),
city_rows AS (
    SELECT * FROM named WHERE is_city AND target IS NOT NULL AND actual IS NOT NULL
),
summed AS (   -- the districts that have both a target and an actual, where the report has no 全市 row
    SELECT as_of, year, indicator, any_value(unit) AS unit, any_value(source) AS source,
           min(indicator_order) AS indicator_order, sum(target) AS target, sum(actual) AS actual
    FROM named n
    WHERE NOT is_city AND target IS NOT NULL AND actual IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM city_rows c
                      WHERE c.as_of = n.as_of AND c.indicator = n.indicator AND c.year = n.year)
    GROUP BY as_of, year, indicator
),
totals AS (
    SELECT * REPLACE (TRUE AS is_total, TRUE AS from_city_row, -2 AS district_order)
    FROM city_rows
    UNION ALL BY NAME
    SELECT s.*, (SELECT code FROM city) AS district_code, '全市' AS district, TRUE AS is_city,
           TRUE AS is_total, FALSE AS from_city_row, -2 AS district_order, month(s.as_of) / 12 AS time_progress,
           FALSE AS disagreement
    FROM summed s
),
final AS (
    SELECT *, CASE WHEN target > 0 THEN actual / target END AS completion
    FROM (SELECT * FROM named UNION ALL BY NAME SELECT * FROM totals)
)
SELECT district_code, district, is_city, is_total, from_city_row, indicator, unit, source, year, as_of,
       target, actual, actual_source, actual_reported, actual_ledger, ledger_as_of, disagreement,
       completion, time_progress, (completion - time_progress) * 100 AS gap_points,
       CASE WHEN completion IS NOT NULL AND NOT is_city THEN
           rank() OVER (PARTITION BY indicator, year, as_of, completion IS NOT NULL AND NOT is_city
                        ORDER BY completion DESC) END AS rank,
       count(*) FILTER (WHERE completion IS NOT NULL AND NOT is_city)
           OVER (PARTITION BY indicator, year, as_of) AS ranked_districts,
       prior_actual,
       CASE WHEN prior_actual > 0 THEN actual / prior_actual - 1
            ELSE CAST(reported_yoy AS DOUBLE) END AS yoy,
       target_file, district_order, indicator_order
FROM final;

-- indicator_progress_live kept as a table, as indicator_ledger is: 总览, 大屏展示, 目标进度 and 考评排名
-- read it at every page view, and computing it took 350–450 ms at 100万 projects (a few thousand rows
-- come out). Refreshed by every load after indicator_ledger (derived.refresh_city). Pages read the
-- view indicator_progress. Ranks and the 全市 totals are over every district, so on a district
-- account's connection indicator_progress is indicator_progress_live over its own rows instead
-- (warehouse/scope.py).
CREATE OR REPLACE TABLE indicator_progress_kept AS SELECT * FROM indicator_progress_live;
CREATE OR REPLACE VIEW indicator_progress AS SELECT * FROM indicator_progress_kept;
