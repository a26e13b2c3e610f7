"""Discord's limits that the renderers keep to (docs/discord-limits.md), and the project's one
`clip`, re-exported here for the renderers."""

from tutorbot.content.models import clip as clip

CONTENT = 2000
EMBED_TITLE = 256
FIELD_VALUE = 1024
BUTTON_LABEL = 80
CHOICE_NAME = 100
AUTOCOMPLETE_CHOICES = 25
ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The largest file a bot may attach without a boosted server (Discord's default upload limit)."""


def bounded_lines(
    lines: list[str], limit: int, more: str = "… and {n} more", hidden: int = 0
) -> str:
    """Join whole lines up to `limit` characters, ending with a count of the lines left out
    (plus `hidden`, lines the caller already left out)."""
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        tail = more.format(n=len(lines) - index + hidden)
        cost = len(line) + (1 if out else 0)
        rest_needed = len(tail) + 1 if index < len(lines) - 1 or hidden else 0
        if used + cost + rest_needed > limit:
            out.append(tail)
            return "\n".join(out)
        out.append(line)
        used += cost
    if hidden:
        out.append(more.format(n=hidden))
    return "\n".join(out)
