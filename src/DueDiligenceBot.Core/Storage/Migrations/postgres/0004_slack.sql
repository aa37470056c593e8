-- Slack: the framework questions answered in Slack (with the notes cited) and the helpful / not helpful
-- feedback given on those answers. De-duplication of Slack deliveries is the inbox's (0005), keyed by
-- Slack's event id or trigger id.
CREATE TABLE slack_questions (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id           TEXT NOT NULL,
    conversation_key  TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    question          TEXT NOT NULL,
    note_ids          TEXT NOT NULL,   -- the cited notes, comma-separated
    asked_at          TEXT NOT NULL
);

CREATE TABLE slack_feedback (
    question_id  BIGINT NOT NULL REFERENCES slack_questions(id),
    user_id      TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    rating       TEXT NOT NULL CHECK (rating IN ('helpful', 'not_helpful')),
    rated_at     TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
