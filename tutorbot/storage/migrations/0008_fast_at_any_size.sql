-- Reads that stay flat as the database grows (issue 14).

-- /mydata and /forgetme find a student's server totals by user, and deleting a user checks
-- guild_scores for its foreign key; the primary key leads with guild_id, so index user_id too.
CREATE INDEX guild_scores_user ON guild_scores (user_id);

-- /stats reads counters instead of every answer the student ever gave: per student, per place
-- (the server's id, or 0 for a direct message: no Discord id is 0) and per topic, the answers,
-- right answers and points, kept in the same transaction as each answer (storage/answers.py).
CREATE TABLE topic_scores (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    place_id  INTEGER NOT NULL,
    topic_id  TEXT    NOT NULL,
    answered  INTEGER NOT NULL DEFAULT 0,
    correct   INTEGER NOT NULL DEFAULT 0,
    points    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, place_id, topic_id)
) WITHOUT ROWID;

INSERT INTO topic_scores (user_id, place_id, topic_id, answered, correct, points)
SELECT user_id, COALESCE(guild_id, 0), topic_id, COUNT(*), SUM(correct), SUM(points)
FROM answers
GROUP BY user_id, COALESCE(guild_id, 0), topic_id;

-- Nothing reads answers by topic and question any more (stats use topic_scores): the index only
-- cost space and time on every answer.
DROP INDEX answers_user_topic;

-- A quiz that ended is never shown again, and its answers are rows of `answers`, its questions
-- the question_ids column: its state drops those two copies (what the student wrote for a free
-- response, which no other row keeps, stays). Half of a database was these copies.
UPDATE quiz_sessions SET state = json_remove(state, '$.answers', '$.question_ids')
WHERE status <> 'active' AND json_valid(state);
