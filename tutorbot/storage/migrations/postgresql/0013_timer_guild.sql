-- As ../0013_timer_guild.sql (the server a timer is for, so each bot process fires the timers of
-- its own shards), with PostgreSQL's BIGINT and JSON operator in place of json_extract.
ALTER TABLE timers ADD COLUMN guild_id BIGINT;
UPDATE timers SET guild_id = (
    SELECT rounds.guild_id FROM rounds
    WHERE rounds.id = (timers.payload::jsonb ->> 'round_id')::bigint
) WHERE kind LIKE 'round.%';
DROP INDEX timers_due;
CREATE INDEX timers_due ON timers (due_at, id, kind, lease_until, guild_id);
