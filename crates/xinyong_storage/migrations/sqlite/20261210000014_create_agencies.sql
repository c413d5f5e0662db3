-- Credit service agencies (信用服务机构, issue 12 item 6): the credit
-- office's filings with status, staff and supervision records; the
-- agencies' accounts; companies' consents and every query made under one.
CREATE TABLE agencies (
    uscc                  TEXT    NOT NULL PRIMARY KEY,
    name                  TEXT    NOT NULL,
    filing_no             TEXT    NOT NULL,
    legal_representative  TEXT    NOT NULL,
    address               TEXT    NOT NULL,
    business_scope        TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    status_reason         TEXT    NOT NULL,
    status_changed_on     TEXT,
    filed_on              TEXT    NOT NULL,
    filed_by              TEXT    NOT NULL,
    seq                   BIGINT  NOT NULL
);
-- The public list: newest filings first.
CREATE INDEX agencies_filed ON agencies (filed_on, uscc);

CREATE TABLE agency_staff (
    agency      TEXT    NOT NULL,
    staff_id    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    position    TEXT    NOT NULL,
    active      BIGINT  NOT NULL,
    changed_on  TEXT    NOT NULL,
    seq         BIGINT  NOT NULL,
    PRIMARY KEY (agency, staff_id)
);

CREATE TABLE agency_supervision (
    agency          TEXT    NOT NULL,
    supervision_id  TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    done_on         TEXT    NOT NULL,
    summary         TEXT    NOT NULL,
    outcome         TEXT    NOT NULL,
    recorded_by     TEXT    NOT NULL,
    seq             BIGINT  NOT NULL,
    PRIMARY KEY (agency, supervision_id)
);

CREATE TABLE agency_accounts (
    agency         TEXT    NOT NULL,
    username       TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    active         BIGINT  NOT NULL,
    seq            BIGINT  NOT NULL,
    PRIMARY KEY (agency, username)
);

CREATE TABLE agency_consents (
    consent_id  TEXT    NOT NULL PRIMARY KEY,
    uscc        TEXT    NOT NULL,
    agency      TEXT    NOT NULL,
    scope       TEXT    NOT NULL,
    granted_on  TEXT    NOT NULL,
    expires_on  TEXT    NOT NULL,
    granted_by  TEXT    NOT NULL,
    revoked_on  TEXT,
    revoked_by  TEXT,
    seq         BIGINT  NOT NULL
);
-- A company's consents and an agency's, the newest first.
CREATE INDEX agency_consents_subject ON agency_consents (uscc, seq);
CREATE INDEX agency_consents_agency ON agency_consents (agency, seq);

CREATE TABLE agency_queries (
    entry       BIGINT  NOT NULL PRIMARY KEY,
    uscc        TEXT    NOT NULL,
    agency      TEXT    NOT NULL,
    username    TEXT    NOT NULL,
    consent_id  TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    report_id   TEXT    NOT NULL,
    queried_ms  BIGINT  NOT NULL,
    seq         BIGINT  NOT NULL
);
-- "谁查询了我的信用": a company's queries, the newest first.
CREATE INDEX agency_queries_subject ON agency_queries (uscc, entry);
