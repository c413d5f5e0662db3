-- Market subjects' own side (issue 10): activation codes and accounts of
-- companies, objections to records, credit repair applications.
CREATE TABLE activation_codes (
    code_id      TEXT   PRIMARY KEY,
    uscc         TEXT   NOT NULL,
    code_sha256  TEXT   NOT NULL,
    expires_on   TEXT   NOT NULL,
    issued_by    TEXT   NOT NULL,
    issued_on    TEXT   NOT NULL,
    used_seq     BIGINT,
    seq          BIGINT NOT NULL
);
CREATE INDEX activation_codes_uscc ON activation_codes (uscc);

CREATE TABLE subject_accounts (
    uscc           TEXT   NOT NULL,
    username       TEXT   NOT NULL,
    display_name   TEXT   NOT NULL,
    role           TEXT   NOT NULL,
    password_hash  TEXT   NOT NULL,
    active         BIGINT NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (uscc, username)
);

CREATE TABLE record_objections (
    objection_id      TEXT   PRIMARY KEY,
    record_id         TEXT   NOT NULL,
    record_entry      BIGINT NOT NULL,
    uscc              TEXT   NOT NULL,
    department        TEXT   NOT NULL,
    item              TEXT   NOT NULL,
    document_number   TEXT   NOT NULL,
    subject_name      TEXT   NOT NULL,
    grounds           TEXT   NOT NULL,
    channel           TEXT   NOT NULL,
    filed_by          TEXT   NOT NULL,
    filed_on          TEXT   NOT NULL,
    answer_due        TEXT   NOT NULL,
    extension_reason  TEXT,
    status            TEXT   NOT NULL,
    result            TEXT,
    reply             TEXT,
    answered_on       TEXT,
    answered_by       TEXT,
    seq               BIGINT NOT NULL
);
CREATE INDEX record_objections_uscc ON record_objections (uscc, status);
CREATE INDEX record_objections_department ON record_objections (department, status, answer_due);
CREATE INDEX record_objections_record ON record_objections (record_id, status);

CREATE TABLE repair_applications (
    application_id      TEXT   PRIMARY KEY,
    record_id           TEXT   NOT NULL,
    record_entry        BIGINT NOT NULL,
    uscc                TEXT   NOT NULL,
    department          TEXT   NOT NULL,
    item                TEXT   NOT NULL,
    document_number     TEXT   NOT NULL,
    subject_name        TEXT   NOT NULL,
    regime              TEXT   NOT NULL,
    severity            TEXT,
    commitment_version  TEXT   NOT NULL,
    commitment_sha256   TEXT   NOT NULL,
    signed_by           TEXT   NOT NULL,
    materials           TEXT   NOT NULL,
    applied_on          TEXT   NOT NULL,
    review_due          TEXT   NOT NULL,
    status              TEXT   NOT NULL,
    reason              TEXT,
    decided_on          TEXT,
    decided_by          TEXT,
    confirmation_note   TEXT,
    confirmed_on        TEXT,
    confirmed_by        TEXT,
    seq                 BIGINT NOT NULL
);
CREATE INDEX repair_applications_uscc ON repair_applications (uscc, applied_on);
CREATE INDEX repair_applications_department ON repair_applications (department, status, review_due);
CREATE INDEX repair_applications_record ON repair_applications (record_id, status);

-- "Who checked my credit" on /my: a subject's check receipts, newest first.
CREATE INDEX check_receipts_subject ON check_receipts (subject, time_ms) WHERE subject IS NOT NULL;
