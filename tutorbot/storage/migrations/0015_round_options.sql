-- Round options (issue 21): a server's defaults for the options of /round start, who plays for
-- which team in a round with teams, and the channel a round in a thread was started from. The
-- options of one round (teams, streak, podium, a pause) are kept in its state (rounds.state).

-- A server's defaults for new rounds' options; a column left NULL keeps the bot's default (no
-- teams, no streak bonus, no thread, a podium of 3). No column names a person.
CREATE TABLE round_defaults (
    guild_id    INTEGER PRIMARY KEY,
    teams       INTEGER,
    streak      INTEGER CHECK (streak IN (0, 1)),
    thread      INTEGER CHECK (thread IN (0, 1)),
    podium      INTEGER,
    updated_at  TEXT    NOT NULL
);

-- A player's team in a round with teams (0-based), fixed by their first answer that counted:
-- the key makes a player join once. /forgetme removes a person's rows.
CREATE TABLE round_players (
    round_id   INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    team       INTEGER NOT NULL CHECK (team >= 0),
    joined_at  TEXT    NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX round_players_user ON round_players (user_id);

-- A round that runs in a thread (its rounds.channel_id) and the channel it was started from,
-- where the start and the end are announced and /round commands still find it.
CREATE TABLE round_threads (
    round_id           INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    parent_channel_id  INTEGER NOT NULL
);
CREATE INDEX round_threads_parent ON round_threads (parent_channel_id);
