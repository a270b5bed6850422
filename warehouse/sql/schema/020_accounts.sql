-- People: accounts, what they did (the audit trail) and what districts submitted for review.
--
-- accounts: one row per person who may sign in. role: admin (系统管理员) / city (市级用户) /
-- leader (领导) / district (县区填报员); districts: the district codes a district account sees and
-- writes (one account may hold several: a 开发区 and its parent). password_hash: argon2id
-- (argon2-cffi), never the password; NULL for an account that signs in only by 统一身份认证.
CREATE TABLE IF NOT EXISTS accounts (
    login            VARCHAR PRIMARY KEY,
    name             VARCHAR,
    role             VARCHAR NOT NULL,
    districts        VARCHAR[],
    email            VARCHAR,
    password_hash    VARCHAR,
    disabled         BOOLEAN NOT NULL DEFAULT FALSE,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked_until     TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    last_sign_in     TIMESTAMP
);

-- The audit trail (操作日志), append-only: rows are inserted (warehouse/audit.py) and never
-- updated or deleted. action: a code (sign_in, load, export …; report/vocab.py names them);
-- detail: Chinese, for people; address: the client's IP address.
CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id   BIGINT PRIMARY KEY,
    happened_at TIMESTAMP NOT NULL,
    login      VARCHAR,
    role       VARCHAR,
    action     VARCHAR NOT NULL,
    ok         BOOLEAN NOT NULL DEFAULT TRUE,
    detail     VARCHAR,
    address    VARCHAR,
    districts  VARCHAR[]          -- the district codes the action concerned, when it had any
);

-- 填报与审核: a district's file waiting for the city (pending), loaded (accepted) or sent back
-- (returned) with the city's comment. The file itself is kept under data/submissions/.
CREATE SEQUENCE IF NOT EXISTS submission_id_seq START 1;
CREATE TABLE IF NOT EXISTS submissions (
    submission_id  BIGINT PRIMARY KEY,
    submitted_at   TIMESTAMP NOT NULL,
    login          VARCHAR NOT NULL,
    districts      VARCHAR[] NOT NULL,   -- the submitter's districts when it was submitted
    file_name      VARCHAR NOT NULL,
    stored_path    VARCHAR NOT NULL,
    content_hash   VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,     -- pending / accepted / returned
    summary        VARCHAR,              -- the preview's one line (rows to load, to reject)
    rejected       VARCHAR,              -- JSON: the rows the preview would reject, with reasons
    reviewed_by    VARCHAR,
    reviewed_at    TIMESTAMP,
    comment        VARCHAR,
    load_id        BIGINT
);


-- Signed-in browsers (the HttpOnly cookie of ui/serve's /session routes). kind: claim — a one-time
-- code the page hands its browser right after the password was checked (a minute to use it); or
-- session — what the browser's cookie proves. Only hashes of the codes and tokens are stored.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash   VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    login        VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen    TIMESTAMP NOT NULL,
    address      VARCHAR,
    ended        BOOLEAN NOT NULL DEFAULT FALSE
);
