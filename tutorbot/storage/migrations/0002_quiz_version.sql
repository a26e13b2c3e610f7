-- A version number per quiz session: every step of a quiz is a compare-and-swap on it, so two
-- clicks racing on the same question (or two bot processes) cannot both apply.
ALTER TABLE quiz_sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
