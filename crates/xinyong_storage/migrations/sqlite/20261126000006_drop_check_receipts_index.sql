-- Receipts of credit checks arrive tens of thousands a second under load,
-- keyed by a SHA-256: every insert lands on a random B-tree page. Two
-- changes halve the pages a receipt batch dirties (the bottleneck of
-- POST /api/v1/checks in `xinyong bench check`):
--
-- 1. Nothing reads check_receipts by (department, case_ref): the closed-loop
--    metrics read the table whole and everything else reads it by receipt
--    id. The index goes. When coverage moves into SQL aggregation (see
--    loop_metrics.rs), an index that query needs comes back with it.
-- 2. The table becomes a rowid table: rows are appended in insert order and
--    only the primary-key index (id → rowid, about half a row's bytes) takes
--    the random inserts. Same columns, same key, same ON CONFLICT target.
DROP INDEX check_receipts_department_case_ref;

CREATE TABLE check_receipts_rowid (
    receipt_id  TEXT   NOT NULL,
    department  TEXT   NOT NULL,
    case_ref    TEXT,
    scenario    TEXT   NOT NULL,
    subject     TEXT,
    decision    TEXT   NOT NULL,
    time_ms     BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (receipt_id)
);
INSERT INTO check_receipts_rowid SELECT receipt_id, department, case_ref, scenario, subject, decision, time_ms, seq
    FROM check_receipts ORDER BY seq;
DROP TABLE check_receipts;
ALTER TABLE check_receipts_rowid RENAME TO check_receipts;
