-- Subscribers (issue 17, seed 六.1): receivers of grade, list and repair
-- changes of the organisations they watch, by pull feed and webhook.
CREATE TABLE subscribers (
    subscriber_id     TEXT   NOT NULL PRIMARY KEY,
    name              TEXT   NOT NULL,
    uscc              TEXT   NOT NULL,
    kind              TEXT   NOT NULL,
    contact           TEXT   NOT NULL,
    status            TEXT   NOT NULL,
    token_sha256      TEXT   NOT NULL,
    registered_on     TEXT   NOT NULL,
    registered_by     TEXT   NOT NULL,
    approved_by       TEXT,
    webhook_url       TEXT,
    webhook_secret    TEXT,
    delivered_cursor  BIGINT NOT NULL,
    seq               BIGINT NOT NULL
);

CREATE TABLE subscriber_watch (
    subscriber_id  TEXT   NOT NULL,
    uscc           TEXT   NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, uscc)
);

CREATE TABLE subscription_items (
    subscriber_id  TEXT   NOT NULL,
    source_seq     BIGINT NOT NULL,
    uscc           TEXT   NOT NULL,
    change         TEXT   NOT NULL,
    changed_on     TEXT   NOT NULL,
    summary        TEXT   NOT NULL,
    value          TEXT   NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, source_seq, uscc, change)
);

CREATE TABLE subscription_fanout (
    name     TEXT   NOT NULL PRIMARY KEY,
    through  BIGINT NOT NULL,
    seq      BIGINT NOT NULL
);
