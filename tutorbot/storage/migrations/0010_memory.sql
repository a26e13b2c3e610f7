-- Spaced review (issue 15): what each student remembers of each question, and when to ask again.

-- One FSRS memory card per student and question (domain/memory.py holds the rules). Every answer
-- is a review of its card: quiz, /review and round alike. `credit` is implicit credit (practice of
-- a topic that builds on this one) gathered toward the card's next implicit review.
CREATE TABLE memory_cards (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id     TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    state        INTEGER NOT NULL CHECK (state IN (1, 2, 3)),  -- fsrs State: learning, review, relearning
    step         INTEGER,
    stability    REAL,
    difficulty   REAL,
    due          TEXT    NOT NULL,
    last_review  TEXT,
    reps         INTEGER NOT NULL DEFAULT 0,
    lapses       INTEGER NOT NULL DEFAULT 0,
    credit       REAL    NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, topic_id, question_id)
) WITHOUT ROWID;
-- A student's queue reads their cards in due order and stops at the end of their day.
CREATE INDEX memory_cards_due ON memory_cards (user_id, due);

-- Every review of a card, explicit (an answer) or implicit (credit from a topic built on it).
CREATE TABLE memory_reviews (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id     TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),  -- fsrs Rating: again .. easy
    source       TEXT    NOT NULL CHECK (source IN ('quiz', 'round', 'review', 'implicit', 'placement')),
    weight       REAL    NOT NULL DEFAULT 1,  -- implicit credit given (1 for an answer)
    reviewed_at  TEXT    NOT NULL
);
-- /review counts today's reviews against the daily limit; /mydata and /forgetme go by user.
CREATE INDEX memory_reviews_user ON memory_reviews (user_id, reviewed_at);

-- The days (in the student's own time zone) on which a student answered anything: the streak
-- /stats shows reads the newest of these rows instead of every review.
CREATE TABLE review_days (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day      TEXT    NOT NULL,  -- YYYY-MM-DD, local
    reviews  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

-- A student's review settings: the daily limit, their time zone (which decides "today") and the
-- daily reminder. `reminded_on` is the local day a reminder was last sent (never twice a day);
-- `dm_closed_at` says reminders turned themselves off because Discord refused the DM.
CREATE TABLE review_settings (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    daily_limit   INTEGER,
    timezone      TEXT,
    remind_at     TEXT,
    reminded_on   TEXT,
    dm_closed_at  TEXT,
    updated_at    TEXT NOT NULL
);

-- A /review is a private quiz across topics: same screens, same buttons, same resumable rows.
ALTER TABLE quiz_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'quiz'
    CHECK (kind IN ('quiz', 'review', 'placement'));

-- Answers given before this migration are replayed into memory cards by the bot after it starts
-- (services/memory.py); it goes up to this answer id and records how far it got.
INSERT INTO meta (key, value, updated_at)
SELECT 'memory_seed_until', CAST(COALESCE(MAX(id), 0) AS TEXT), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
FROM answers;
