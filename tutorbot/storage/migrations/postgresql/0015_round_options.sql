-- As ../0015_round_options.sql (a server's defaults for round options, teams' players, rounds
-- in a thread), with PostgreSQL's BIGINT and COLLATE "C" text (see 0012_baseline.sql for why).
CREATE TABLE round_defaults (
    guild_id    BIGINT PRIMARY KEY,
    teams       BIGINT,
    streak      BIGINT CHECK (streak IN (0, 1)),
    thread      BIGINT CHECK (thread IN (0, 1)),
    podium      BIGINT,
    updated_at  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE round_players (
    round_id   BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    team       BIGINT NOT NULL CHECK (team >= 0),
    joined_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX round_players_user ON round_players (user_id);

CREATE TABLE round_threads (
    round_id           BIGINT PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    parent_channel_id  BIGINT NOT NULL
);
CREATE INDEX round_threads_parent ON round_threads (parent_channel_id);
