-- Voluntary registration (自愿注册, issue 14 item 5, seed 二.(五)): what
-- companies register with a truthfulness commitment, the review (accepted,
-- rejected with reasons, found false → a dishonesty record) and the
-- supporting files.
CREATE TABLE registrations (
    registration_id     TEXT    NOT NULL PRIMARY KEY,
    uscc                TEXT    NOT NULL,
    subject_name        TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    title               TEXT    NOT NULL,
    issuer              TEXT    NOT NULL,
    issued_on           TEXT,
    valid_until         TEXT,
    content             TEXT    NOT NULL,
    department          TEXT    NOT NULL,
    commitment_version  TEXT    NOT NULL,
    commitment_sha256   TEXT    NOT NULL,
    submitted_on        TEXT    NOT NULL,
    submitted_by        TEXT    NOT NULL,
    review_due          TEXT    NOT NULL,
    files               BIGINT  NOT NULL,
    status              TEXT    NOT NULL,
    outcome             TEXT,
    reason              TEXT,
    reviewed_on         TEXT,
    reviewed_by         TEXT,
    record_id           TEXT,
    seq                 BIGINT  NOT NULL
);
-- A company's registrations (its page, the public page's accepted ones);
-- a department's queue by status and deadline.
CREATE INDEX registrations_uscc ON registrations (uscc, status, submitted_on);
CREATE INDEX registrations_department ON registrations (department, status, review_due);

CREATE TABLE registration_files (
    registration_id  TEXT   NOT NULL,
    file_no          BIGINT NOT NULL,
    name             TEXT   NOT NULL,
    media_type       TEXT   NOT NULL,
    size             BIGINT NOT NULL,
    sha256           TEXT   NOT NULL,
    content_base64   TEXT   NOT NULL,
    seq              BIGINT NOT NULL,
    PRIMARY KEY (registration_id, file_no)
);
