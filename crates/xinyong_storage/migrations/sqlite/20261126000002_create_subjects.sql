-- Projections of the log. Every row names the log index (`seq`) of the event
-- that last wrote it; `xinyong verify` replays the log and compares.
CREATE TABLE subjects (
    uscc      TEXT   PRIMARY KEY,
    name      TEXT   NOT NULL,
    status    TEXT   NOT NULL,
    division  TEXT   NOT NULL,
    seq       BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX subjects_division ON subjects (division);

-- Natural persons. Never served on public pages or public APIs.
CREATE TABLE persons (
    id_number TEXT   PRIMARY KEY,
    name      TEXT   NOT NULL,
    seq       BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE relations (
    uscc       TEXT    NOT NULL,
    id_number  TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    active     BIGINT  NOT NULL,
    seq        BIGINT  NOT NULL,
    PRIMARY KEY (uscc, id_number, role)
) WITHOUT ROWID;
CREATE INDEX relations_person ON relations (id_number);
