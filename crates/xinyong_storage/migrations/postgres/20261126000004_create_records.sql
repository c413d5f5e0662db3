-- Records received from departments (归集) and the batches they came in:
-- projections of record_accepted, record_corrected and batch_received events.
CREATE TABLE records (
    id                     TEXT   PRIMARY KEY,
    department             TEXT   NOT NULL,
    item                   TEXT   NOT NULL,
    document_number        TEXT   NOT NULL,
    subject_kind           TEXT   NOT NULL,
    subject_key            TEXT   NOT NULL,
    subject_name           TEXT   NOT NULL,
    decision_date          TEXT   NOT NULL,
    received_date          TEXT   NOT NULL,
    working_days           BIGINT,
    deadline_working_days  BIGINT NOT NULL,
    catalog_version        TEXT   NOT NULL,
    batch_id               TEXT   NOT NULL,
    public                 BIGINT NOT NULL,
    non_public_reason      TEXT,
    severity               TEXT,
    regime                 TEXT   NOT NULL,
    window_start           TEXT,
    earliest_end           TEXT,
    latest_end             TEXT,
    repairable             BIGINT NOT NULL,
    fields                 TEXT   NOT NULL,
    seq                    BIGINT NOT NULL
);
-- The idempotency key: the same record twice is the same row.
CREATE UNIQUE INDEX records_natural_key ON records (department, item, document_number, subject_key);
CREATE INDEX records_subject ON records (subject_key, decision_date);
CREATE INDEX records_public_item ON records (public, item, decision_date);
CREATE INDEX records_department ON records (department, item, received_date);
CREATE INDEX records_batch ON records (batch_id);

CREATE TABLE batches (
    id               TEXT   PRIMARY KEY,
    department       TEXT   NOT NULL,
    item             TEXT   NOT NULL,
    catalog_version  TEXT   NOT NULL,
    source           TEXT   NOT NULL,
    file_name        TEXT,
    idempotency_key  TEXT,
    received_date    TEXT   NOT NULL,
    rows_total       BIGINT NOT NULL,
    accepted         BIGINT NOT NULL,
    corrected        BIGINT NOT NULL,
    duplicates       BIGINT NOT NULL,
    rejected         BIGINT NOT NULL,
    warnings         BIGINT NOT NULL,
    headers          TEXT   NOT NULL,
    seq              BIGINT NOT NULL
);
CREATE INDEX batches_department ON batches (department, seq);
CREATE INDEX batches_idempotency ON batches (department, idempotency_key);

-- Rows of a batch that were rejected or accepted with warnings: the result
-- page and the downloadable error report are built from them.
CREATE TABLE batch_rows (
    batch_id    TEXT   NOT NULL,
    row_number  BIGINT NOT NULL,
    status      TEXT   NOT NULL,
    cells       TEXT   NOT NULL,
    issues      TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (batch_id, row_number)
);
