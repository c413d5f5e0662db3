-- Departments, console users, API tokens and rule-set versions: projections
-- of department_registered, user_*, api_token_* and rules_published events.
CREATE TABLE departments (
    code      TEXT   PRIMARY KEY,
    name      TEXT   NOT NULL,
    uscc      TEXT,
    district  TEXT   NOT NULL,
    sector    TEXT,
    seq       BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX departments_uscc ON departments (uscc);

CREATE TABLE users (
    login          TEXT   PRIMARY KEY,
    display_name   TEXT   NOT NULL,
    department     TEXT,
    roles          TEXT   NOT NULL,
    password_hash  TEXT   NOT NULL,
    active         BIGINT NOT NULL,
    seq            BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    token_id       TEXT   PRIMARY KEY,
    department     TEXT   NOT NULL,
    label          TEXT   NOT NULL,
    secret_sha256  TEXT   NOT NULL,
    revoked        BIGINT NOT NULL,
    seq            BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE rule_sets (
    kind     TEXT   NOT NULL,
    version  TEXT   NOT NULL,
    sha256   TEXT   NOT NULL,
    text     TEXT   NOT NULL,
    seq      BIGINT NOT NULL,
    PRIMARY KEY (kind, version)
) WITHOUT ROWID;

-- Console sessions are operational state, not credit information: they are
-- not events and not checked by verify. Only the SHA-256 of the cookie value
-- is stored.
CREATE TABLE sessions (
    id_sha256      TEXT   PRIMARY KEY,
    login          TEXT   NOT NULL,
    csrf_token     TEXT   NOT NULL,
    created_ms     BIGINT NOT NULL,
    expires_ms     BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions (expires_ms);
