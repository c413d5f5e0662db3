-- Integrity education (诚信教育, issue 14 item 6, seed 二): the credit
-- office's free courses and who completed them.
CREATE TABLE integrity_courses (
    course_id        TEXT   NOT NULL PRIMARY KEY,
    title            TEXT   NOT NULL,
    provider         TEXT   NOT NULL,
    hours            BIGINT NOT NULL,
    content          TEXT   NOT NULL,
    location         TEXT   NOT NULL,
    repair_training  BIGINT NOT NULL,
    active           BIGINT NOT NULL,
    saved_on         TEXT   NOT NULL,
    seq              BIGINT NOT NULL
);

CREATE TABLE course_completions (
    course_id       TEXT   NOT NULL,
    learner_key     TEXT   NOT NULL,
    learner_kind    TEXT   NOT NULL,
    learner_name    TEXT   NOT NULL,
    certificate_no  TEXT   NOT NULL,
    completed_on    TEXT   NOT NULL,
    recorded_by     TEXT   NOT NULL,
    seq             BIGINT NOT NULL,
    PRIMARY KEY (course_id, learner_key)
);
-- A learner's completions (the credit file, the repair form).
CREATE INDEX course_completions_learner ON course_completions (learner_key, completed_on);
