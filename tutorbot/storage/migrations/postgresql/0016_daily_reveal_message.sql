-- As ../0016_daily_reveal_message.sql (the daily question's reveal message id), with
-- PostgreSQL's BIGINT (see 0012_baseline.sql for why).
ALTER TABLE daily_posts ADD COLUMN reveal_message_id BIGINT;
