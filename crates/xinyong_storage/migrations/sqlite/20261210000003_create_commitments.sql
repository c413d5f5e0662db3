-- Notification and commitment (告知承诺, issue 14, seed 一.1–一.2): the
-- commitments applicants make for administrative items, the materials they
-- defer (容缺受理) with deadlines on the working-day calendar, and the
-- department's verification; a breach or a false commitment names the
-- dishonesty record it became.
CREATE TABLE commitments (
    commitment_id      TEXT    NOT NULL PRIMARY KEY,
    item_code          TEXT    NOT NULL,
    item_name          TEXT    NOT NULL,
    department         TEXT    NOT NULL,
    uscc               TEXT    NOT NULL,
    subject_name       TEXT    NOT NULL,
    case_ref           TEXT    NOT NULL,
    letter_version     TEXT    NOT NULL,
    letter_text        TEXT    NOT NULL,
    letter_sha256      TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    made_on            TEXT    NOT NULL,
    made_by            TEXT    NOT NULL,
    verify_by          TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    materials_missing  BIGINT  NOT NULL,
    materials_overdue  BIGINT  NOT NULL,
    outcome            TEXT,
    outcome_note       TEXT,
    verified_on        TEXT,
    verified_by        TEXT,
    record_id          TEXT,
    seq                BIGINT  NOT NULL
);
-- A company's commitments; a department's queue by status and deadline.
CREATE INDEX commitments_uscc ON commitments (uscc, made_on);
CREATE INDEX commitments_department ON commitments (department, status, verify_by);

CREATE TABLE commitment_materials (
    commitment_id  TEXT   NOT NULL,
    material_code  TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    due_on         TEXT   NOT NULL,
    supplied_on    TEXT,
    overdue_on     TEXT,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (commitment_id, material_code)
);
-- The commitments job looks for materials missing past their deadline.
CREATE INDEX commitment_materials_due ON commitment_materials (due_on);
