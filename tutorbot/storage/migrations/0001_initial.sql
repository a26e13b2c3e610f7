-- TutorBot schema, version 1. Times are UTC ISO-8601 text (see storage/_time.py).
-- Discord ids (users, guilds, channels, messages, roles) are INTEGER snowflakes.
-- guild_id NULL means a direct message.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);

CREATE TABLE topic_state (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id     TEXT    NOT NULL,
    known_at     TEXT,
    mastered_at  TEXT,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (user_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX topic_state_mastered ON topic_state (user_id, mastered_at);

CREATE TABLE goals (
    user_id   INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    topic_id  TEXT NOT NULL,
    set_at    TEXT NOT NULL
);

CREATE TABLE answers (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    guild_id     INTEGER,
    topic_id     TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    answer       TEXT    NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    seconds      REAL,
    source       TEXT    NOT NULL CHECK (source IN ('quiz', 'round', 'review')),
    source_id    INTEGER,
    points       INTEGER NOT NULL DEFAULT 0,
    answered_at  TEXT    NOT NULL
);
CREATE INDEX answers_user ON answers (user_id, answered_at);
CREATE INDEX answers_user_topic ON answers (user_id, topic_id, question_id);

-- Running totals per server, kept in the same transaction as each answer, for leaderboards.
CREATE TABLE guild_scores (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    points    INTEGER NOT NULL DEFAULT 0,
    answered  INTEGER NOT NULL DEFAULT 0,
    correct   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX guild_scores_rank ON guild_scores (guild_id, points DESC, correct DESC);

CREATE TABLE quiz_sessions (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    guild_id      INTEGER,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER,
    topic_id      TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'finished', 'abandoned')),
    question_ids  TEXT    NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    state         TEXT    NOT NULL DEFAULT '{}',
    reveal_at     TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX quiz_one_active_per_user ON quiz_sessions (user_id) WHERE status = 'active';
CREATE INDEX quiz_sessions_user ON quiz_sessions (user_id, created_at);

CREATE TABLE rounds (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    host_id        INTEGER,  -- NULL once the host asked to be forgotten; the round stays for others
    topic_id       TEXT    NOT NULL,
    settings       TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'stopped')),
    question_ids   TEXT    NOT NULL,
    current_index  INTEGER NOT NULL DEFAULT 0,
    message_id     INTEGER,
    deadline       TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    ended_at       TEXT
);
CREATE UNIQUE INDEX rounds_one_running_per_channel ON rounds (channel_id) WHERE status = 'running';
CREATE INDEX rounds_guild ON rounds (guild_id, created_at);
CREATE INDEX rounds_host ON rounds (host_id);

CREATE TABLE round_answers (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    question_index  INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer          TEXT    NOT NULL,
    correct         INTEGER NOT NULL CHECK (correct IN (0, 1)),
    seconds         REAL    NOT NULL,
    points          INTEGER NOT NULL DEFAULT 0,
    answered_at     TEXT    NOT NULL,
    UNIQUE (round_id, question_index, user_id)
);
CREATE INDEX round_answers_user ON round_answers (user_id);

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    instructor_role_id  INTEGER,
    round_questions     INTEGER,
    round_seconds       INTEGER,
    round_scoring       TEXT,
    updated_at          TEXT NOT NULL
);

CREATE TABLE timers (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    due_at      TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}',
    key         TEXT,     -- lets a caller cancel by meaning, e.g. 'round:42'
    user_id     INTEGER,  -- whose timer it is, so /forgetme removes it too
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);
CREATE INDEX timers_due ON timers (due_at, id);
CREATE INDEX timers_key ON timers (key);
CREATE INDEX timers_user ON timers (user_id);

CREATE TABLE meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
