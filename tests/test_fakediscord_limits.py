"""The fake refuses what Discord refuses, with Discord's error shape."""

from __future__ import annotations

import discord
import pytest
from fakediscord import FakeDiscord, running
from fakediscord.validation import check_autocomplete, check_message, check_modal


def button(custom_id: str, label: str = "ok") -> dict:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def row(*items: dict) -> dict:
    return {"type": 1, "components": list(items)}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"content": "x" * 2001}, ["content"]),
        ({"embeds": [{"title": "t" * 257}]}, ["embeds", "0", "title"]),
        ({"embeds": [{"description": "d" * 4097}]}, ["embeds", "0", "description"]),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, ["embeds", "0", "fields"]),
        (
            {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]},
            ["embeds", "0", "fields", "0", "name"],
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
            ["embeds", "0", "fields", "0", "value"],
        ),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, ["embeds", "0", "footer", "text"]),
        ({"embeds": [{"description": "d" * 4000}] * 2}, ["embeds"]),
        ({"embeds": [{"title": "t"}] * 11}, ["embeds"]),
        ({"components": [row(button(f"b{i}")) for i in range(6)]}, ["components"]),
        (
            {"components": [row(*(button(f"b{i}") for i in range(6)))]},
            ["components", "0", "components"],
        ),
        (
            {"components": [row(button("b", "l" * 81))]},
            ["components", "0", "components", "0", "label"],
        ),
        (
            {"components": [row(button("x" * 101))]},
            ["components", "0", "components", "0", "custom_id"],
        ),
        ({"components": [row(button(""))]}, ["components", "0", "components", "0", "custom_id"]),
        (
            {"components": [row(button("a"), button("a"))]},
            ["components", "0", "components", "1", "custom_id"],
        ),
        (
            {
                "components": [
                    row(
                        {
                            "type": 3,
                            "custom_id": "s",
                            "options": [{"label": "l", "value": str(i)} for i in range(26)],
                        }
                    )
                ]
            },
            ["components", "0", "components", "0", "options"],
        ),
        (
            {
                "components": [
                    row(
                        {
                            "type": 3,
                            "custom_id": "s",
                            "options": [{"label": "l" * 101, "value": "v"}],
                        }
                    )
                ]
            },
            ["components", "0", "components", "0", "options", "0", "label"],
        ),
    ],
)
def test_message_limits_name_the_field(body: dict, path: list[str]) -> None:
    node = check_message(body)
    for part in path:
        node = node[part]
    assert node["_errors"]


def test_messages_at_the_limits_pass() -> None:
    body = {
        "content": "x" * 2000,
        "embeds": [{"title": "t" * 256, "description": "d" * 1000, "footer": {"text": "f" * 100}}],
        "components": [row(*(button(f"b{r}{i}", "l" * 80) for i in range(5))) for r in range(5)],
    }
    assert check_message(body) == {}


def test_autocomplete_and_modal_limits() -> None:
    too_many = {"choices": [{"name": "n", "value": "v"}] * 26}
    assert check_autocomplete(too_many)["choices"]["_errors"]
    assert check_autocomplete({"choices": [{"name": "n" * 101, "value": "v"}]})["choices"]["0"][
        "name"
    ]
    text = {"type": 4, "custom_id": "f", "label": "Answer", "style": 1}
    assert check_modal({"title": "t" * 46, "custom_id": "m", "components": [row(text)]})["title"]
    assert check_modal({"title": "t", "custom_id": "m", "components": []})["components"]
    assert check_modal({"title": "t", "custom_id": "m", "components": [row(text)] * 6})[
        "components"
    ]


async def test_discord_py_raises_with_discords_text(fake_discord: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with running(client, fake_discord):
        channel = client.get_channel(fake_discord.channel.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as raised:
            await channel.send(embed=discord.Embed(title="t" * 257))
        assert raised.value.code == 50035
        assert "In embeds.0.title: Must be 256 or fewer in length." in raised.value.text
        with pytest.raises(discord.HTTPException) as empty:
            await channel.send(content="")
        assert empty.value.code == 50006
    assert [r.code for r in fake_discord.rejections] == [50035, 50006]


async def test_bot_routes_refuse_a_wrong_token(fake_discord: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert [r.status for r in fake_discord.rejections] == [401]
