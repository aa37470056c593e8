-- Teams conversation references: where the bot was installed (or last spoken to in a channel), so it can
-- post there later without an incoming message (the memo summary to Review:TeamsChannel).
CREATE TABLE teams_conversation_references (
    conversation_id    TEXT PRIMARY KEY,
    service_url        TEXT NOT NULL,
    tenant_id          TEXT NULL,
    bot_id             TEXT NOT NULL,
    bot_name           TEXT NULL,
    conversation_type  TEXT NULL,
    team_id            TEXT NULL,
    updated_at         TEXT NOT NULL
);
