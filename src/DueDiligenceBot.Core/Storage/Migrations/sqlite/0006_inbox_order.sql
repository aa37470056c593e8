-- Events of one conversation are taken in the order they arrived: a worker takes a row only when no earlier
-- row of the same conversation is still open (pending, or processed but not yet delivered). Rows stored
-- before this migration have no conversation key and are taken in id order as before.
-- The open rows are few and the delivered ones pile up, so both lookups use partial indexes of open rows;
-- workers ask per source, so the (source, id) index gives the order without a sort even before ANALYZE.
ALTER TABLE inbox ADD COLUMN conversation_key TEXT NULL;
DROP INDEX ix_inbox_open;
CREATE INDEX ix_inbox_open ON inbox (source, id) WHERE status IN ('pending', 'processed');
CREATE INDEX ix_inbox_open_conversation ON inbox (conversation_key, id) WHERE status IN ('pending', 'processed');
