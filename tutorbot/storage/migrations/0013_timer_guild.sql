-- The server a timer is for (NULL: none, e.g. a review reminder sent by direct message), so that
-- bot processes sharing one database each fire the timers of their own shards: a timer belongs to
-- shard (guild_id >> 22) % shard_count, and a timer of no server to shard 0 (which receives the
-- direct messages). The server, not the shard, is stored, so changing the shard count moves no
-- row. Timers already waiting are round steps (payload {"round_id": ...}): they take their
-- round's server.
ALTER TABLE timers ADD COLUMN guild_id INTEGER;
UPDATE timers SET guild_id = (
    SELECT rounds.guild_id FROM rounds WHERE rounds.id = json_extract(timers.payload, '$.round_id')
) WHERE kind LIKE 'round.%';
-- The claim reads the shard from the index too.
DROP INDEX timers_due;
CREATE INDEX timers_due ON timers (due_at, id, kind, lease_until, guild_id);
