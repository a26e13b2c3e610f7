-- As ../0014_daily.sql (the question of the day), with PostgreSQL's BIGINT and COLLATE "C" text
-- (see 0012_baseline.sql for why).
CREATE TABLE daily_settings (
    guild_id        BIGINT PRIMARY KEY,
    channel_id      BIGINT NOT NULL,
    post_at         TEXT COLLATE "C" NOT NULL,
    timezone        TEXT COLLATE "C" NOT NULL,
    scope_kind      TEXT COLLATE "C" NOT NULL CHECK (scope_kind IN ('all', 'topic', 'pack')),
    scope           TEXT COLLATE "C",
    reveal_hours    BIGINT,
    active          BIGINT NOT NULL CHECK (active IN (0, 1)),
    stopped_reason  TEXT COLLATE "C",
    stopped_at      TEXT COLLATE "C",
    updated_at      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE daily_posts (
    guild_id     BIGINT NOT NULL,
    day          TEXT COLLATE "C" NOT NULL,  -- YYYY-MM-DD, local
    channel_id   BIGINT NOT NULL,
    cycle        BIGINT NOT NULL,
    topic_id     TEXT COLLATE "C" NOT NULL,
    question_id  TEXT COLLATE "C" NOT NULL,
    question     TEXT COLLATE "C" NOT NULL,
    message_id   BIGINT,
    posted_at    TEXT COLLATE "C" NOT NULL,
    reveal_at    TEXT COLLATE "C",
    revealed_at  TEXT COLLATE "C",
    PRIMARY KEY (guild_id, day)
);

CREATE TABLE daily_answers (
    guild_id     BIGINT NOT NULL,
    day          TEXT COLLATE "C" NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer       TEXT COLLATE "C" NOT NULL,
    correct      BIGINT NOT NULL CHECK (correct IN (0, 1)),
    answered_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (guild_id, day, user_id),
    FOREIGN KEY (guild_id, day) REFERENCES daily_posts (guild_id, day) ON DELETE CASCADE
);
CREATE INDEX daily_answers_user ON daily_answers (user_id);
