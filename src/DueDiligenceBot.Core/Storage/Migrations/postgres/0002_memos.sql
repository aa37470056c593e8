-- Risk memo versions (one per completed review, and one more whenever a completed review's answers change)
-- and the security reviewers' decisions on them.
CREATE TABLE memo_versions (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id            BIGINT NOT NULL REFERENCES vendors(id),
    review_id            BIGINT NOT NULL REFERENCES reviews(id),
    version              INTEGER NOT NULL,
    as_of                TEXT NOT NULL,
    rating               TEXT NOT NULL CHECK (rating IN ('low', 'moderate', 'high', 'critical')),
    flag_ids             TEXT NOT NULL,
    answers_fingerprint  TEXT NOT NULL,
    next_due_on          TEXT NULL,
    next_due_what        TEXT NULL,
    document_json        TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    UNIQUE (vendor_id, version)
);
CREATE INDEX ix_memo_versions_review ON memo_versions (review_id, version);

CREATE TABLE memo_decisions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    memo_version_id  BIGINT NOT NULL REFERENCES memo_versions(id),
    vendor_id        BIGINT NOT NULL REFERENCES vendors(id),
    decision         TEXT NOT NULL CHECK (decision IN ('approved', 'approved_with_conditions', 'rejected')),
    conditions       TEXT NULL,
    reviewer         TEXT NOT NULL,
    decided_at       TEXT NOT NULL
);
CREATE INDEX ix_memo_decisions_version ON memo_decisions (memo_version_id, id);
CREATE INDEX ix_memo_decisions_vendor ON memo_decisions (vendor_id, id);
