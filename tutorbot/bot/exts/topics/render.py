"""Topic card, explainer pages, prerequisite chain pages and the map message as Discord messages.

Pure functions of the content and the student's state, so they are tested at maximum lengths
without Discord. The card's figures and phrases come from `tutorbot.content.card`, the one
implementation `tutorbot content show` and the console use too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord

from tutorbot.bot import limits
from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.content import card
from tutorbot.content.library import Library
from tutorbot.content.models import Topic
from tutorbot.paging import paginate
from tutorbot.services.progress import StudentView

FEATURE = "topic"
EXPLAINER_PAGE = 3800
CHAIN_PAGE = 20
COLOUR = discord.Colour.blurple()
PLACED_MARK = "📍 Known by placement"


@dataclass
class Rendered:
    """A message to send or edit to: embeds and a view of buttons, and optional content."""

    embeds: list[discord.Embed]
    view: discord.ui.View = field(default_factory=lambda: discord.ui.View(timeout=None))
    content: str | None = None

    def send_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of `send_message` (or `send`) that post this message."""
        return {"content": self.content, "embeds": self.embeds, "view": self.view}

    async def edit(self, interaction: discord.Interaction[Any]) -> None:
        """Answer a click by turning the clicked message into this one."""
        await interaction.response.edit_message(**self.send_kwargs())

    async def reply(self, interaction: discord.Interaction[Any], *, edit: bool) -> int | None:
        """Edit the clicked message (`edit`), or answer with a new private one; the message's
        id when known (a quiz's or review's buttons live in it)."""
        if edit:
            await self.edit(interaction)
            return interaction.message.id if interaction.message else None
        callback = await interaction.response.send_message(**self.send_kwargs(), ephemeral=True)
        return getattr(callback.resource, "id", None)


def topic_card(library: Library, topic: Topic, student: StudentView) -> Rendered:
    """The topic card, as the seed page shows a topic, with the student's marks.

    Its figures and their wording come from `tutorbot.content.card`, as the terminal's do."""
    graph = library.graph
    figs = card.figures(graph, topic.id)
    lines = [card.depth_text(figs.depth, topic.level)]
    if topic.tags:
        lines.append(" ".join(f"`{tag}`" for tag in topic.tags))
    lines.append(card.unlocks_text(figs.unlocks))
    known_line = known_text(topic.id, student)
    if known_line is not None:
        lines.append(known_line)
    if student.goal == topic.id:
        lines.append("🎯 This is your goal")
    lines += ["", "**Core Idea**", topic.core_idea_shown]
    embed = discord.Embed(
        title=limits.clip(topic.title, limits.EMBED_TITLE),
        description="\n".join(lines),
        colour=COLOUR,
    )
    embed.add_field(
        name=card.count_heading("Prerequisites", figs.prerequisites),
        value=_topic_lines(library, graph.prerequisites(topic.id), student.known)
        or "None: a starting point",
        inline=False,
    )
    embed.add_field(
        name=card.count_heading("Leads To", figs.leads_to),
        value=_topic_lines(library, graph.leads_to(topic.id), student.known) or "Nothing yet",
        inline=False,
    )
    embed.add_field(
        name="Practice Questions",
        value=card.plural(len(topic.questions), "question"),
        inline=False,
    )
    embed.set_footer(text=card.longest_path_text(figs.steps, figs.total_prerequisites))
    return Rendered([embed], _card_buttons(topic, student))


def known_text(topic_id: str, student: StudentView) -> str | None:
    """How the card says the student knows a topic: "📍 Known by placement" when by placement
    alone, "✅ You know this topic" any other way (a mark, mastery, or beneath either)."""
    if topic_id in student.placed_only:
        return PLACED_MARK
    if topic_id in student.known:
        return "✅ You know this topic"
    return None


def _topic_lines(library: Library, ids: list[str] | tuple[str, ...], known: frozenset[str]) -> str:
    lines = []
    for topic_id in ids:
        other = library.get(topic_id)
        title = other.title if other else topic_id
        lines.append(f"{'✅' if topic_id in known else '▫️'} {title}")
    return limits.bounded_lines(lines, limits.FIELD_VALUE)


def _card_buttons(topic: Topic, student: StudentView) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    marked = topic.id in student.marked
    view.add_item(
        button(
            make(FEATURE, "explainer", topic.id, 0),
            "Read explainer",
            style=discord.ButtonStyle.primary,
            disabled=not topic.explainer,
        )
    )
    view.add_item(
        button(
            make(FEATURE, "practice", topic.id),
            "Practice",
            style=discord.ButtonStyle.success,
            disabled=not topic.questions,
        )
    )
    view.add_item(
        button(
            make(FEATURE, "known", topic.id),
            "✓ I know this" if marked else "I know this",
            style=discord.ButtonStyle.success if marked else discord.ButtonStyle.secondary,
        )
    )
    is_goal = student.goal == topic.id
    view.add_item(
        button(
            make(FEATURE, "goal", topic.id),
            "🎯 Goal" if is_goal else "Set as goal",
            disabled=is_goal,
        )
    )
    view.add_item(button(make(FEATURE, "chain", topic.id, 0), "Prerequisite chain"))
    view.add_item(button(make(FEATURE, "map", topic.id), "🗺️ Map"))
    return view


def map_embed(topic: Topic, alt_text: str) -> discord.Embed:
    """The message the "Map" button sends: what the map around the topic shows, in words (its
    picture is added when drawn)."""
    return discord.Embed(
        title=limits.clip(f"Map around {topic.title}", limits.EMBED_TITLE),
        description=alt_text,  # at most 1,024 characters: an attachment's description
        colour=COLOUR,
    )


def explainer_pages(topic: Topic) -> list[str]:
    """The explainer split into pages that fit an embed description, nothing cut."""
    return paginate(topic.explainer, EXPLAINER_PAGE)


def explainer_page(topic: Topic, page: int) -> Rendered:
    """One page of the explainer with Previous / Next / Back to card buttons."""
    pages = explainer_pages(topic)
    page = max(0, min(page, len(pages) - 1))
    embed = discord.Embed(
        title=limits.clip(f"{topic.title}: Explainer", limits.EMBED_TITLE),
        description=pages[page] or "This topic has no explainer yet.",
        colour=COLOUR,
    )
    embed.set_footer(text=f"Page {page + 1} of {len(pages)}")
    view = _pager(topic.id, "explainer", page, len(pages))
    return Rendered([embed], view)


def chain_page(library: Library, topic: Topic, page: int, known: frozenset[str]) -> Rendered:
    """One page of the longest prerequisite chain, numbered, known steps ticked."""
    chain = library.graph.longest_chain(topic.id)
    pages = max(1, -(-len(chain) // CHAIN_PAGE))
    page = max(0, min(page, pages - 1))
    start = page * CHAIN_PAGE
    lines = []
    for number, topic_id in enumerate(chain[start : start + CHAIN_PAGE], start=start + 1):
        step = library.get(topic_id)
        mark = "✅" if topic_id in known else "▫️"
        lines.append(f"{number}. {mark} {step.title if step else topic_id}")
    embed = discord.Embed(
        title=limits.clip(f"Prerequisite Chain: {topic.title}", limits.EMBED_TITLE),
        description="\n".join(lines),
        colour=COLOUR,
    )
    embed.set_footer(
        text=f"Longest path: {card.plural(len(chain), 'step')} · page {page + 1} of {pages}"
    )
    return Rendered([embed], _pager(topic.id, "chain", page, pages))


def _pager(topic_id: str, action: str, page: int, pages: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    # The direction keeps the two custom_ids distinct when both point at the same page.
    view.add_item(
        button(
            make(FEATURE, action, topic_id, max(page - 1, 0), "prev"),
            "◀ Previous",
            disabled=page == 0,
        )
    )
    view.add_item(
        button(
            make(FEATURE, action, topic_id, min(page + 1, pages - 1), "next"),
            "Next ▶",
            disabled=page >= pages - 1,
        )
    )
    view.add_item(
        button(make(FEATURE, "card", topic_id), "Back to topic", style=discord.ButtonStyle.primary)
    )
    return view
