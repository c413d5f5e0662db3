-- One row per `checks_recorded` batch (issue 16, receipt retention): the
-- range of receipt ids it holds. When the retention rule prunes old rows of
-- check_receipts (`receipts_pruned`), this table still finds the batch in
-- the log that proves a receipt. Filled from the receipts already stored,
-- which are every receipt written so far (nothing was pruned before this).
CREATE TABLE receipt_batches (
    log_index      BIGINT  NOT NULL PRIMARY KEY,
    first_receipt  TEXT    NOT NULL,
    last_receipt   TEXT    NOT NULL,
    receipts       BIGINT  NOT NULL,
    seq            BIGINT  NOT NULL
);
CREATE INDEX receipt_batches_first ON receipt_batches (first_receipt);
INSERT INTO receipt_batches (log_index, first_receipt, last_receipt, receipts, seq)
    SELECT seq, MIN(receipt_id), MAX(receipt_id), COUNT(*), seq FROM check_receipts GROUP BY seq;
