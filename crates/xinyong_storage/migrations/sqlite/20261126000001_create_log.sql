-- The event log: one row per log entry. `seq` is the Merkle leaf index.
-- INTEGER PRIMARY KEY makes `seq` the rowid: appends stay at the end of the b-tree.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    time_ms    BIGINT  NOT NULL,
    actor      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    subject    TEXT,
    rules      TEXT    NOT NULL,
    body       TEXT,
    salt       BLOB,
    entry      BLOB    NOT NULL,
    leaf_hash  BLOB    NOT NULL
);
CREATE INDEX events_subject ON events (subject, seq);

-- Hashes of complete Merkle subtrees at level >= 1; level 0 is events.leaf_hash.
CREATE TABLE tree_nodes (
    level  INTEGER NOT NULL,
    idx    BIGINT  NOT NULL,
    hash   BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    size          BIGINT PRIMARY KEY,
    root          BLOB   NOT NULL,
    note          TEXT   NOT NULL,
    signed_at_ms  BIGINT NOT NULL
);
