-- Credit evaluation (issue 17): grades received from elsewhere, each
-- subject's grade under each scorecard model, and every grade given.
CREATE TABLE external_grades (
    uscc         TEXT   NOT NULL,
    scheme       TEXT   NOT NULL,
    period       TEXT   NOT NULL,
    grade        TEXT   NOT NULL,
    import_id    TEXT   NOT NULL,
    received_on  TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (uscc, scheme, period)
);

CREATE TABLE grades (
    uscc           TEXT   NOT NULL,
    model          TEXT   NOT NULL,
    model_version  TEXT   NOT NULL,
    score_centi    BIGINT NOT NULL,
    grade          TEXT   NOT NULL,
    class          TEXT,
    inputs_size    BIGINT NOT NULL,
    evaluated_on   TEXT   NOT NULL,
    reasons        TEXT   NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (uscc, model)
);
-- Distribution by grade (dashboard) and the draw's directory by class.
CREATE INDEX grades_model_grade ON grades (model, grade);

CREATE TABLE grade_history (
    uscc           TEXT   NOT NULL,
    model          TEXT   NOT NULL,
    graded_at      BIGINT NOT NULL,
    model_version  TEXT   NOT NULL,
    score_centi    BIGINT NOT NULL,
    grade          TEXT   NOT NULL,
    class          TEXT,
    inputs_size    BIGINT NOT NULL,
    evaluated_on   TEXT   NOT NULL,
    reasons        TEXT   NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (uscc, model, graded_at)
);
