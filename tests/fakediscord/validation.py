"""Discord's limits, checked the way Discord checks them.

Each check returns an `errors` tree in Discord's own shape
(`{"embeds": {"0": {"title": {"_errors": [{"code": ..., "message": ...}]}}}}`), so the 400
body the fake sends is the one discord.py turns into `HTTPException` text such as
"In embeds.0.title: Must be 256 or fewer in length.".
"""

from __future__ import annotations

from typing import Any

from .state import COMPONENTS_V2

Errors = dict[str, Any]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
ROWS_MAX = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
SELECT_TEXT_MAX = 100
CHOICES_MAX = 25
CHOICE_TEXT_MAX = 100
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
V2_COMPONENTS_MAX = 40
V2_TEXT_MAX = 4000

_LINK_STYLES = {5, 6}
_SELECT_TYPES = {3, 5, 6, 7, 8}


def add_error(errors: Errors, path: list[str | int], code: str, message: str) -> None:
    """Put one error at `path` in a Discord errors tree."""
    node = errors
    for part in path:
        node = node.setdefault(str(part), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def _max_length(errors: Errors, path: list[str | int], value: Any, limit: int) -> None:
    if isinstance(value, str | list) and len(value) > limit:
        add_error(errors, path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _length_between(errors: Errors, path: list[str | int], value: Any, low: int, high: int) -> None:
    if not isinstance(value, str) or not low <= len(value) <= high:
        add_error(
            errors,
            path,
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between {low} and {high} in length.",
        )


def check_embeds(errors: Errors, path: list[str | int], embeds: list[dict[str, Any]]) -> None:
    _max_length(errors, path, embeds, EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        at = [*path, i]
        for key, limit in EMBED_LIMITS.items():
            _max_length(errors, [*at, key], embed.get(key), limit)
            total += len(embed.get(key) or "")
        fields = embed.get("fields") or []
        _max_length(errors, [*at, "fields"], fields, FIELDS_MAX)
        for j, fld in enumerate(fields):
            _length_between(errors, [*at, "fields", j, "name"], fld.get("name"), 1, FIELD_NAME_MAX)
            _length_between(
                errors, [*at, "fields", j, "value"], fld.get("value"), 1, FIELD_VALUE_MAX
            )
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
        footer = (embed.get("footer") or {}).get("text")
        _max_length(errors, [*at, "footer", "text"], footer, FOOTER_MAX)
        author = (embed.get("author") or {}).get("name")
        _max_length(errors, [*at, "author", "name"], author, AUTHOR_NAME_MAX)
        total += len(footer or "") + len(author or "")
    if total > EMBED_TOTAL_MAX:
        add_error(
            errors,
            path,
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def _check_custom_id(
    errors: Errors, path: list[str | int], component: dict[str, Any], seen: set[str]
) -> None:
    custom_id = component.get("custom_id")
    _length_between(errors, [*path, "custom_id"], custom_id, 1, CUSTOM_ID_MAX)
    if isinstance(custom_id, str) and custom_id:
        if custom_id in seen:
            add_error(
                errors,
                [*path, "custom_id"],
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)


def _check_button(
    errors: Errors, path: list[str | int], button: dict[str, Any], seen: set[str]
) -> None:
    _max_length(errors, [*path, "label"], button.get("label"), BUTTON_LABEL_MAX)
    if button.get("style") in _LINK_STYLES:
        if button.get("style") == 5 and not button.get("url"):
            add_error(errors, [*path, "url"], "BASE_TYPE_REQUIRED", "This field is required")
    else:
        _check_custom_id(errors, path, button, seen)
    if not button.get("label") and not button.get("emoji") and button.get("style") != 6:
        add_error(errors, [*path, "label"], "BASE_TYPE_REQUIRED", "This field is required")


def _check_select(
    errors: Errors, path: list[str | int], select: dict[str, Any], seen: set[str]
) -> None:
    _check_custom_id(errors, path, select, seen)
    _max_length(errors, [*path, "placeholder"], select.get("placeholder"), 150)
    if select.get("type") == 3:
        options = select.get("options") or []
        if not options:
            add_error(
                errors,
                [*path, "options"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {SELECT_OPTIONS_MAX} in length.",
            )
        _max_length(errors, [*path, "options"], options, SELECT_OPTIONS_MAX)
        for k, option in enumerate(options):
            at = [*path, "options", k]
            _length_between(errors, [*at, "label"], option.get("label"), 1, SELECT_TEXT_MAX)
            _length_between(errors, [*at, "value"], option.get("value"), 1, SELECT_TEXT_MAX)
            _max_length(errors, [*at, "description"], option.get("description"), SELECT_TEXT_MAX)


def _check_classic(errors: Errors, components: list[dict[str, Any]], seen: set[str]) -> None:
    _max_length(errors, ["components"], components, ROWS_MAX)
    for i, row in enumerate(components):
        at: list[str | int] = ["components", i]
        if row.get("type") != 1:
            add_error(
                errors,
                [*at, "type"],
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,).',
            )
            continue
        children = row.get("components") or []
        if not children:
            add_error(
                errors,
                [*at, "components"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            )
        selects = [c for c in children if c.get("type") in _SELECT_TYPES]
        if selects and len(children) > 1:
            add_error(
                errors,
                [*at, "components"],
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        _max_length(errors, [*at, "components"], children, BUTTONS_PER_ROW)
        for j, child in enumerate(children):
            child_at = [*at, "components", j]
            if child.get("type") == 2:
                _check_button(errors, child_at, child, seen)
            elif child.get("type") in _SELECT_TYPES:
                _check_select(errors, child_at, child, seen)


def _check_v2(errors: Errors, components: list[dict[str, Any]], seen: set[str]) -> None:
    count = 0
    text = 0

    def walk(items: list[dict[str, Any]], path: list[str | int]) -> None:
        nonlocal count, text
        for i, item in enumerate(items):
            at = [*path, i]
            count += 1
            if item.get("type") == 10:
                text += len(item.get("content") or "")
            elif item.get("type") == 2:
                _check_button(errors, at, item, seen)
            elif item.get("type") in _SELECT_TYPES:
                _check_select(errors, at, item, seen)
            walk(item.get("components") or [], [*at, "components"])
            if isinstance(item.get("accessory"), dict):
                count += 1
                acc = item["accessory"]
                if acc.get("type") == 2:
                    _check_button(errors, [*at, "accessory"], acc, seen)

    walk(components, ["components"])
    if count > V2_COMPONENTS_MAX:
        add_error(
            errors,
            ["components"],
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {V2_COMPONENTS_MAX} or fewer in length.",
        )
    if text > V2_TEXT_MAX:
        add_error(
            errors,
            ["components"],
            "MAX_TEXT_DISPLAY_LENGTH_EXCEEDED",
            f"Text display content exceeds maximum length of {V2_TEXT_MAX}",
        )


def check_message(body: dict[str, Any]) -> Errors:
    """Errors in a message body (create, edit result, followup, callback data)."""
    errors: Errors = {}
    _max_length(errors, ["content"], body.get("content"), CONTENT_MAX)
    check_embeds(errors, ["embeds"], body.get("embeds") or [])
    components = body.get("components") or []
    seen: set[str] = set()
    if int(body.get("flags") or 0) & COMPONENTS_V2:
        if body.get("content") or body.get("embeds"):
            add_error(
                errors,
                ["content"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used"
                " when using MessageFlags.IS_COMPONENTS_V2",
            )
        _check_v2(errors, components, seen)
    else:
        _check_classic(errors, components, seen)
    return errors


def is_empty(body: dict[str, Any], has_files: bool) -> bool:
    """True when a message would have no content, embeds, components or files."""
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or has_files
        or body.get("attachments")
    )


def check_autocomplete(data: dict[str, Any]) -> Errors:
    errors: Errors = {}
    choices = data.get("choices") or []
    _max_length(errors, ["choices"], choices, CHOICES_MAX)
    for i, choice in enumerate(choices):
        _length_between(errors, ["choices", i, "name"], choice.get("name"), 1, CHOICE_TEXT_MAX)
        value = choice.get("value")
        if isinstance(value, str):
            _max_length(errors, ["choices", i, "value"], value, CHOICE_TEXT_MAX)
    return errors


def check_modal(data: dict[str, Any]) -> Errors:
    errors: Errors = {}
    _length_between(errors, ["title"], data.get("title"), 1, MODAL_TITLE_MAX)
    _length_between(errors, ["custom_id"], data.get("custom_id"), 1, CUSTOM_ID_MAX)
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        add_error(
            errors,
            ["components"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {MODAL_COMPONENTS_MAX} in length.",
        )
    seen: set[str] = set()
    for i, top in enumerate(components):
        inner = top.get("components") or ([top["component"]] if "component" in top else [])
        for j, item in enumerate(inner):
            at: list[str | int] = ["components", i, "components", j]
            if item.get("type") == 4:
                _check_custom_id(errors, at, item, seen)
                _max_length(errors, [*at, "label"], item.get("label"), TEXT_INPUT_LABEL_MAX)
                _max_length(errors, [*at, "value"], item.get("value"), TEXT_INPUT_VALUE_MAX)
                _max_length(errors, [*at, "placeholder"], item.get("placeholder"), 100)
            elif item.get("type") in _SELECT_TYPES:
                _check_select(errors, at, item, seen)
        if top.get("type") == 18:
            _max_length(errors, ["components", i, "label"], top.get("label"), TEXT_INPUT_LABEL_MAX)
    return errors


def check_command(command: dict[str, Any], path: list[str | int]) -> Errors:
    """Errors in one application command sent by a sync."""
    errors: Errors = {}
    name = command.get("name")
    _length_between(errors, [*path, "name"], name, 1, 32)
    if command.get("type", 1) == 1:
        if isinstance(name, str) and name != name.lower():
            add_error(
                errors,
                [*path, "name"],
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name}",
            )
        _length_between(errors, [*path, "description"], command.get("description"), 1, 100)
    options = command.get("options") or []
    _max_length(errors, [*path, "options"], options, 25)
    for i, option in enumerate(options):
        _length_between(errors, [*path, "options", i, "name"], option.get("name"), 1, 32)
        _length_between(
            errors, [*path, "options", i, "description"], option.get("description"), 1, 100
        )
        _max_length(errors, [*path, "options", i, "choices"], option.get("choices"), 25)
    return errors


def prefixed(prefix: str, errors: Errors) -> Errors:
    """Nest an errors tree under `prefix` (interaction callbacks report `data.content`)."""
    return {prefix: errors} if errors else {}
