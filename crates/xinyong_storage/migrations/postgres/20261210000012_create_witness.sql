-- Witnessing between cities (issue 12, C2SP tlog-witness): the latest
-- checkpoint this platform cosigned per peer log, and the cosignatures
-- witnesses gave this log's checkpoints.
CREATE TABLE witnessed_logs (
    origin  TEXT   NOT NULL PRIMARY KEY,
    size    BIGINT NOT NULL,
    root    TEXT   NOT NULL,
    seq     BIGINT NOT NULL
);

CREATE TABLE checkpoint_cosignatures (
    size         BIGINT NOT NULL,
    witness      TEXT   NOT NULL,
    cosignature  TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (size, witness)
);
