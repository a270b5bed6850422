-- Small facts about the warehouse itself: the schema and reference-data versions applied.
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

-- Reference data: refreshed from data/reference/*.csv on every write (see warehouse/reference.py).
CREATE TABLE IF NOT EXISTS ref_districts (
    code        VARCHAR PRIMARY KEY,   -- 行政区划代码; functional zones without one get '<city>-XX'
    name        VARCHAR NOT NULL,      -- 标准名称
    short_name  VARCHAR,
    kind        VARCHAR,               -- 行政区 / 功能区
    parent_code VARCHAR,               -- for zones: the district that holds them on the map
    city_code   VARCHAR,
    lng         DOUBLE,                -- fallback location (GCJ-02)
    lat         DOUBLE,
    sort_order  INTEGER
);
CREATE TABLE IF NOT EXISTS ref_district_aliases (alias VARCHAR, code VARCHAR);
CREATE TABLE IF NOT EXISTS ref_chains (
    chain VARCHAR, cluster VARCHAR, level VARCHAR, is_key BOOLEAN, sort_order INTEGER
);
CREATE TABLE IF NOT EXISTS ref_chain_aliases (alias VARCHAR, chain VARCHAR, cluster VARCHAR);
CREATE TABLE IF NOT EXISTS ref_parks (park VARCHAR, district_code VARCHAR, lng DOUBLE, lat DOUBLE);
CREATE TABLE IF NOT EXISTS ref_stages (stage VARCHAR, ord INTEGER);
