-- Vendors, their reviews, append-only answers, conversation state and the audit log (PostgreSQL).
-- Times are ISO-8601 text, as in the SQLite schema, so the same Dapper code reads both.
CREATE TABLE vendors (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE reviews (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id     BIGINT NOT NULL REFERENCES vendors(id),
    number        INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'complete')),
    started_at    TEXT NOT NULL,
    started_by    TEXT NOT NULL,
    completed_at  TEXT NULL,
    UNIQUE (vendor_id, number)
);

CREATE TABLE answers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id     BIGINT NOT NULL REFERENCES reviews(id),
    question_key  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('answered', 'skipped')),
    value_json    TEXT NULL,
    user_id       TEXT NOT NULL,
    user_name     TEXT NOT NULL,
    channel       TEXT NOT NULL,
    answered_at   TEXT NOT NULL
);
CREATE INDEX ix_answers_review_key ON answers (review_id, question_key, id);

CREATE TABLE conversations (
    conversation_key  TEXT PRIMARY KEY,
    state_json        TEXT NOT NULL,
    version           BIGINT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    action      TEXT NOT NULL,
    vendor_id   BIGINT NULL,
    review_id   BIGINT NULL,
    detail      TEXT NULL
);
CREATE INDEX ix_audit_vendor ON audit_log (vendor_id, id);
