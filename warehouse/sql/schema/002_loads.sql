-- The audit trail and the ledger rows. Every file load is one row in `loads`; its rows are in
-- project_rows (loaded), rejected_rows (with the reason) or skipped_rows (section/subtotal rows).
CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1;

CREATE TABLE IF NOT EXISTS loads (
    load_id        BIGINT PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    file_path      VARCHAR,
    content_hash   VARCHAR NOT NULL,   -- sha256 of the file's bytes
    kind           VARCHAR,            -- 项目台账 / 目标任务 / 指标月报
    status         VARCHAR NOT NULL,   -- loaded / refused / superseded
    message        VARCHAR,            -- Chinese, for people
    as_of          DATE,
    as_of_source   VARCHAR,            -- 命令行 / 台账日期 / 文件名 / 文件修改时间
    loaded_at      TIMESTAMP NOT NULL,
    rows_read      INTEGER NOT NULL DEFAULT 0,
    rows_loaded    INTEGER NOT NULL DEFAULT 0,
    rows_skipped   INTEGER NOT NULL DEFAULT 0,
    rows_rejected  INTEGER NOT NULL DEFAULT 0,
    warnings       VARCHAR[]
);
-- who made the load: the account's login, 命令行 for `python -m etl load` (added after the table
-- existed, so that older warehouses get it too)
ALTER TABLE loads ADD COLUMN IF NOT EXISTS loaded_by VARCHAR;

CREATE TABLE IF NOT EXISTS project_rows (
    load_id                     BIGINT NOT NULL,
    as_of                       DATE NOT NULL,
    source_file                 VARCHAR NOT NULL,
    source_sheet                VARCHAR,
    source_row                  INTEGER,
    project_id                  VARCHAR NOT NULL,
    project_code                VARCHAR,
    project_name                VARCHAR NOT NULL,
    district_code               VARCHAR,      -- NULL when the reference data does not know it
    district                    VARCHAR NOT NULL,
    park                        VARCHAR,
    cluster                     VARCHAR,
    chain                       VARCHAR,
    chain_known                 BOOLEAN,
    investor                    VARCHAR,
    total_investment_wan        DECIMAL(24, 6),
    investment_note             VARCHAR,      -- 脱敏 / 待定 / 约数: why the amount is missing or rough
    foreign_investment_wan_usd  DECIMAL(24, 6),
    stage                       VARCHAR NOT NULL,
    sign_date                   DATE,
    register_date               DATE,
    start_date                  DATE,
    production_date             DATE,
    period                      INTEGER,
    batch                       VARCHAR,
    lng                         DOUBLE,
    lat                         DOUBLE,
    location_approximate        BOOLEAN,
    responsible_unit            VARCHAR,
    leader                      VARCHAR,
    investor_kind               VARCHAR,
    investor_origin             VARCHAR,
    event                       VARCHAR,
    remark                      VARCHAR,
    name_key                    VARCHAR       -- the name as compared for identity (no spaces/quotes, lower case)
);

CREATE TABLE IF NOT EXISTS rejected_rows (
    load_id      BIGINT NOT NULL,
    source_file  VARCHAR NOT NULL,
    source_sheet VARCHAR,
    source_row   INTEGER,
    reason       VARCHAR NOT NULL,
    raw_values   VARCHAR              -- JSON object: header → cell text
);

CREATE TABLE IF NOT EXISTS skipped_rows (
    load_id      BIGINT NOT NULL,
    source_sheet VARCHAR,
    source_row   INTEGER,
    reason       VARCHAR NOT NULL,    -- 分组标题行 / 小计行 / 合计行
    raw_values   VARCHAR
);

CREATE TABLE IF NOT EXISTS load_warnings (
    load_id      BIGINT NOT NULL,
    source_sheet VARCHAR,
    kind         VARCHAR NOT NULL,    -- 合计不符 / 未知产业链 / 未知县区 / 跳过工作表 / ...
    message      VARCHAR NOT NULL
);

-- Latest state per project, maintained by the loader inside each load's transaction
-- (warehouse/load.py refreshes exactly the projects a load touched).
CREATE TABLE IF NOT EXISTS project_current AS
    SELECT *, CAST(NULL AS DATE) AS first_seen FROM project_rows LIMIT 0;
