-- The display name each person last showed in each server, so a podium, a top 10, a CSV or the
-- leaderboard after a restart shows names rather than ids. Written only when a name is new or
-- changed; /forgetme deletes a person's rows, /mydata exports them.
CREATE TABLE member_names (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    seen_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX member_names_user ON member_names (user_id);
