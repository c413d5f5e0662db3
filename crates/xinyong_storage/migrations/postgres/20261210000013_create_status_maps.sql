-- Status maps committed (issue 12, "clean statements"): one row per
-- `status_map_committed` entry, by the log size its statuses were read at.
-- A credit report proves its subject's status (or its absence) against one
-- of these roots.
CREATE TABLE status_maps (
    log_size      BIGINT  NOT NULL PRIMARY KEY,
    root          TEXT    NOT NULL,
    as_of         TEXT    NOT NULL,
    subjects      BIGINT  NOT NULL,
    committed_ms  BIGINT  NOT NULL,
    seq           BIGINT  NOT NULL
);
