"""INTERACTION_CREATE payloads, shaped like the ones Discord sends.

A guild interaction carries `member` (with `permissions`) and `guild_id`; a DM interaction
carries `user` and a DM `channel`. discord.py parses them into `Member` and `User`.
"""

from __future__ import annotations

from typing import Any

from .state import Attachment, FakeChannel, FakeGuild, FakeMember, FakeUser

PING, APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
OPTION_SUB_COMMAND, OPTION_GROUP = 1, 2
OPTION_STRING, OPTION_INTEGER, OPTION_BOOLEAN, OPTION_USER = 3, 4, 5, 6
OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE, OPTION_NUMBER = 7, 8, 9, 10
OPTION_ATTACHMENT = 11


def interaction_payload(
    *,
    interaction_id: int,
    token: str,
    type: int,
    application_id: int,
    user: FakeUser | FakeMember,
    channel: FakeChannel,
    data: dict[str, Any] | None,
    bot_permissions: int,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The common envelope of every interaction."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": type,
        "token": token,
        "version": 1,
        "channel": channel.payload(),
        "channel_id": str(channel.id),
        "locale": "en-US",
        "app_permissions": str(bot_permissions),
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if data is not None:
        payload["data"] = data
    if message is not None:
        payload["message"] = message
    if isinstance(user, FakeMember):
        payload["guild_id"] = str(user.guild.id)
        payload["guild"] = {"id": str(user.guild.id), "locale": "en-US", "features": []}
        payload["guild_locale"] = "en-US"
        payload["member"] = user.payload(with_permissions=True)
        payload["context"] = 0
        payload["authorizing_integration_owners"] = {"0": str(user.guild.id)}
    else:
        payload["user"] = user.payload()
        payload["context"] = 1
        payload["authorizing_integration_owners"] = {"0": str(user.id)}
    return payload


def _coerce(option_type: int, value: Any) -> Any:
    if option_type == OPTION_INTEGER:
        return int(value)
    if option_type == OPTION_NUMBER:
        return float(value)
    if option_type == OPTION_BOOLEAN:
        return bool(value)
    if option_type in (OPTION_USER, OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE) or isinstance(
        value, Attachment
    ):
        return str(getattr(value, "id", value))
    return str(value)


def command_options(
    schema: list[dict[str, Any]],
    values: dict[str, Any],
    focused: str | None = None,
) -> list[dict[str, Any]]:
    """Typed option list for `values`, following the registered command's option schema.

    An option the schema does not know is sent as a string, so a test can still send it.
    """
    by_name = {o["name"]: o for o in schema}
    options = []
    for name, value in values.items():
        option_type = by_name.get(name, {}).get("type", OPTION_STRING)
        if name == focused:
            option: dict[str, Any] = {"name": name, "type": option_type, "value": str(value)}
            option["focused"] = True
        else:
            option = {"name": name, "type": option_type, "value": _coerce(option_type, value)}
        options.append(option)
    return options


def resolved_for(
    options: list[dict[str, Any]],
    users: dict[int, FakeUser],
    guild: FakeGuild | None,
    channels: dict[int, FakeChannel],
    uploads: dict[int, Attachment] | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """The `resolved` block for user, channel, role and attachment options (an attachment's
    `url` and `proxy_url` point at `base_url`, where the fake serves its bytes)."""
    resolved: dict[str, dict[str, Any]] = {}
    for option in options:
        kind, value = option["type"], option.get("value")
        if kind == OPTION_ATTACHMENT and value and uploads and int(value) in uploads:
            resolved.setdefault("attachments", {})[value] = uploads[int(value)].payload(base_url)
        elif kind in (OPTION_USER, OPTION_MENTIONABLE) and value and int(value) in users:
            user = users[int(value)]
            resolved.setdefault("users", {})[value] = user.payload()
            if guild is not None and user.id in guild.members:
                member = guild.members[user.id].payload(with_permissions=True)
                member.pop("user")
                resolved.setdefault("members", {})[value] = member
        elif kind == OPTION_CHANNEL and value and int(value) in channels:
            channel = channels[int(value)].payload()
            channel["permissions"] = str((1 << 53) - 1)
            resolved.setdefault("channels", {})[value] = channel
        elif kind == OPTION_ROLE and guild is not None:
            role = next((r for r in guild.roles if str(r.id) == value), None)
            if role is not None:
                resolved.setdefault("roles", {})[str(value)] = role.payload()
    return resolved


def command_data(
    command: dict[str, Any] | None,
    path: list[str],
    values: dict[str, Any],
    focused: str | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`data` of a slash or autocomplete interaction, and its leaf options.

    `path` is the command name followed by any group and subcommand names.
    """
    schema = (command or {}).get("options") or []
    leaf_schema = schema
    for part in path[1:]:
        node: dict[str, Any] = next((o for o in leaf_schema if o.get("name") == part), {})
        leaf_schema = node.get("options") or []
    leaf = command_options(leaf_schema, values, focused)
    options = leaf
    for depth, part in reversed(list(enumerate(path[1:], start=1))):
        kind = OPTION_SUB_COMMAND if depth == len(path) - 1 else OPTION_GROUP
        options = [{"name": part, "type": kind, "options": options}]
    data: dict[str, Any] = {
        "id": str((command or {}).get("id", 0)),
        "name": path[0],
        "type": 1,
        "options": options,
    }
    if command is not None and command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data, leaf


def component_data(component: dict[str, Any], custom_id: str, values: list[str] | None) -> dict:
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component.get("type", 2)}
    if values is not None:
        data["values"] = values
    return data


def modal_submit_data(modal: dict[str, Any] | None, custom_id: str, fields: dict[str, str]) -> dict:
    """`data` of a modal submit, mirroring the modal's layout (action rows or labels)."""
    rows: list[dict[str, Any]] = []
    placed: set[str] = set()
    for top in (modal or {}).get("components") or []:
        if top.get("type") == 18 and isinstance(top.get("component"), dict):
            inner = top["component"]
            field_id = inner.get("custom_id")
            if field_id in fields:
                placed.add(field_id)
                rows.append({"type": 18, "component": _submitted(inner, fields[field_id])})
        else:
            children = []
            for inner in top.get("components") or []:
                field_id = inner.get("custom_id")
                if field_id in fields:
                    placed.add(field_id)
                    children.append(_submitted(inner, fields[field_id]))
            if children:
                rows.append({"type": 1, "components": children})
    for field_id, value in fields.items():
        if field_id not in placed:
            rows.append(
                {"type": 1, "components": [_submitted({"type": 4, "custom_id": field_id}, value)]}
            )
    return {"custom_id": custom_id, "components": rows}


def _submitted(component: dict[str, Any], value: Any) -> dict[str, Any]:
    if component.get("type", 4) == 4:
        return {"type": 4, "custom_id": component["custom_id"], "value": value}
    values = value if isinstance(value, list) else [value]
    return {"type": component["type"], "custom_id": component["custom_id"], "values": values}
