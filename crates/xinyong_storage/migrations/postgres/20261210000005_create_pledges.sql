-- Public pledges (信用承诺公示, issue 14 item 4): a company's voluntary
-- pledge (主动承诺) and an industry association's self-discipline scheme
-- with a pledge per member (行业自律承诺).
CREATE TABLE pledges (
    pledge_id         TEXT   NOT NULL PRIMARY KEY,
    kind              TEXT   NOT NULL,
    uscc              TEXT   NOT NULL,
    subject_name      TEXT   NOT NULL,
    title             TEXT   NOT NULL,
    text              TEXT   NOT NULL,
    text_sha256       TEXT   NOT NULL,
    scheme_id         TEXT,
    association_uscc  TEXT,
    association_name  TEXT,
    made_on           TEXT   NOT NULL,
    made_by           TEXT   NOT NULL,
    withdrawn_on      TEXT,
    withdraw_reason   TEXT,
    seq               BIGINT NOT NULL
);
-- A company's pledges; the public list, newest first.
CREATE INDEX pledges_uscc ON pledges (uscc, made_on);
CREATE INDEX pledges_made_on ON pledges (made_on, pledge_id);
CREATE INDEX pledges_scheme ON pledges (scheme_id);

CREATE TABLE pledge_schemes (
    scheme_id         TEXT   NOT NULL PRIMARY KEY,
    association_uscc  TEXT   NOT NULL,
    association_name  TEXT   NOT NULL,
    title             TEXT   NOT NULL,
    text              TEXT   NOT NULL,
    text_sha256       TEXT   NOT NULL,
    members           BIGINT NOT NULL,
    published_on      TEXT   NOT NULL,
    published_by      TEXT   NOT NULL,
    seq               BIGINT NOT NULL
);
CREATE INDEX pledge_schemes_association ON pledge_schemes (association_uscc, published_on);
