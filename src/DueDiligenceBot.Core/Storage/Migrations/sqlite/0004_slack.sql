-- Slack: deliveries already taken (de-duplication across retries, restarts and instances), the
-- questions answered in Slack, and the helpful / not helpful feedback given on those answers.
CREATE TABLE slack_deliveries (
    delivery_id  TEXT PRIMARY KEY,   -- event_id, or cmd:/act: plus the trigger id
    received_at  TEXT NOT NULL
);
CREATE INDEX ix_slack_deliveries_received ON slack_deliveries (received_at);

CREATE TABLE slack_questions (
    id                INTEGER PRIMARY KEY,
    team_id           TEXT NOT NULL,
    conversation_key  TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    question          TEXT NOT NULL,
    note_ids          TEXT NOT NULL,   -- the cited notes, comma-separated
    asked_at          TEXT NOT NULL
);

CREATE TABLE slack_feedback (
    question_id  INTEGER NOT NULL REFERENCES slack_questions(id),
    user_id      TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    rating       TEXT NOT NULL CHECK (rating IN ('helpful', 'not_helpful')),
    rated_at     TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
