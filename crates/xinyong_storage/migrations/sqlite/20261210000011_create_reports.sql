-- Credit reports issued (issue 12): one row per report, so that anyone
-- holding one can look it up by its id (the QR code's address), and the
-- company can see the reports issued about it. No personal data.
CREATE TABLE reports (
    report_id        TEXT    NOT NULL PRIMARY KEY,
    subject          TEXT    NOT NULL,
    version          TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    checkpoint_size  BIGINT  NOT NULL,
    records          BIGINT  NOT NULL,
    payload_digest   TEXT    NOT NULL,
    issued_ms        BIGINT  NOT NULL,
    seq              BIGINT  NOT NULL
);
-- A subject's reports, the newest first.
CREATE INDEX reports_subject ON reports (subject, issued_ms);
