-- The event log: one row per log entry. `seq` is the Merkle leaf index.
CREATE TABLE events (
    seq        BIGINT PRIMARY KEY,
    time_ms    BIGINT NOT NULL,
    actor      TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    subject    TEXT,
    rules      TEXT   NOT NULL,
    body       TEXT,
    salt       BYTEA,
    entry      BYTEA  NOT NULL,
    leaf_hash  BYTEA  NOT NULL
);
CREATE INDEX events_subject ON events (subject, seq);

-- Hashes of complete Merkle subtrees at level >= 1; level 0 is events.leaf_hash.
CREATE TABLE tree_nodes (
    level  BIGINT NOT NULL,
    idx    BIGINT NOT NULL,
    hash   BYTEA  NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
    size          BIGINT PRIMARY KEY,
    root          BYTEA  NOT NULL,
    note          TEXT   NOT NULL,
    signed_at_ms  BIGINT NOT NULL
);
