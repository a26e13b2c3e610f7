-- The daily question's reveal message (issue 21): its id is stored as soon as Discord returns it,
-- so a reveal retried after the bot stopped edits that message instead of posting a second one.
-- NULL: no reveal message posted (yet, or ever).
ALTER TABLE daily_posts ADD COLUMN reveal_message_id INTEGER;
