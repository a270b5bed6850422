-- 考评: the inputs no data holds (服务保障, an entered 加减分), typed on the 考评录入 page
-- (warehouse/scoring.py save_input, which writes an audit_log line in the same transaction).
-- Append-only: a correction is a new row; the newest entry for a year, period, district and
-- indicator is the one in force (score_input_current). `indicator` is the rule file's key.
CREATE SEQUENCE IF NOT EXISTS score_input_seq START 1;
CREATE TABLE IF NOT EXISTS score_inputs (
    input_id      BIGINT NOT NULL,
    year          INTEGER NOT NULL,          -- the rule file's year (data/scoring/<year>.toml)
    period        VARCHAR NOT NULL,          -- 2025-12 / 2025-Q4 / 2025 / 第16期
    district_code VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    value         DECIMAL(18, 6) NOT NULL,   -- points (服务保障) or the entered ± (加减分)
    note          VARCHAR,
    entered_by    VARCHAR NOT NULL,          -- the account
    entered_at    TIMESTAMP NOT NULL
);

CREATE OR REPLACE VIEW score_input_current AS
SELECT * FROM score_inputs
QUALIFY row_number() OVER (PARTITION BY year, period, district_code, indicator
                           ORDER BY entered_at DESC, input_id DESC) = 1;
