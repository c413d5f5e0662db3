-- Rectification campaigns (专项治理, issue 13 item 5, seed 九): time-limited
-- rectification of the organisations on a list, each with a deadline,
-- progress, evidence and an outcome; overdue subjects are interviewed by
-- the department that listed them (谁认定、谁约谈).
CREATE TABLE campaigns (
    campaign_id  TEXT   NOT NULL PRIMARY KEY,
    name         TEXT   NOT NULL,
    basis        TEXT   NOT NULL,
    department   TEXT   NOT NULL,
    list_code    TEXT   NOT NULL,
    district     TEXT,
    starts_on    TEXT   NOT NULL,
    ends_on      TEXT   NOT NULL,
    opened_on    TEXT   NOT NULL,
    opened_by    TEXT   NOT NULL,
    subjects     BIGINT NOT NULL,
    seq          BIGINT NOT NULL
);

CREATE TABLE campaign_subjects (
    campaign_id       TEXT   NOT NULL,
    uscc              TEXT   NOT NULL,
    name              TEXT   NOT NULL,
    listing_id        TEXT   NOT NULL,
    department        TEXT   NOT NULL,
    deadline          TEXT   NOT NULL,
    status            TEXT   NOT NULL,
    progress_entries  BIGINT NOT NULL,
    last_progress_on  TEXT,
    outcome           TEXT,
    outcome_note      TEXT,
    decided_on        TEXT,
    overdue_on        TEXT,
    interview_id      TEXT,
    seq               BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, uscc)
);
-- The campaigns job looks for open subjects past their deadline.
CREATE INDEX campaign_subjects_deadline ON campaign_subjects (status, deadline);
CREATE INDEX campaign_subjects_department ON campaign_subjects (department, status);

CREATE TABLE campaign_progress (
    campaign_id    TEXT   NOT NULL,
    uscc           TEXT   NOT NULL,
    entry_no       BIGINT NOT NULL,
    reported_on    TEXT   NOT NULL,
    note           TEXT   NOT NULL,
    reported_by    TEXT   NOT NULL,
    evidence_name  TEXT,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, uscc, entry_no)
);

CREATE TABLE campaign_evidence (
    campaign_id     TEXT   NOT NULL,
    uscc            TEXT   NOT NULL,
    entry_no        BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    media_type      TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT   NOT NULL,
    content_base64  TEXT   NOT NULL,
    seq             BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, uscc, entry_no)
);
