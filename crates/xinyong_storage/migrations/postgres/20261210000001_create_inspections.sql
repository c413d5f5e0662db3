-- 双随机、一公开 (issue 13, seed 七.2, 十六): random-inspection item lists,
-- the inspector directory, tasks from plan to publication, drawn targets.
CREATE TABLE inspection_items (
    department   TEXT   NOT NULL,
    code         TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    legal_basis  TEXT   NOT NULL,
    content      TEXT   NOT NULL,
    sectors      TEXT   NOT NULL,
    districts    TEXT   NOT NULL,
    active       BIGINT NOT NULL,
    saved_on     TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (department, code)
);

CREATE TABLE inspectors (
    inspector_id    TEXT   NOT NULL PRIMARY KEY,
    department      TEXT   NOT NULL,
    name            TEXT   NOT NULL,
    certificate_no  TEXT   NOT NULL,
    fields          TEXT   NOT NULL,
    available       BIGINT NOT NULL,
    note            TEXT   NOT NULL,
    registered_on   TEXT   NOT NULL,
    seq             BIGINT NOT NULL
);
CREATE INDEX inspectors_department ON inspectors (department, inspector_id);

CREATE TABLE inspector_conflicts (
    inspector_id  TEXT   NOT NULL,
    uscc          TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    declared_on   TEXT   NOT NULL,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (inspector_id, uscc)
);

CREATE TABLE inspection_tasks (
    task_id          TEXT   NOT NULL PRIMARY KEY,
    title            TEXT   NOT NULL,
    lead_department  TEXT   NOT NULL,
    departments      TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    plan             TEXT   NOT NULL,
    period_start     TEXT   NOT NULL,
    period_end       TEXT   NOT NULL,
    planned_by       TEXT   NOT NULL,
    planned_on       TEXT   NOT NULL,
    commit_seq       BIGINT,
    committed_at_ms  BIGINT,
    pool_size        BIGINT NOT NULL,
    pool_digest      TEXT,
    beacon           TEXT,
    draw_seq         BIGINT,
    seed             TEXT,
    checkpoint_size  BIGINT,
    drawn_on         TEXT,
    targets          BIGINT NOT NULL,
    published_on     TEXT,
    seq              BIGINT NOT NULL
);

CREATE TABLE inspection_targets (
    task_id                 TEXT   NOT NULL,
    uscc                    TEXT   NOT NULL,
    position                BIGINT NOT NULL,
    stratum                 TEXT   NOT NULL,
    items                   TEXT   NOT NULL,
    inspectors              TEXT   NOT NULL,
    eligible                BIGINT,
    outcome                 TEXT,
    findings                TEXT   NOT NULL,
    rectification_deadline  TEXT,
    result_on               TEXT,
    result_by               TEXT,
    seq                     BIGINT NOT NULL,
    PRIMARY KEY (task_id, uscc)
);
CREATE INDEX inspection_targets_subject ON inspection_targets (uscc, task_id);
