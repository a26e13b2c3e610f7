-- Placement (issue 16): topics a placement found the student knows, and its sessions.

-- When the student's latest placement found they know the topic; a new placement clears the
-- earlier marks and sets its own, and never touches known_at ("I know this") or mastered_at.
ALTER TABLE topic_state ADD COLUMN placed_at TEXT;

-- A quiz asks the questions seen in the student's latest finished placement last: one row,
-- found by user, newest first.
CREATE INDEX quiz_sessions_placed ON quiz_sessions (user_id, id)
    WHERE kind = 'placement' AND status = 'finished';
