-- Durable turns: an event is stored before it is acknowledged; workers process it exactly once
-- (the turn marks its row processed in its own transaction) and deliver the replies at least once.
CREATE TABLE inbox (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    dedup_key     TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_until   TEXT NULL,
    outcome_json  TEXT NULL,
    received_at   TEXT NOT NULL,
    processed_at  TEXT NULL,
    delivered_at  TEXT NULL,
    last_error    TEXT NULL,
    UNIQUE (source, dedup_key)
);
CREATE INDEX ix_inbox_open ON inbox (status, id);
