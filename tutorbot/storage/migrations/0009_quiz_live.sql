-- A running quiz's state lives in quiz_live until the quiz ends (issue 14).
--
-- A quiz's state is largest while it runs (every answer so far) and small once it ended (what a
-- student wrote for a free response). Kept in quiz_sessions, the row shrank in place at the end,
-- and SQLite never reuses the space freed inside a page for new rows (they go to the end of the
-- table): three quarters of quiz_sessions' pages were empty. In quiz_live a row is deleted when
-- its quiz ends, so its pages empty out and are reused; quiz_sessions rows are written small.
CREATE TABLE quiz_live (
    session_id  INTEGER PRIMARY KEY REFERENCES quiz_sessions(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state       TEXT    NOT NULL
);
CREATE INDEX quiz_live_user ON quiz_live (user_id);

INSERT INTO quiz_live (session_id, user_id, state)
SELECT id, user_id, state FROM quiz_sessions WHERE status = 'active';
UPDATE quiz_sessions SET state = '{}' WHERE status = 'active';

-- An ended quiz keeps only what no column or row holds (see storage/quizzes.py: _ENDED_STATE).
UPDATE quiz_sessions SET state = json_remove(
    state, '$.answers', '$.question_ids', '$.user_id', '$.topic_id', '$.started_at',
    '$.position', '$.shown_at', '$.reveal_at', '$.revealed', '$.finished_at'
)
WHERE status <> 'active' AND json_valid(state);
