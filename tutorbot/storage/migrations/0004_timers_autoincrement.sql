-- Timer ids are never reused. The scheduler deletes a timer by id after its handler returns; a
-- handler that deleted its own row and scheduled a new timer could otherwise hand the new timer
-- the freed id, and the scheduler would then delete the new timer instead.
CREATE TABLE timers_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    due_at      TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}',
    key         TEXT,     -- lets a caller cancel by meaning, e.g. 'round:42'
    user_id     INTEGER,  -- whose timer it is, so /forgetme removes it too
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);
INSERT INTO timers_new (id, kind, due_at, payload, key, user_id, attempts, created_at)
    SELECT id, kind, due_at, payload, key, user_id, attempts, created_at FROM timers;
DROP TABLE timers;
ALTER TABLE timers_new RENAME TO timers;
CREATE INDEX timers_due ON timers (due_at, id);
CREATE INDEX timers_key ON timers (key);
CREATE INDEX timers_user ON timers (user_id);
