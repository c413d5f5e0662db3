-- The audit trail of personal-data reads (`personal_data_read` events),
-- newest first for the credit office's console; filtered by reader.
CREATE TABLE access_audit (
    entry              BIGINT PRIMARY KEY,
    read_at_ms         BIGINT NOT NULL,
    reader             TEXT   NOT NULL,
    reader_roles       TEXT   NOT NULL,
    reader_department  TEXT,
    reason             TEXT   NOT NULL,
    what               TEXT   NOT NULL,
    subject            TEXT   NOT NULL,
    seq                BIGINT NOT NULL
);
CREATE INDEX access_audit_by_reader ON access_audit (reader, entry);
