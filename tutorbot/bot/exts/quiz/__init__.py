"""/quiz: a private quiz on a topic, one active per student, every button restart-proof."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import (
    ANSWER_FIELD,
    FeatureButton,
    button,
    modal_action,
    open_answer_form,
)
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.errors import UserFacingError, refuse
from tutorbot.bot.exts.quiz import render
from tutorbot.bot.exts.topics import TopicButton
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.bot.scopes import bot_of
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic, topic_or_gone
from tutorbot.content.models import Topic
from tutorbot.domain import quiz as rules
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.typed_answers import MAX_TYPED_ANSWER
from tutorbot.services.quiz import QuizEnd, Screen
from tutorbot.services.review import ReviewEnd

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

MAX_QUESTIONS = rules.MAX_QUIZ_QUESTIONS


class QuizButton(FeatureButton):
    """Every button of a private quiz."""

    feature = render.FEATURE


def _place(interaction: discord.Interaction[Any]) -> tuple[int | None, int]:
    guild_id = interaction.guild_id
    channel_id = interaction.channel_id or interaction.user.id
    return guild_id, channel_id


async def begin(
    interaction: discord.Interaction[Any], topic: Topic, count: int | None, *, edit: bool
) -> None:
    """Start a quiz, or first ask whether to end the one in progress."""
    bot = bot_of(interaction)
    if not topic.questions:
        raise UserFacingError(f"**{topic.title}** has no practice questions yet.")
    active = await bot.services.quiz.active(interaction.user.id)
    if active is not None:
        await _ask_replace(active.id, active.kind, active.topic_id, topic, count).reply(
            interaction, edit=edit
        )
        return
    await start_now(interaction, topic, count, edit=edit)


async def start_now(
    interaction: discord.Interaction[Any], topic: Topic, count: int | None, *, edit: bool
) -> None:
    """Start a quiz on `topic` (ending any other) and show its first question."""
    bot = bot_of(interaction)
    guild_id, channel_id = _place(interaction)
    screen = await bot.services.quiz.start(
        user_id=interaction.user.id,
        guild_id=guild_id,
        channel_id=channel_id,
        topic=topic,
        count=count,
    )
    if isinstance(screen, Refusal):
        await refuse(interaction, screen)
        return
    message_id = await render.question_message(screen).reply(interaction, edit=edit)
    if message_id is not None:
        await bot.services.quiz.attach_message(screen.session_id, message_id)


def _ask_replace(
    session_id: int, kind: str, old_topic_id: str, topic: Topic, count: int | None
) -> Rendered:
    embed = discord.Embed(
        title=f"You have a {kind} in progress",
        description=(
            f"{render.unfinished(kind, old_topic_id)} is not finished. Start a new quiz on "
            f"**{topic.title}** instead? The old one will end where it is."
        ),
        colour=render.NEUTRAL,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(
        button(
            make(render.FEATURE, "new", topic.id, count or 0),
            "Start new quiz",
            style=discord.ButtonStyle.primary,
        )
    )
    view.add_item(button(render.resume_id(kind, session_id), "Continue the old one"))
    return Rendered([embed], view)


@QuizButton.action("answer")
async def _answer(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.quiz.answer(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), cid.arg(2)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    screen, result = step
    await render.answered_message(screen, result).edit(interaction)


@QuizButton.action("reveal")
async def _reveal(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.quiz.reveal(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    screen, result = step
    if isinstance(result, rules.NotYet):
        when = discord.utils.format_dt(result.opens_at, "R")
        await interaction.response.send_message(render.not_yet_text(when), ephemeral=True)
        return
    await render.revealed_message(screen, result).edit(interaction)


@QuizButton.action("write")
async def _write(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    refused = await bot_of(interaction).services.quiz.check_writable(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1)
    )
    form_id = make(render.FEATURE, "written", *cid.args[:2])
    await open_answer_form(interaction, refused, form_id, "Write my answer", render.WRITTEN_SHOWN)


@modal_action(render.FEATURE, "written")
async def _written(
    interaction: discord.Interaction[Any], cid: CustomId, values: dict[str, str]
) -> None:
    written = await bot_of(interaction).services.quiz.write(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), values.get(ANSWER_FIELD, "")
    )
    if isinstance(written, Refusal):
        await refuse(interaction, written)
        return
    await interaction.response.send_message(
        "Saved your answer. Press **Reveal** to compare it with the model answer.", ephemeral=True
    )


@QuizButton.action("type")
async def _type(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    refused = await bot_of(interaction).services.quiz.check_typeable(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1)
    )
    form_id = make(render.FEATURE, "typed", *cid.args[:2])
    await open_answer_form(interaction, refused, form_id, render.TYPE_LABEL, MAX_TYPED_ANSWER)


@modal_action(render.FEATURE, "typed")
async def _typed(
    interaction: discord.Interaction[Any], cid: CustomId, values: dict[str, str]
) -> None:
    step = await bot_of(interaction).services.quiz.answer_typed(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), values.get(ANSWER_FIELD, "")
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    screen, result = step
    await render.answered_message(screen, result).edit(interaction)


@QuizButton.action("assess")
async def _assess(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.quiz.assess(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), cid.arg(2)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    screen, result, revealed = step
    await render.assessed_message(screen, result, revealed).edit(interaction)


def _step(step: Screen | QuizEnd | ReviewEnd) -> Rendered:
    if isinstance(step, QuizEnd):
        return render.summary_message(step)
    if isinstance(step, ReviewEnd):
        return render.review_summary(step)
    return render.question_message(step)


@QuizButton.action("next")
async def _next(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.quiz.next(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    await _step(step).edit(interaction)


@QuizButton.action("stop")
async def _stop(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    end = await bot_of(interaction).services.quiz.stop(cid.int_arg(0), interaction.user.id)
    if isinstance(end, Refusal):
        await refuse(interaction, end)
        return
    await _step(end).edit(interaction)


@QuizButton.action("hint")
async def _hint(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    screen = await bot_of(interaction).services.quiz.current(cid.int_arg(0), interaction.user.id)
    if isinstance(screen, Refusal):
        await refuse(interaction, screen)
        return
    if screen.state.position != cid.int_arg(1) or not screen.question.hint:
        raise UserFacingError("There is no hint for the question on screen.")
    await interaction.response.send_message(f"💡 {screen.question.hint}", ephemeral=True)


@QuizButton.action("resume")
async def _resume(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    screen = await bot_of(interaction).services.quiz.current(cid.int_arg(0), interaction.user.id)
    if isinstance(screen, Refusal):
        await refuse(interaction, screen)
        return
    await render.resume_message(screen).edit(interaction)


@QuizButton.action("new")
async def _new(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    topic = topic_or_gone(bot_of(interaction).services.library, cid.arg(0))
    await start_now(interaction, topic, cid.int_arg(1) or None, edit=True)


@QuizButton.action("again")
async def _again(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    topic = topic_or_gone(bot_of(interaction).services.library, cid.arg(0))
    await begin(interaction, topic, None, edit=True)


@TopicButton.action("practice")
async def _practice(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    topic = topic_or_gone(bot_of(interaction).services.library, cid.arg(0))
    await begin(interaction, topic, None, edit=True)


class Quiz(commands.Cog):
    """The /quiz command."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="quiz", description="Practise a topic in a private quiz")
    @app_commands.describe(
        topic="Topic to practise (type to search)",
        questions="How many questions (default: all of the topic's)",
    )
    @app_commands.autocomplete(topic=autocomplete_topic)
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def quiz(
        self,
        interaction: discord.Interaction[Any],
        topic: str,
        questions: app_commands.Range[int, 1, MAX_QUESTIONS] | None = None,
    ) -> None:
        """Start a private quiz on the topic, first asking whether to end one in progress."""
        found = resolve_topic(self.bot.services.library, topic)
        await begin(interaction, found, questions, edit=False)


async def setup(bot: TutorBot) -> None:
    """Add the /quiz command and its buttons (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Quiz(bot))
