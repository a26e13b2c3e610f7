-- A timer is claimed before it fires: `claimed_by` names the process holding it and
-- `lease_until` when that claim lapses unless renewed, so several bot processes on one database
-- never fire a timer twice, and a process that dies leaves its timers to the others once the lease
-- runs out. Both are NULL while nobody holds the timer.
ALTER TABLE timers ADD COLUMN claimed_by TEXT;
ALTER TABLE timers ADD COLUMN lease_until TEXT;
-- The claim scans due timers in order and filters on kind and lease without reading the table.
DROP INDEX timers_due;
CREATE INDEX timers_due ON timers (due_at, id, kind, lease_until);
-- Renewing or releasing every lease one process holds.
CREATE INDEX timers_claimed_by ON timers (claimed_by) WHERE claimed_by IS NOT NULL;
