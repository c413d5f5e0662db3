-- Lists, measures and the credit check (issue 5): projections of the
-- listing_*, measure_*, ban_*, interview_recorded, checks_recorded,
-- cases_reported and webhook events. Column order = the TableSpecs in
-- xinyong_domain::listing.

CREATE TABLE listings (
    listing_id          TEXT   NOT NULL,
    list_code           TEXT   NOT NULL,
    list_kind           TEXT   NOT NULL,
    subject_kind        TEXT   NOT NULL,
    subject_key         TEXT   NOT NULL,
    subject_name        TEXT   NOT NULL,
    department          TEXT   NOT NULL,
    status              TEXT   NOT NULL,
    reason              TEXT,
    facts               TEXT,
    legal_basis         TEXT,
    source_records      TEXT,
    lists_version       TEXT,
    proposed_on         TEXT   NOT NULL,
    notice_served_on    TEXT,
    objection_deadline  TEXT,
    decision_no         TEXT,
    decided_on          TEXT,
    valid_from          TEXT,
    valid_until         TEXT,
    measures            TEXT,
    exit_reason         TEXT,
    exited_on           TEXT,
    exit_decision_no    TEXT,
    exit_note           TEXT,
    seq                 BIGINT NOT NULL,
    PRIMARY KEY (listing_id)
) WITHOUT ROWID;
CREATE INDEX listings_subject_key ON listings (subject_key);
CREATE INDEX listings_status ON listings (status);
CREATE INDEX listings_department ON listings (department);

CREATE TABLE listing_objections (
    objection_id  TEXT   NOT NULL,
    listing_id    TEXT   NOT NULL,
    filed_on      TEXT   NOT NULL,
    grounds       TEXT,
    answer_due    TEXT   NOT NULL,
    answered_on   TEXT,
    outcome       TEXT,
    reply         TEXT,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (objection_id)
) WITHOUT ROWID;
CREATE INDEX listing_objections_listing_id ON listing_objections (listing_id);

CREATE TABLE measure_pushes (
    listing_id   TEXT   NOT NULL,
    measure      TEXT   NOT NULL,
    department   TEXT   NOT NULL,
    pushed_seq   BIGINT NOT NULL,
    pushed_ms    BIGINT NOT NULL,
    acked_ms     BIGINT,
    ack_note     TEXT,
    executed_ms  BIGINT,
    outcome      TEXT,
    receipt_id   TEXT,
    case_ref     TEXT,
    lifted_ms    BIGINT,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (listing_id, measure, department)
) WITHOUT ROWID;
CREATE INDEX measure_pushes_department ON measure_pushes (department);

CREATE TABLE feed_items (
    department    TEXT   NOT NULL,
    cursor        BIGINT NOT NULL,
    item_kind     TEXT   NOT NULL,
    listing_id    TEXT   NOT NULL,
    list_code     TEXT   NOT NULL,
    subject_kind  TEXT   NOT NULL,
    subject_key   TEXT   NOT NULL,
    subject_name  TEXT   NOT NULL,
    measures      TEXT   NOT NULL,
    valid_until   TEXT,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (department, cursor)
) WITHOUT ROWID;

CREATE TABLE personal_records (
    id_number          TEXT   NOT NULL,
    listing_id         TEXT   NOT NULL,
    role               TEXT   NOT NULL,
    person_name        TEXT,
    uscc               TEXT   NOT NULL,
    organisation_name  TEXT,
    list_code          TEXT   NOT NULL,
    valid_until        TEXT,
    active             BIGINT NOT NULL,
    seq                BIGINT NOT NULL,
    PRIMARY KEY (id_number, listing_id)
) WITHOUT ROWID;
CREATE INDEX personal_records_listing_id ON personal_records (listing_id);
CREATE INDEX personal_records_uscc ON personal_records (uscc);

CREATE TABLE bans (
    ban_id        TEXT   NOT NULL,
    subject_kind  TEXT   NOT NULL,
    subject_key   TEXT   NOT NULL,
    subject_name  TEXT   NOT NULL,
    scope         TEXT   NOT NULL,
    field         TEXT,
    description   TEXT,
    basis         TEXT,
    department    TEXT   NOT NULL,
    decision_no   TEXT,
    starts_on     TEXT   NOT NULL,
    ends_on       TEXT,
    listing_id    TEXT,
    lifted_on     TEXT,
    lift_reason   TEXT,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (ban_id)
) WITHOUT ROWID;
CREATE INDEX bans_subject_key ON bans (subject_key);

CREATE TABLE interviews (
    interview_id  TEXT   NOT NULL,
    subject_kind  TEXT   NOT NULL,
    subject_key   TEXT   NOT NULL,
    subject_name  TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    department    TEXT   NOT NULL,
    held_on       TEXT   NOT NULL,
    interviewees  TEXT,
    interviewers  TEXT,
    outcome       TEXT,
    rectify_by    TEXT,
    listing_id    TEXT,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (interview_id)
) WITHOUT ROWID;
CREATE INDEX interviews_subject_key ON interviews (subject_key);

CREATE TABLE check_receipts (
    receipt_id  TEXT   NOT NULL,
    department  TEXT   NOT NULL,
    case_ref    TEXT,
    scenario    TEXT   NOT NULL,
    subject     TEXT,
    decision    TEXT   NOT NULL,
    time_ms     BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (receipt_id)
) WITHOUT ROWID;
CREATE INDEX check_receipts_department_case_ref ON check_receipts (department, case_ref);

CREATE TABLE reported_cases (
    department  TEXT   NOT NULL,
    case_ref    TEXT   NOT NULL,
    scenario    TEXT   NOT NULL,
    subject     TEXT,
    handled_on  TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (department, case_ref)
) WITHOUT ROWID;

CREATE TABLE webhooks (
    department        TEXT   NOT NULL,
    url               TEXT   NOT NULL,
    secret            TEXT   NOT NULL,
    active            BIGINT NOT NULL,
    delivered_cursor  BIGINT NOT NULL,
    seq               BIGINT NOT NULL,
    PRIMARY KEY (department)
) WITHOUT ROWID;
