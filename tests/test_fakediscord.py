"""The fake Discord against the real discord.py client, with a tiny bot written here."""

from __future__ import annotations

import asyncio
import re
import warnings
from typing import Any

import discord
import pytest
from discord import app_commands
from fakediscord import EPHEMERAL, FakeDiscord, NoSuchComponent, running


class Answer(discord.ui.DynamicItem[discord.ui.Button], template=r"t:answer:(?P<choice>[A-D])"):
    """A restart-proof button, as the bot's buttons will be."""

    def __init__(self, choice: str) -> None:
        super().__init__(discord.ui.Button(label=choice, custom_id=f"t:answer:{choice}"))
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Answer:
        return cls(match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        kind = type(interaction.user).__name__
        await interaction.response.send_message(
            f"you chose {self.choice} as {kind}", ephemeral=True
        )


class Pick(discord.ui.DynamicItem[discord.ui.Select], template=r"t:pick"):
    def __init__(self) -> None:
        options = [discord.SelectOption(label=x, value=x) for x in ("a", "b", "c")]
        super().__init__(discord.ui.Select(custom_id="t:pick", options=options))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Pick:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        data: Any = interaction.data  # a select sends `values`; the TypedDict union lacks them
        await interaction.response.edit_message(content=f"picked {data['values']}")


class Note(discord.ui.Modal, title="Write your answer"):
    answer: discord.ui.TextInput = discord.ui.TextInput(label="Answer", custom_id="t:note:answer")

    def __init__(self) -> None:
        super().__init__(custom_id="t:note", timeout=None)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.answer.value}", ephemeral=True)


def make_client(fake: FakeDiscord) -> discord.Client:
    """A minimal bot: the commands below, both DynamicItems, a modal."""
    client = discord.Client(
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    tree = app_commands.CommandTree(client)
    client.add_dynamic_items(Answer, Pick)
    topics = ["algebra", "calculus", "geometry"]

    @tree.command(description="Ask a question")
    @app_commands.describe(topic="Topic", questions="How many")
    async def quiz(interaction: discord.Interaction, topic: str, questions: int = 1) -> None:
        view = discord.ui.View(timeout=None)
        for choice in "ABC":
            view.add_item(Answer(choice))
        view.add_item(Pick())
        who = type(interaction.user).__name__
        await interaction.response.send_message(
            f"{topic} x{questions} for {who}", view=view, ephemeral=True
        )

    @quiz.autocomplete("topic")
    async def quiz_topics(interaction: discord.Interaction, current: str) -> list:
        return [app_commands.Choice(name=t, value=t) for t in topics if current in t]

    goal = app_commands.Group(name="goal", description="Goals")

    @goal.command(name="set", description="Set a goal")
    async def goal_set(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send(f"goal: {topic}", ephemeral=True)
        await interaction.edit_original_response(content=f"goal set to {topic}")

    tree.add_command(goal)

    @tree.command(description="Write an answer")
    async def write(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Note())

    @tree.command(description="Announce")
    async def announce(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message("sent", ephemeral=True)
        assert isinstance(interaction.channel, discord.abc.Messageable)
        await interaction.channel.send(text)
        await interaction.user.send(f"dm: {text}")
        await interaction.edit_original_response(content="sent twice")

    @tree.command(description="Talk too much")
    async def long(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("x" * 2001)
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"refused: {exc.text}")

    @tree.command(description="Answer twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("one")
        try:
            await interaction.followup.send("two")
            await interaction.response._parent._state.http.request(  # raw second ack
                discord.http.Route(
                    "POST",
                    "/interactions/{interaction_id}/{token}/callback",
                    interaction_id=interaction.id,
                    token=interaction.token,
                ),
                json={"type": 4, "data": {"content": "again"}},
            )
        except discord.HTTPException as exc:
            await interaction.followup.send(f"refused: {exc.code}")

    @tree.command(description="Answer late")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            client.late_error = exc.code  # type: ignore[attr-defined]

    @client.event
    async def setup_hook() -> None:
        await tree.sync()
        await tree.sync(guild=discord.Object(fake.guild.id))

    return client


async def test_login_ready_guilds_and_sync(fake_discord: FakeDiscord) -> None:
    client = make_client(fake_discord)
    async with running(client, fake_discord):
        guild = client.get_guild(fake_discord.guild.id)
        assert guild is not None and guild.name == "Test Server"
        assert guild.me is not None and guild.me.id == fake_discord.bot.id
        assert {c.name for c in guild.text_channels} == {"general", "rounds"}
        assert client.user is not None and client.user.id == fake_discord.bot.id
        assert client.application_id == fake_discord.application_id
    names = {c["name"] for c in fake_discord.registered_commands()}
    assert {"quiz", "goal", "write", "announce"} <= names
    assert fake_discord.sync_calls == {None: 1, fake_discord.guild.id: 1}
    assert fake_discord.rejections == []


async def test_setting_the_two_module_attributes_is_enough() -> None:
    async with FakeDiscord() as fake:
        discord.http.Route.BASE = fake.api_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = discord.gateway.yarl.URL(
            fake.gateway_url
        )
        try:
            client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
            task = asyncio.create_task(client.start(fake.token))
            await asyncio.wait_for(client.wait_until_ready(), 10)
            assert client.get_guild(fake.guild.id) is not None
            await client.close()
            await task
        finally:
            discord.http.Route.BASE = "https://discord.com/api/v10"
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = discord.gateway.yarl.URL(
                "wss://gateway.discord.gg/"
            )
    assert fake.gateway.identifies == 1


async def test_slash_autocomplete_button_and_select(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("quiz", {"topic": "algebra", "questions": 2}, fake.student)
        answer = await fake.wait_response(ask)
        assert answer.type == 4 and answer.ephemeral
        assert answer.content == "algebra x2 for Member"
        assert answer.message is not None and answer.message.component("t:answer:B")

        typed = await fake.autocomplete("quiz", "topic", "alg", fake.student)
        assert (await fake.wait_response(typed)).choices == [
            {"name": "algebra", "value": "algebra"}
        ]

        click = await fake.click(ask, "t:answer:B", fake.student)
        assert (await fake.wait_response(click)).content == "you chose B as Member"

        pick = await fake.select(ask, "t:pick", ["c"], fake.student)
        updated = await fake.wait_response(pick)
        assert updated.type == 7
        assert fake.original(ask).content == "picked ['c']"
        assert fake.original(ask).history[0]["content"] == "algebra x2 for Member"

        dm = await fake.slash("quiz", {"topic": "geometry"}, fake.dm_user)
        assert (await fake.wait_response(dm)).content == "geometry x1 for User"
        assert fake.rejections == []


async def test_nonexistent_and_forged_buttons(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("quiz", {"topic": "algebra"}, fake.student)
        await fake.wait_response(ask)
        with pytest.raises(NoSuchComponent):
            await fake.click(ask, "t:answer:D", fake.student)
        forged = await fake.click(ask, "t:answer:D", fake.student, forged=True)
        assert (await fake.wait_response(forged)).content == "you chose D as Member"


async def test_defer_followup_and_edit_original(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("goal set", {"topic": "calculus"}, fake.admin)
        deferred = await fake.wait_response(ask)
        assert deferred.type == 5 and deferred.ephemeral
        await fake.wait_until(lambda: fake.original(ask).content == "goal set to calculus")
        assert [m.content for m in fake.followups(ask)] == ["goal set to calculus"]
        assert fake.original(ask).history[-1]["content"] == "goal: calculus"
        assert fake.rejections == []


async def test_modal_submit(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("write", {}, fake.student)
        modal = await fake.wait_response(ask)
        assert modal.type == 9 and modal.title == "Write your answer"
        submit = await fake.modal_submit("t:note", {"t:note:answer": "forty-two"}, fake.student)
        assert (await fake.wait_response(submit)).content == "noted: forty-two"
        with pytest.raises(NoSuchComponent):
            await fake.modal_submit("t:other", {"x": "y"}, fake.student)


async def test_channel_message_and_dm(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("announce", {"text": "hello"}, fake.student)
        await fake.wait_response(ask)
        await fake.wait_until(lambda: fake.original(ask).content == "sent twice")
        assert [m.content for m in fake.messages_in(fake.channel)] == ["hello"]
        assert [m.content for m in fake.dms_with(fake.student)] == ["dm: hello"]
        assert fake.rejections == []


async def test_overlong_content_is_refused_like_discord(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("long", {}, fake.student)
        answer = await fake.wait_response(ask)
        assert answer.content == (
            "refused: Invalid Form Body\nIn data.content: Must be 2000 or fewer in length."
        )
        [rejection] = fake.rejections
        assert (rejection.status, rejection.code) == (400, 50035)


async def test_second_acknowledgement_is_refused(fake_discord: FakeDiscord) -> None:
    async with running(make_client(fake_discord), fake_discord):
        fake = fake_discord
        ask = await fake.slash("twice", {}, fake.student)
        await fake.wait_response(ask)
        followups = await fake.wait_followups(ask, 2)
        assert [m.content for m in followups] == ["two", "refused: 40060"]
        assert [r.code for r in fake.rejections] == [40060]


async def test_late_response_is_unknown_interaction() -> None:
    async with FakeDiscord(response_deadline=0.1) as fake:
        client = make_client(fake)
        async with running(client, fake):
            ask = await fake.slash("late", {}, fake.student)
            await fake.wait_until(lambda: getattr(client, "late_error", None) is not None)
            assert ask.callback is None
            assert client.late_error == 10062  # type: ignore[attr-defined]
            assert [(r.status, r.code) for r in fake.rejections] == [(404, 10062)]


async def test_files_and_unknown_routes_are_recorded(fake_discord: FakeDiscord) -> None:
    client = make_client(fake_discord)
    async with running(client, fake_discord):
        channel = client.get_channel(fake_discord.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("export", file=discord.File(__file__, filename="data.csv"))
        assert sent.attachments[0].filename == "data.csv"
        [stored] = fake_discord.messages_in(fake_discord.channel)
        assert stored.attachments[0].data.startswith(b'"""The fake Discord')
        with pytest.raises(discord.NotFound):
            await channel.create_invite()
    assert fake_discord.rejections[-1].status == 404


async def test_closing_leaves_nothing_behind(fake_discord: FakeDiscord) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with running(make_client(fake_discord), fake_discord):
            ask = await fake_discord.slash("quiz", {"topic": "x"}, fake_discord.student)
            await fake_discord.wait_response(ask)
    await asyncio.sleep(0)
    # discord.py keeps the 900 s timer of an ephemeral message's view; nothing else may remain
    leftovers = [
        t
        for t in asyncio.all_tasks()
        if t is not asyncio.current_task() and "timeout_task" not in repr(t.get_coro())
    ]
    assert leftovers == []
    assert EPHEMERAL == 64


async def test_fail_next_answers_server_errors_then_serves(fake_discord: FakeDiscord) -> None:
    client = make_client(fake_discord)
    async with running(client, fake_discord):
        fake = fake_discord
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("before")
        edits = rf"/channels/{fake.channel.id}/messages/{sent.id}"
        fault = fake.fail_next("PATCH", edits, times=2, status=503)
        for _ in range(2):
            with pytest.raises(discord.DiscordServerError) as failed:
                await sent.edit(content="after")
            assert failed.value.status == 503
        assert fake.messages[sent.id].content == "before"
        await sent.edit(content="after")
        assert fake.messages[sent.id].content == "after"
        assert (fault.served, fault.remaining) == (2, 0)
        statuses = [q.status for q in fake.requests if q.method == "PATCH"]
        assert statuses == [503, 503, 200]
        assert fake.rejections == []  # the bot did nothing wrong
        await channel.send("other routes are served")
        assert fake.messages_in(fake.channel)[-1].content == "other routes are served"


async def test_slow_delays_matching_requests_only(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    slow_channel = fake.add_text_channel(fake.guild, "slow")
    client = make_client(fake)
    async with running(client, fake):
        fast, slow = (client.get_channel(c.id) for c in (fake.channel, slow_channel))
        assert isinstance(fast, discord.TextChannel) and isinstance(slow, discord.TextChannel)
        on_fast, on_slow = await fast.send("fast"), await slow.send("slow")
        delay = fake.slow("PATCH", rf"/channels/{slow_channel.id}/messages/\d+", 0.5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        slow_edit = asyncio.ensure_future(on_slow.edit(content="slow, edited"))
        await on_fast.edit(content="fast, edited")
        assert loop.time() - started < 0.4
        assert fake.messages[on_slow.id].content == "slow"  # still on its way
        await slow_edit
        assert loop.time() - started >= 0.5
        assert fake.messages[on_slow.id].content == "slow, edited"
        assert delay.served == 1
        delay.seconds = 0
        await on_slow.edit(content="quick again")
        assert fake.messages[on_slow.id].content == "quick again"
        assert fake.rejections == []
