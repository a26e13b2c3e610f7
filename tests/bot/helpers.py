"""Reading what the fake Discord received, as a user would see it."""

from __future__ import annotations

from typing import Any

from fakediscord import FakeDiscord, InteractionRecord


def embed_text(embed: dict[str, Any]) -> str:
    """Every visible string of an embed, in reading order."""
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def message_text(message: Any) -> str:
    """Content and all embeds of a message or callback."""
    return "\n".join([message.content or "", *(embed_text(e) for e in message.embeds)])


def buttons(components: list[dict[str, Any]]) -> dict[str, str]:
    """Label -> custom_id of every button."""
    return {
        c["label"]: c["custom_id"]
        for row in components
        for c in row.get("components", [])
        if c.get("type") == 2
    }


def enabled(components: list[dict[str, Any]]) -> dict[str, str]:
    """Label -> custom_id of every enabled button."""
    return {
        c["label"]: c["custom_id"]
        for row in components
        for c in row.get("components", [])
        if c.get("type") == 2 and not c.get("disabled")
    }


async def exported(fake: FakeDiscord, mydata: InteractionRecord) -> tuple[str, list[Any]]:
    """What /mydata sent: its text and its attachments (the reply comes as followups, after a
    "thinking" response)."""
    await fake.wait_response(mydata)
    first, *_ = await fake.wait_followups(mydata, 1, timeout=30)
    parts = [a for m in fake.followups(mydata) for a in m.attachments]
    return first.content, parts
