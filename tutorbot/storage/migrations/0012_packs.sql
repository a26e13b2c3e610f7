-- Server packs (issue 18): a server's own question banks, each the topics one uploaded file
-- made, stored as the JSON of their validated models (ids already unique to the server).
-- No person's id is stored: who imported a pack is not kept.
CREATE TABLE packs (
    guild_id       INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    format         TEXT    NOT NULL,
    topics         TEXT    NOT NULL,
    topic_count    INTEGER NOT NULL,
    question_count INTEGER NOT NULL,
    imported_at    TEXT    NOT NULL,
    PRIMARY KEY (guild_id, name)
) WITHOUT ROWID;

-- One row per server whose packs ever changed: `revision` is the number of the last change
-- anywhere (one sequence for all servers), so a process finds what changed since it last
-- looked with one index range read.
CREATE TABLE pack_revisions (
    guild_id INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
);
CREATE INDEX pack_revisions_revision ON pack_revisions (revision);
