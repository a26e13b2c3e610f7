"""The discord.py client: intents, mentions, extensions, dynamic items and error handling.

With a shard count in the settings the bot is a `ShardedTutorBot` (an `AutoShardedBot` running
this process's shards, `bot/shards.py`): its scheduler fires only those shards' timers, only the
process running shard 0 syncs the commands, and each process records a heartbeat of its own."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import (
    RESTARTING,
    FeatureButton,
    route_modal,
    unknown_button_class,
)
from tutorbot.bot.errors import UserFacingError, report_error
from tutorbot.bot.members import note_member
from tutorbot.bot.scopes import ANY_INSTALL, EVERYWHERE
from tutorbot.bot.shards import ShardPlan
from tutorbot.bot.sync import sync_commands
from tutorbot.clock import Clock, utc_now
from tutorbot.guild_scope import enter_guild
from tutorbot.services import Services
from tutorbot.settings import Settings
from tutorbot.storage.errors import DatabaseLostError

log = logging.getLogger("tutorbot.bot")

EXTENSIONS = tuple(
    f"tutorbot.bot.exts.{name}"
    for name in (
        "topics",
        "quiz",
        "review",
        "placement",
        "remind",
        "progress",
        "stats",
        "data",
        "rounds",
        "daily",
        "packs",
        "admin",
    )
)
HEARTBEAT_SECONDS = 30
IN_FLIGHT_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-", "discord.py: on_interaction")


class TutorTree(app_commands.CommandTree["TutorBot"]):
    """The command tree; refuses new commands politely while the bot shuts down."""

    async def interaction_check(self, interaction: discord.Interaction[TutorBot], /) -> bool:
        """Refuse commands once shutdown began; note who sent it for the name book."""
        if not interaction.client.accepting:
            await report_error(interaction, UserFacingError(RESTARTING))
            return False
        enter_guild(interaction.guild_id)
        note_member(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[TutorBot], error: app_commands.AppCommandError, /
    ) -> None:
        """Show a failed command's error to the user (unwrapped from discord.py's) and log it."""
        await report_error(interaction, getattr(error, "original", error))


class TutorBot(commands.Bot):
    """The bot. `setup_hook` loads content, opens the database, loads features and syncs.

    Built with a shard count in its settings, it is a `ShardedTutorBot` (so the code that starts
    it need not choose)."""

    def __new__(cls, settings: Settings, *args: Any, **kwargs: Any) -> TutorBot:  # noqa: D102
        if cls is TutorBot and settings.shard_count is not None:
            cls = ShardedTutorBot
        return super().__new__(cls)

    def __init__(
        self,
        settings: Settings,
        *,
        force_sync: bool = False,
        clock: Clock = utc_now,
        services: Services | None = None,
        **options: Any,
    ) -> None:
        self.shard_plan = ShardPlan.of(settings)
        """The shards this process runs (all of them when unsharded)."""
        options = {**self.shard_plan.bot_options(), **options}
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=TutorTree,
            **options,
        )
        self.settings = settings
        # Every command works in servers, DMs and group DMs, and as a user-installed app, unless
        # it says otherwise (rounds and admin commands are server-only).
        self.tree.allowed_contexts = EVERYWHERE
        self.tree.allowed_installs = ANY_INSTALL
        self.force_sync = force_sync
        self.clock = clock
        self._services: Services | None = services
        self._heartbeat: asyncio.Task[None] | None = None
        self.accepting = True

    @property
    def services(self) -> Services:
        """The features' services; they exist from `setup_hook` on."""
        if self._services is None:
            raise RuntimeError("services are opened in setup_hook")
        return self._services

    async def setup_hook(self) -> None:
        """Open services, load features, sync commands, then start timers and the heartbeat."""
        if self._services is None:
            self._services = await Services.open(
                self.settings.content_dir, self.settings.database, self.clock
            )
        self.services.packs.configure(self.settings)
        self.services.scheduler.shards = self.shard_plan.timer_shards()
        self.services.owns_guild = self.shard_plan.owns
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        features = [cls.feature for cls in _feature_buttons()]
        self.add_dynamic_items(*_feature_buttons(), unknown_button_class(features))
        if self.shard_plan.owns_direct:
            await sync_commands(
                self.tree, self.services.storage, self.settings.dev_guild_id, force=self.force_sync
            )
        else:
            log.info(
                "not syncing commands: the process running shard 0 does (%s here)",
                self.shard_plan.describe(),
            )
        await self.services.start()
        self._heartbeat = asyncio.create_task(self._beat(), name="tutorbot-heartbeat")

    async def _beat(self) -> None:
        """Record a heartbeat while connected; `tutorbot healthcheck` reads it."""
        await self.wait_until_ready()
        while not self.is_closed():
            if self.is_ready():
                try:
                    await self.services.storage.meta.heartbeat(
                        self.services.clock(), self.shard_plan.heartbeat_key
                    )
                except DatabaseLostError:
                    pass  # logged once by the storage layer; `tutorbot healthcheck` fails
                except Exception:
                    log.exception("could not record heartbeat")
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Route form submissions (discord.py routes commands and buttons itself)."""
        if interaction.type is discord.InteractionType.modal_submit:
            if not self.accepting:
                await report_error(interaction, UserFacingError(RESTARTING))
                return
            await route_modal(interaction)

    async def on_ready(self) -> None:
        """Log the connection, for operators reading the log."""
        log.info(
            "connected as %s (%s) to %d servers (%s)",
            self.user,
            self.user_id,
            len(self.guilds),
            self.shard_plan.describe(),
        )

    @property
    def user_id(self) -> int | None:
        """The bot's own user id, or None before it has logged in."""
        return self.user.id if self.user else None

    async def drain(self, seconds: float) -> None:
        """Stop taking work and let handlers already running finish, for at most `seconds`."""
        self.accepting = False
        current = asyncio.current_task()
        pending = [
            task
            for task in asyncio.all_tasks()
            if task is not current and task.get_name().startswith(IN_FLIGHT_TASK_PREFIXES)
        ]
        if pending:
            log.info("waiting for %d handlers in flight", len(pending))
            await asyncio.wait(pending, timeout=seconds)

    async def close(self) -> None:
        """Stop the heartbeat and the services (timers, queued updates) before disconnecting."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._services is not None:
            await self._services.stop()
        await super().close()
        if self._services is not None:
            await self._services.close()
            self._services = None


class ShardedTutorBot(TutorBot, commands.AutoShardedBot):
    """The bot running some of its shards (`TUTORBOT_SHARD_COUNT`, `TUTORBOT_SHARD_IDS`) in this
    process; everything else is `TutorBot`'s."""


def _feature_buttons() -> list[type[FeatureButton]]:
    """The button class of every loaded feature, one per prefix.

    `load_extension` executes a feature's module afresh each time a bot starts (tests start many
    in one process), so an older class with the same prefix may still be alive: the newest wins.
    """
    newest: dict[str, type[FeatureButton]] = {}
    queue = list(FeatureButton.__subclasses__())
    while queue:
        cls = queue.pop(0)
        queue.extend(cls.__subclasses__())
        if cls.feature:
            newest[cls.feature] = cls
    return [newest[feature] for feature in sorted(newest)]
