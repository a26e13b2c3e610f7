-- The question of the day (issue 21): one question a day in a server's channel, at its local time.

-- A server's daily question while it is set up: the channel, the local time and zone, what the
-- questions are drawn from (every topic, one topic, or one of the server's packs), and when the
-- answer is revealed (NULL: with the next day's question; else that many hours after posting).
-- `active` is 0 once it was turned off; `stopped_reason` says why it turned itself off (the
-- channel was deleted, or the bot may no longer post there) until someone has been told.
-- No column names a person.
CREATE TABLE daily_settings (
    guild_id        INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL,
    post_at         TEXT    NOT NULL,  -- 'HH:MM', local
    timezone        TEXT    NOT NULL,  -- IANA name
    scope_kind      TEXT    NOT NULL CHECK (scope_kind IN ('all', 'topic', 'pack')),
    scope           TEXT,              -- the topic id or the pack name
    reveal_hours    INTEGER,
    active          INTEGER NOT NULL CHECK (active IN (0, 1)),
    stopped_reason  TEXT,
    stopped_at      TEXT,
    updated_at      TEXT    NOT NULL
);

-- One row per server per local day a question was posted: the key (guild_id, day) is what makes a
-- day post once, however often its timer fires. `cycle` numbers the server's passes through its
-- questions (a question comes back only in a later cycle); `question` is the question as asked
-- (JSON), which answers are judged by and the reveal shows, whatever content does later.
CREATE TABLE daily_posts (
    guild_id     INTEGER NOT NULL,
    day          TEXT    NOT NULL,  -- YYYY-MM-DD, local
    channel_id   INTEGER NOT NULL,
    cycle        INTEGER NOT NULL,
    topic_id     TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    question     TEXT    NOT NULL,
    message_id   INTEGER,
    posted_at    TEXT    NOT NULL,
    reveal_at    TEXT,              -- NULL: revealed with the next day's question
    revealed_at  TEXT,
    PRIMARY KEY (guild_id, day)
);

-- One answer per person per day: the key makes the first answer final.
CREATE TABLE daily_answers (
    guild_id     INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer       TEXT    NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, day, user_id),
    FOREIGN KEY (guild_id, day) REFERENCES daily_posts (guild_id, day) ON DELETE CASCADE
);
-- /mydata and /forgetme go by person.
CREATE INDEX daily_answers_user ON daily_answers (user_id);
