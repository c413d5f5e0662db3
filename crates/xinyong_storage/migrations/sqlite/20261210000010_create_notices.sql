-- Notices and policy documents (通知公告, 政策法规, issue 15 item 5): what
-- the credit office publishes on the portal, withdrawn ones kept for the
-- console, and their attachments (PDF, DOCX, XLSX; bytes base64 with
-- their SHA-256, as the event carries them).
CREATE TABLE notices (
    notice_id        TEXT    NOT NULL PRIMARY KEY,
    kind             TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    published_on     TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    issuer           TEXT    NOT NULL,
    doc_number       TEXT    NOT NULL,
    attachments      BIGINT  NOT NULL,
    status           TEXT    NOT NULL,
    published_by     TEXT    NOT NULL,
    withdrawn_on     TEXT,
    withdrawn_by     TEXT,
    withdraw_reason  TEXT,
    seq              BIGINT  NOT NULL
);
-- The portal's columns: published notices of a kind, the newest first.
CREATE INDEX notices_kind ON notices (status, kind, published_on, notice_id);

CREATE TABLE notice_attachments (
    notice_id       TEXT   NOT NULL,
    file_no         BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    media_type      TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT   NOT NULL,
    content_base64  TEXT   NOT NULL,
    seq             BIGINT NOT NULL,
    PRIMARY KEY (notice_id, file_no)
);
