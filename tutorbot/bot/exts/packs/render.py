"""What /pack shows: previews, the pack list, the remove confirm and the outcomes, within
Discord's limits at any input length.

File names, titles and problems come from an uploaded file: everything is escaped for Markdown
and mentions (`safe`) and clipped, and a preview whose problems do not all fit lists the first
ones and carries every one of them in `problems.txt`.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from tutorbot.bot import limits
from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.content.models import QuestionType, Topic
from tutorbot.content.report import TYPE_NAMES
from tutorbot.services.packs import PREVIEW_MINUTES, PackInfo, PackPreview

FEATURE = "pack"
PROBLEMS_FILE = "problems.txt"
NAME_SHOWN = 60
"""Characters of a file name shown in a message (the whole name is in /pack list's file)."""
TITLE_SHOWN = 100
"""Characters of a topic title shown in a preview."""
PROBLEM_SHOWN = 300
"""Characters of one problem shown in a message (problems.txt has it whole)."""
TOPICS_BUDGET = 2800
"""Characters of the preview's description given to its topics."""
DESCRIPTION = 4096
EMBED_TOTAL = 6000
NO_PACKS = (
    "No packs yet: /pack import file:<your question bank> uploads one (GIFT, Moodle XML, Aiken, "
    "Anki, Kahoot, Quizlet, Open Trivia DB or Red trivia), shows what was understood, and "
    "imports it when you press Import."
)


def safe(text: str, limit: int = NAME_SHOWN) -> str:
    """User text (a file name, a title, a problem) clipped and escaped for Markdown and mentions,
    as `bot/members.name_of` escapes names."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(limits.clip(text, limit)))


def plural(count: int, one: str, many: str | None = None) -> str:
    """A count with its noun: "1 topic", "3 topics"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


REFUSAL_SHOWN = 1000
"""Characters of a refusal that quotes a file shown (escaping may double them)."""


def plain(text: str) -> str:
    """A refusal that quotes a file's name or content, escaped to show as written, and short
    enough for one message."""
    return safe(text, REFUSAL_SHOWN)


@dataclass
class PackMessage:
    """A /pack message: text or an embed, its buttons, and any files to attach."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View = field(default_factory=lambda: discord.ui.View(timeout=None))
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def discord_files(self) -> list[discord.File]:
        """The files as discord.py sends them."""
        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]


# Preview ------------------------------------------------------------------------------------


def type_counts(topic: Topic) -> str:
    """A topic's questions counted by type: "5 multiple choice, 2 true/false"."""
    counts = Counter(q.type for q in topic.questions)
    return ", ".join(f"{counts[kind]} {TYPE_NAMES[kind]}" for kind in QuestionType if counts[kind])


def topic_line(topic: Topic) -> str:
    """One topic of a preview: its title, its questions and their types."""
    line = f"• **{safe(topic.title, TITLE_SHOWN)}**: {plural(len(topic.questions), 'question')}"
    kinds = type_counts(topic)
    return f"{line} ({kinds})" if kinds else line


def one_line(text: str) -> str:
    """Text with its runs of whitespace, line breaks included, as single spaces."""
    return " ".join(text.split())


def problem_line(where: str, why: str) -> str:
    """One problem as a message shows it (clipped; problems.txt has it whole)."""
    return "• " + safe(one_line(f"{where}: {why}"), PROBLEM_SHOWN)


def replaces_line(preview: PackPreview) -> str | None:
    """What importing does to the pack of the same name, when there is one."""
    old = preview.replaces
    if old is None:
        return None
    when = discord.utils.format_dt(old.imported_at, "D")
    head = f"Replaces pack `{old.name}` (imported {when}): "
    if preview.kept_questions == 0:
        return head + (
            f"none of its {plural(old.question_count, 'question')} stay; students' past "
            "answers to them stay in their stats."
        )
    return head + (
        f"{preview.kept_questions:,} of its {plural(old.question_count, 'question')} stay, "
        "so their answers and reviews keep counting."
    )


def _header(preview: PackPreview) -> list[str]:
    lines = [
        f"File: {safe(preview.source)} · format: {safe(preview.format_label)}",
        f"{plural(len(preview.topics), 'topic')}, {plural(preview.question_count, 'question')}"
        + (f", {plural(len(preview.problems), 'problem')}" if preview.problems else ""),
    ]
    replaces = replaces_line(preview)
    if replaces:
        lines.append(replaces)
    return lines


def problems_text(preview: PackPreview) -> bytes:
    """Every problem of a preview, one a line, for problems.txt."""
    lines = [one_line(f"Problems importing {preview.source} ({preview.format_label}):"), ""]
    lines += [one_line(str(problem)) for problem in preview.problems]
    return ("\n".join(lines) + "\n").encode()


def _problems_field(preview: PackPreview) -> tuple[str, bool]:
    """The problems as an embed field's value, and whether every one is there whole."""
    lines = [problem_line(p.where, p.why) for p in preview.problems]
    more = "… and {n} more in " + PROBLEMS_FILE
    value = limits.bounded_lines(lines, limits.FIELD_VALUE, more)
    whole = all(len(one_line(str(p))) <= PROBLEM_SHOWN for p in preview.problems)
    return value, whole and value.count("\n") + 1 == len(lines)


def _dropped_field(preview: PackPreview) -> str:
    lines = [
        f"• {safe(title, TITLE_SHOWN)}: {safe(prerequisite)}"
        for title, prerequisite in preview.dropped_prerequisites
    ]
    return limits.bounded_lines(lines, limits.FIELD_VALUE)


def preview_message(preview: PackPreview) -> PackMessage:
    """The private preview of an upload: what would be imported, every problem with its place,
    and Import and Cancel (no Import when nothing can be imported)."""
    title = limits.clip(f"Preview of pack {preview.name}", limits.EMBED_TITLE)
    lines = _header(preview)
    if preview.topics:
        lines += ["", "**Topics**"]
        topics = [topic_line(t) for t in preview.topics]
        lines.append(limits.bounded_lines(topics, TOPICS_BUDGET, "… and {n} more topics"))
        footer = (
            "Nothing is stored until you press Import. This preview works for "
            f"{PREVIEW_MINUTES} minutes."
        )
    else:
        lines += [
            "",
            "**Nothing here can be imported**: the file has no question TutorBot could read. "
            "The problems below say why; fix the file, or pick its format, and run /pack import "
            "again. Nothing was stored.",
        ]
        footer = "Nothing was stored."
    embed = discord.Embed(title=title, description=limits.clip("\n".join(lines), DESCRIPTION))
    message = PackMessage(embed=embed)
    if preview.problems:
        value, whole = _problems_field(preview)
        name = f"Not imported ({plural(len(preview.problems), 'problem')})"
        embed.add_field(name=name, value=value, inline=False)
        if not whole:
            message.files.append((PROBLEMS_FILE, problems_text(preview)))
    if preview.dropped_prerequisites:
        embed.add_field(
            name="Prerequisites left out (neither the pack nor the course has them)",
            value=_dropped_field(preview),
            inline=False,
        )
    embed.set_footer(text=footer)
    if preview.topics:
        pid = preview.preview_id
        message.view.add_item(
            button(
                make(FEATURE, "import", pid),
                "Import",
                style=discord.ButtonStyle.success,
            )
        )
        message.view.add_item(button(make(FEATURE, "cancel", pid), "Cancel"))
    return message


def imported_text(info: PackInfo) -> str:
    """What the preview becomes once imported."""
    return (
        f"Imported pack `{info.name}`: {plural(info.topic_count, 'topic')}, "
        f"{plural(info.question_count, 'question')}. Students find them in /topic, /quiz, "
        "/review and /round start now."
    )


CANCELLED = "Cancelled: nothing was imported."


def too_big_text(file_name: str, reason: str) -> str:
    """An upload refused by its size, before it was downloaded."""
    return plain(
        f"{limits.clip(file_name, NAME_SHOWN)} cannot be imported: {reason}. Nothing was stored."
    )


DOWNLOAD_FAILED = (
    "TutorBot could not download the file from Discord just now. Please run /pack import again."
)


# List ---------------------------------------------------------------------------------------


def pack_line(info: PackInfo) -> str:
    """One pack of /pack list."""
    when = discord.utils.format_dt(info.imported_at, "D")
    return (
        f"• `{info.name}`: {safe(info.source)} ({safe(info.format_label)}), "
        f"{plural(info.topic_count, 'topic')}, {plural(info.question_count, 'question')}, "
        f"imported {when}"
    )


def list_message(packs: Sequence[PackInfo]) -> PackMessage:
    """The server's packs, or how to import one."""
    if not packs:
        return PackMessage(content=NO_PACKS)
    questions = sum(p.question_count for p in packs)
    title = f"This server's packs ({plural(len(packs), 'pack')}, {plural(questions, 'question')})"
    lines = [pack_line(p) for p in packs]
    description = limits.bounded_lines(lines, DESCRIPTION, "… and {n} more packs")
    embed = discord.Embed(title=limits.clip(title, limits.EMBED_TITLE), description=description)
    embed.set_footer(
        text="/pack export gives a pack's questions as a file; /pack remove takes it away."
    )
    return PackMessage(embed=embed)


# Remove and export --------------------------------------------------------------------------


def remove_confirm(info: PackInfo) -> PackMessage:
    """The confirm step of /pack remove: what removing does, and Remove or Keep."""
    text = (
        f"Remove pack `{info.name}` ({plural(info.topic_count, 'topic')}, "
        f"{plural(info.question_count, 'question')}, from {safe(info.source)})? "
        "Its topics leave this server's /topic, /quiz, progress and review. Students' past "
        "answers stay in their stats. Importing the same file again brings it back."
    )
    message = PackMessage(content=text)
    message.view.add_item(
        button(make(FEATURE, "remove", info.name), "Remove", style=discord.ButtonStyle.danger)
    )
    message.view.add_item(button(make(FEATURE, "keep", info.name), "Keep"))
    return message


def removed_text(info: PackInfo) -> str:
    """What the confirm becomes once the pack is removed."""
    return (
        f"Removed pack `{info.name}`: its {plural(info.topic_count, 'topic')} left this "
        "server's topics, progress and review. Students' past answers to its "
        f"{plural(info.question_count, 'question')} stay in their stats."
    )


def kept_text(name: str) -> str:
    """What the confirm becomes when the instructor keeps the pack."""
    return f"Kept pack `{name}`: nothing was removed."


def export_text(info_name: str, format_label: str) -> str:
    """What /pack export says beside its file."""
    return (
        f"Pack `{info_name}` as {format_label}: import it into Moodle, or back with /pack import."
    )


def export_too_big(size: int, limit: int) -> str:
    """An export larger than this reply may carry."""
    return (
        f"The export is {size / 1_000_000:.1f} MB, more than the {limit / 1_000_000:.1f} MB "
        "Discord lets TutorBot attach here; try the other format."
    )
