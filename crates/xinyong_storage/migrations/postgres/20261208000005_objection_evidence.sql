-- Evidence files of objections (PDF, JPEG, PNG; bounded in number and size
-- by [redress]); never public.
CREATE TABLE objection_evidence (
    objection_id    TEXT   NOT NULL,
    file_no         BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    media_type      TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT   NOT NULL,
    content_base64  TEXT   NOT NULL,
    seq             BIGINT NOT NULL,
    PRIMARY KEY (objection_id, file_no)
);
