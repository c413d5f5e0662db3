-- Changes of the checkpoint signing key (`log_key_rotated` events): from the
-- entry at `from_index` on, checkpoints are signed by `verifier_key`. Small
-- (one row per rotation); read whole when signing and at start.
CREATE TABLE log_keys (
    from_index    BIGINT PRIMARY KEY,
    key_id        TEXT   NOT NULL,
    verifier_key  TEXT   NOT NULL,
    previous_key  TEXT   NOT NULL,
    seq           BIGINT NOT NULL
);
