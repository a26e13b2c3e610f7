"""What a test does as a Discord user: run slash commands, click, select, submit modals.

Each action sends INTERACTION_CREATE with a fresh id and token and returns its
`InteractionRecord`; `wait_response` then gives the bot's callback.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from . import builders as b
from .state import (
    Attachment,
    Callback,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeUser,
    InteractionRecord,
    new_token,
    snowflake,
)
from .world import World

if TYPE_CHECKING:
    from .gateway import Gateway

_SELECTS = {3, 5, 6, 7, 8}


class NoSuchComponent(AssertionError):
    """The test tried to use a button, select or modal that the bot never showed (or disabled)."""


class NoResponse(AssertionError):
    """The bot did not answer an interaction in time."""


class Driver(World):
    gateway: Gateway
    api_url: str
    response_deadline: float

    async def _send(
        self,
        kind: int,
        user: FakeUser | FakeMember,
        channel: FakeChannel | None,
        data: dict[str, Any] | None,
        message: FakeMessage | None = None,
        extra_component: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        guild = user.guild if isinstance(user, FakeMember) else None
        if channel is None:
            channel = guild.text_channel if guild else self.dm_channel(user)
        bot_member = guild.members.get(self.bot.id) if guild else None
        record = InteractionRecord(
            id=snowflake(),
            token=new_token(),
            type=kind,
            payload={},
            user=user.user if isinstance(user, FakeMember) else user,
            channel=channel,
            guild=guild,
            message=message,
            dispatched_at=0.0,
        )
        record.payload = b.interaction_payload(
            interaction_id=record.id,
            token=record.token,
            type=kind,
            application_id=self.application_id,
            user=user,
            channel=channel,
            data=data,
            bot_permissions=bot_member.permissions if bot_member else 0,
            message=self._message_payload(message, extra_component),
        )
        self.interactions[record.id] = record
        self.interactions_by_token[record.token] = record
        record.dispatched_at = time.perf_counter()
        await self.gateway.dispatch("INTERACTION_CREATE", record.payload)
        return record

    def _message_payload(
        self, message: FakeMessage | None, extra: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """The message as the interaction carries it; a forged component is shown in it,
        since Discord only routes clicks on components the message has."""
        if message is None:
            return None
        payload = message.payload(self.api_url)
        if extra is not None:
            payload["components"] = [*payload["components"], {"type": 1, "components": [extra]}]
        return payload

    def _member_for(
        self, user: FakeUser | FakeMember, channel: FakeChannel
    ) -> FakeUser | FakeMember:
        """Clicks in a guild channel come from the member; in a DM from the user."""
        if channel.guild_id is None:
            return user.user if isinstance(user, FakeMember) else user
        if isinstance(user, FakeMember):
            return user
        guild = self.guilds[channel.guild_id]
        return guild.members.get(user.id) or FakeMember(user, guild)

    # -- application commands -------------------------------------------------------------

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        user: FakeUser | FakeMember | None = None,
        *,
        channel: FakeChannel | None = None,
        subcommand: str | None = None,
    ) -> InteractionRecord:
        """Run `/name` as `user` (a member: in their guild; a plain user: in DMs).

        `name` may hold the whole path ("goal set"), or pass `subcommand`. Option values are
        typed from the command as the bot synced it; members, users and channels may be
        passed as fake objects.
        """
        return await self._command(
            b.APPLICATION_COMMAND, name, options or {}, user, channel, subcommand, None
        )

    async def autocomplete(
        self,
        name: str,
        focused: str,
        value: str,
        user: FakeUser | FakeMember | None = None,
        *,
        options: dict[str, Any] | None = None,
        channel: FakeChannel | None = None,
        subcommand: str | None = None,
    ) -> InteractionRecord:
        """Type `value` into option `focused` of `/name`; the bot answers with choices."""
        values = dict(options or {}) | {focused: value}
        return await self._command(b.AUTOCOMPLETE, name, values, user, channel, subcommand, focused)

    async def _command(
        self,
        kind: int,
        name: str,
        values: dict[str, Any],
        user: FakeUser | FakeMember | None,
        channel: FakeChannel | None,
        subcommand: str | None,
        focused: str | None,
    ) -> InteractionRecord:
        user = user or self.student
        path = name.split() + (subcommand.split() if subcommand else [])
        guild: FakeGuild | None = user.guild if isinstance(user, FakeMember) else None
        command = self.find_command(path[0], guild)
        for value in values.values():
            if isinstance(value, Attachment):
                self.uploads[value.id] = value
        data, leaf = b.command_data(command, path, values, focused)
        resolved = b.resolved_for(
            leaf, self.users, guild, self.channels, self.uploads, self.api_url
        )
        if resolved:
            data["resolved"] = resolved
        return await self._send(kind, user, channel, data)

    # -- components -----------------------------------------------------------------------

    def _component(
        self, message: FakeMessage, custom_id: str, kinds: set[int], forged: bool
    ) -> dict[str, Any]:
        component = message.component(custom_id)
        if forged:
            return component or {"type": min(kinds), "custom_id": custom_id}
        if component is None or component.get("type") not in kinds:
            shown = [c.get("custom_id") for c in message.all_components() if c.get("custom_id")]
            raise NoSuchComponent(f"message {message.id} has no {custom_id!r}; it has {shown}")
        if component.get("disabled"):
            raise NoSuchComponent(f"{custom_id!r} is disabled on message {message.id}")
        return component

    async def click(
        self,
        message: FakeMessage | Callback | InteractionRecord,
        custom_id: str,
        user: FakeUser | FakeMember | None = None,
        *,
        forged: bool = False,
    ) -> InteractionRecord:
        """Click the button `custom_id` on `message` as `user`.

        Raises `NoSuchComponent` if the message shows no such enabled button, unless
        `forged=True`: then the custom_id is sent as given, as a tampering client could.
        """
        target = self._message_of(message)
        component = self._component(target, custom_id, {2}, forged)
        user = self._member_for(user or self.student, self.channels[target.channel_id])
        data = b.component_data(component, custom_id, None)
        extra = None
        if target.component(custom_id) is None:
            extra = {"type": 2, "style": 2, "label": "forged", "custom_id": custom_id}
        channel = self.channels[target.channel_id]
        return await self._send(b.COMPONENT, user, channel, data, target, extra)

    async def select(
        self,
        message: FakeMessage | Callback | InteractionRecord,
        custom_id: str,
        values: list[str],
        user: FakeUser | FakeMember | None = None,
        *,
        forged: bool = False,
    ) -> InteractionRecord:
        """Choose `values` in the select menu `custom_id` on `message`."""
        target = self._message_of(message)
        component = self._component(target, custom_id, _SELECTS, forged)
        if not forged and component.get("type") == 3:
            offered = {o["value"] for o in component.get("options") or []}
            if not set(values) <= offered:
                raise NoSuchComponent(f"{custom_id!r} offers {sorted(offered)}, not {values}")
            low, high = component.get("min_values", 1), component.get("max_values", 1)
            if not low <= len(values) <= high:
                raise NoSuchComponent(f"{custom_id!r} takes {low} to {high} values")
        user = self._member_for(user or self.student, self.channels[target.channel_id])
        data = b.component_data(component, custom_id, values)
        extra = None
        if target.component(custom_id) is None:
            options = [{"label": v, "value": v} for v in values]
            extra = {"type": 3, "custom_id": custom_id, "options": options, "max_values": 25}
        channel = self.channels[target.channel_id]
        return await self._send(b.COMPONENT, user, channel, data, target, extra)

    async def modal_submit(
        self,
        custom_id: str,
        fields: dict[str, Any],
        user: FakeUser | FakeMember | None = None,
        *,
        forged: bool = False,
    ) -> InteractionRecord:
        """Submit the modal `custom_id` the bot last showed `user`, with `fields` filled in."""
        account = user or self.student
        account_id = account.id
        shown = [
            rec
            for rec in self.interactions.values()
            if rec.callback is not None
            and rec.callback.type == 9
            and rec.callback.custom_id == custom_id
            and rec.user.id == account_id
        ]
        if not shown and not forged:
            raise NoSuchComponent(f"the bot showed no modal {custom_id!r} to user {account_id}")
        origin = shown[-1] if shown else None
        modal = origin.callback.data if origin and origin.callback else None
        if modal is not None and not forged:
            inputs = {
                c.get("custom_id")
                for top in modal.get("components") or []
                for c in (top.get("components") or [top.get("component") or {}])
            }
            unknown = set(fields) - inputs
            if unknown:
                raise NoSuchComponent(f"modal {custom_id!r} has no fields {sorted(unknown)}")
        channel = origin.channel if origin else None
        if origin is not None and origin.guild is not None and not isinstance(account, FakeMember):
            account = self._member_for(account, origin.channel)
        data = b.modal_submit_data(modal, custom_id, fields)
        message = origin.message if origin else None
        return await self._send(b.MODAL_SUBMIT, account, channel, data, message)

    @staticmethod
    def _message_of(message: FakeMessage | Callback | InteractionRecord) -> FakeMessage:
        if isinstance(message, InteractionRecord):
            message = message.original or message.message  # type: ignore[assignment]
        if isinstance(message, Callback):
            message = message.message  # type: ignore[assignment]
        if not isinstance(message, FakeMessage):
            raise NoSuchComponent("that interaction produced no message to click on")
        return message

    # -- reading answers ------------------------------------------------------------------

    async def wait_response(self, interaction: InteractionRecord, timeout: float = 5.0) -> Callback:  # noqa: ASYNC109
        """The bot's callback to `interaction` (waits for it; `NoResponse` after `timeout`)."""
        try:
            await asyncio.wait_for(interaction.answered.wait(), timeout)
        except TimeoutError:
            raise NoResponse(f"no response to interaction {interaction.id} in {timeout}s") from None
        assert interaction.callback is not None
        return interaction.callback

    def original(self, interaction: InteractionRecord) -> FakeMessage:
        """The original response message as it is now, after any edits; `NoResponse` if none.

        `interaction.original` is the same message, or None while there is none.
        """
        if interaction.original is None:
            raise NoResponse(f"interaction {interaction.id} has no original response message")
        return interaction.original

    def followups(self, interaction: InteractionRecord) -> list[FakeMessage]:
        return list(interaction.followups)

    async def wait_followups(
        self,
        interaction: InteractionRecord,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[FakeMessage]:
        """Wait until the bot has sent `count` followups to `interaction`."""
        await self._until(lambda: len(interaction.followups) >= count, timeout)
        return list(interaction.followups)

    async def wait_until(self, predicate: Any, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Poll `predicate()` until it is true (for edits and channel messages)."""
        await self._until(predicate, timeout)

    @staticmethod
    async def _until(predicate: Any, timeout: float) -> None:  # noqa: ASYNC109
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise NoResponse(f"condition not met in {timeout}s")
            await asyncio.sleep(0.005)
