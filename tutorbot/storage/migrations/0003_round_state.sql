-- A round's domain state (the questions asked, each with its snapshot and clock; answers stay in
-- round_answers) and a version number: every step of a round is a compare-and-swap on it, so a
-- timer firing twice, or a skip racing the deadline, applies once.
ALTER TABLE rounds ADD COLUMN state TEXT;
ALTER TABLE rounds ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- A free-response round answer's self-assessment (got_it, partly, missed), NULL until judged.
ALTER TABLE round_answers ADD COLUMN assessment TEXT;
