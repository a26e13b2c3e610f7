"""Which of the bot's shards this process runs, when several processes share one database.

Discord splits a big bot's servers into shards: a server belongs to shard
`(guild_id >> 22) % shard_count` (`shard_of`), and each shard is one gateway connection.
`TUTORBOT_SHARD_COUNT` and `TUTORBOT_SHARD_IDS` split them between processes (every shard in
exactly one process, all on one PostgreSQL database). Unset, the bot is one process as before.

Direct messages reach only shard 0, so the process that runs shard 0 handles everything of no
server: it fires the timers of no server (review reminders) and syncs the slash commands.
A process also fires another shard's timers once they have waited `takeover` past due (that
shard's process is dead): every process shares the bot's token, so it can post and edit in any
channel over REST, which is all a timer's handler needs of Discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tutorbot.settings import Settings
from tutorbot.storage.meta import heartbeat_key
from tutorbot.storage.timers import TAKEOVER, TimerShards

DIRECT_SHARD = 0
"""The shard that receives direct messages."""


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard a server's events arrive on (Discord's rule)."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardPlan:
    """This process's share of the shards: `count` in all (None: unsharded), and the ones it
    runs (`ids`; None with a count: all of them); after `takeover` it fires another shard's
    due timers too."""

    count: int | None = None
    ids: tuple[int, ...] | None = None
    takeover: timedelta = TAKEOVER

    @classmethod
    def of(cls, settings: Settings) -> ShardPlan:
        """The plan the settings give (validated there)."""
        takeover = timedelta(seconds=settings.timer_takeover_seconds)
        return cls(settings.shard_count, settings.shard_ids, takeover)

    @property
    def sharded(self) -> bool:
        """Whether the shard count is set (the bot is an `AutoShardedBot`)."""
        return self.count is not None

    @property
    def mine(self) -> frozenset[int] | None:
        """The shards this process runs; None when unsharded (whatever Discord gives it)."""
        if self.count is None:
            return None
        return frozenset(range(self.count) if self.ids is None else self.ids)

    @property
    def owns_direct(self) -> bool:
        """Whether this process runs shard 0: direct messages, timers of no server, and
        command sync are its."""
        mine = self.mine
        return mine is None or DIRECT_SHARD in mine

    def owns(self, guild_id: int | None) -> bool:
        """Whether a server's events (None: a direct message's) arrive in this process."""
        mine = self.mine
        if mine is None or self.count is None:
            return True
        return (DIRECT_SHARD if guild_id is None else shard_of(guild_id, self.count)) in mine

    def timer_shards(self) -> TimerShards | None:
        """Which timers this process's scheduler claims; None: all of them."""
        mine = self.mine
        if mine is None or self.count is None or len(mine) == self.count:
            return None
        return TimerShards(self.count, mine, self.takeover)

    @property
    def heartbeat_key(self) -> str:
        """The key this process's heartbeat is recorded under."""
        return heartbeat_key(self.ids)

    def bot_options(self) -> dict[str, Any]:
        """The `AutoShardedBot` options (`shard_count`, `shard_ids`); none when unsharded."""
        if self.count is None:
            return {}
        ids = None if self.ids is None else sorted(self.ids)
        return {"shard_count": self.count, "shard_ids": ids}

    def describe(self) -> str:
        """For the log: `shards 0,1 of 4`, or `unsharded`."""
        mine = self.mine
        if mine is None:
            return "unsharded"
        return f"shards {','.join(str(i) for i in sorted(mine))} of {self.count}"
