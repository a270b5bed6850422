-- 六职招商: what each district's six posts (县区委书记, 县区长, 副书记, 常务副县区长, 分管招商引资副县区长,
-- 开发区主任) did — trips out (外出招商), companies received (接待客商) and the projects each is
-- responsible for (包抓) — from the districts' monthly 六职 workbooks (etl/normalise/six.py).
-- A workbook may list the month's trips or every trip of the year so far: a trip is one trip
-- however many workbooks list it (the newest load's row wins), see six_trip_current.
CREATE TABLE IF NOT EXISTS six_trips (
    load_id           BIGINT NOT NULL,
    as_of             DATE NOT NULL,         -- the workbook's date
    source_file       VARCHAR NOT NULL,
    source_sheet      VARCHAR,
    source_row        INTEGER,
    district_code     VARCHAR NOT NULL,
    district          VARCHAR NOT NULL,
    leader            VARCHAR NOT NULL,      -- the leader's name as written (spaces removed)
    post              VARCHAR NOT NULL,      -- one of the six posts (report/vocab.py SIX_POSTS)
    post_written      VARCHAR,               -- the post as the workbook wrote it
    start_date        DATE NOT NULL,
    end_date          DATE,
    days              INTEGER NOT NULL,      -- written, else end − start + 1
    destination       VARCHAR,               -- city / province as written
    companies_visited INTEGER NOT NULL,      -- 拜访企业数: written, else the companies named
    companies         VARCHAR,               -- the companies named
    met               VARCHAR,               -- whom they met (对接人)
    leads             INTEGER NOT NULL,      -- 洽谈线索/对接项目 found on the trip
    lead_notes        VARCHAR,
    remark            VARCHAR
);

CREATE TABLE IF NOT EXISTS six_receptions (
    load_id       BIGINT NOT NULL,
    as_of         DATE NOT NULL,
    source_file   VARCHAR NOT NULL,
    source_sheet  VARCHAR,
    source_row    INTEGER,
    district_code VARCHAR NOT NULL,
    district      VARCHAR NOT NULL,
    leader        VARCHAR NOT NULL,
    post          VARCHAR NOT NULL,
    post_written  VARCHAR,
    visit_date    DATE NOT NULL,
    guest         VARCHAR NOT NULL,          -- the company received
    guest_origin  VARCHAR,
    topic         VARCHAR
);

-- 包抓/包保: a leader's projects. project_code / project_name link to the project ledger
-- (six_projects); planned marks the projects reported at the start of the year (拟招引项目).
CREATE TABLE IF NOT EXISTS six_assignments (
    load_id       BIGINT NOT NULL,
    as_of         DATE NOT NULL,
    source_file   VARCHAR NOT NULL,
    source_sheet  VARCHAR,
    source_row    INTEGER,
    district_code VARCHAR NOT NULL,
    district      VARCHAR NOT NULL,
    leader        VARCHAR NOT NULL,
    post          VARCHAR NOT NULL,
    post_written  VARCHAR,
    project_code  VARCHAR,
    project_name  VARCHAR NOT NULL,
    planned       BOOLEAN NOT NULL,
    year          INTEGER NOT NULL           -- the year the assignment was reported for
);

-- One row per trip: a trip is its district, leader, first day and destination; the newest
-- workbook that lists it says what it was (a corrected count of companies, say).
CREATE OR REPLACE VIEW six_trip_current AS
SELECT * FROM six_trips
QUALIFY row_number() OVER (PARTITION BY district_code, leader, start_date, coalesce(destination, '')
                           ORDER BY as_of DESC, load_id DESC, source_row DESC) = 1;

CREATE OR REPLACE VIEW six_reception_current AS
SELECT * FROM six_receptions
QUALIFY row_number() OVER (PARTITION BY district_code, leader, visit_date, guest
                           ORDER BY as_of DESC, load_id DESC, source_row DESC) = 1;

-- One row per leader, project and year: the newest workbook's line for it.
CREATE OR REPLACE VIEW six_assignment_current AS
SELECT * FROM six_assignments
QUALIFY row_number() OVER (PARTITION BY year, district_code, leader, coalesce(project_code, project_name)
                           ORDER BY as_of DESC, load_id DESC, source_row DESC) = 1;

-- 六职 activity per district and month (by the trip's first day / the reception's date), for the
-- page's trend and for 考评 inputs (warehouse/scoring.py).
CREATE OR REPLACE VIEW six_district_month AS
WITH t AS (
    SELECT district_code, CAST(year(start_date) AS INTEGER) AS year, CAST(month(start_date) AS INTEGER) AS month,
           count(*) AS trips, sum(days) AS days, sum(companies_visited) AS companies_visited, sum(leads) AS leads
    FROM six_trip_current GROUP BY ALL
),
r AS (
    SELECT district_code, CAST(year(visit_date) AS INTEGER) AS year, CAST(month(visit_date) AS INTEGER) AS month,
           count(*) AS receptions
    FROM six_reception_current GROUP BY ALL
)
SELECT district_code, year, month, coalesce(t.trips, 0) AS trips, coalesce(t.days, 0) AS days,
       coalesce(t.companies_visited, 0) AS companies_visited, coalesce(t.leads, 0) AS leads,
       coalesce(r.receptions, 0) AS receptions
FROM t FULL JOIN r USING (district_code, year, month);
