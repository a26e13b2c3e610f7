"""What the question of the day says (pure functions of the daily service's views).

At the content schema's maximum lengths (prompt 1000, ten choices of 250, explanation 1500) a post
and a reveal each stay inside one message's limits. Nothing here produces a ping: names go
through `name_of` (escaped, mentions only inside embeds) and the client sends with
AllowedMentions.none().
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import discord

from tutorbot.bot import limits
from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.bot.members import name_of
from tutorbot.content.models import TYPED, Question, QuestionType
from tutorbot.domain import daily as rules
from tutorbot.domain.progress import bar
from tutorbot.domain.rounds import TRUE_FALSE_OPTIONS
from tutorbot.services.daily import (
    CHANNEL_GONE,
    DailyOn,
    DailyQuestionView,
    DailyRevealView,
    DailyStatus,
)
from tutorbot.storage.daily import DailySettings

FEATURE = "daily"
OPEN = discord.Colour.gold()
DONE = discord.Colour.green()
BAR_WIDTH = 12
TYPE_LABEL = "Type my answer"
LEADERBOARD_ROWS = 10
FOOTER = "Question of the day · answer privately with the buttons · one answer each"


def _ids(view: DailyQuestionView | DailyRevealView) -> tuple[int, int]:
    return view.guild_id, rules.day_number(view.day)


def _title(topic_title: str, day: str) -> str:
    return limits.clip(f"Question of the day · {day} · {topic_title}", limits.EMBED_TITLE)


def _options(question: Question, right: str | None = None) -> list[str]:
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return [
            f"{'✅ ' if letter == right else ''}**{letter}.** {choice}"
            for letter, choice in zip(question.letters, question.choices or (), strict=False)
        ]
    if question.type is QuestionType.TRUE_FALSE:
        return [f"{'✅ ' if o == right else ''}**{o}**" for o in TRUE_FALSE_OPTIONS]
    return []


def _buttons(view: DailyQuestionView | DailyRevealView, *, disabled: bool) -> discord.ui.View:
    buttons = discord.ui.View(timeout=None)
    question = view.question
    if question.type in TYPED:
        buttons.add_item(
            button(
                make(FEATURE, "type", *_ids(view)),
                TYPE_LABEL,
                style=discord.ButtonStyle.primary,
                disabled=disabled,
            )
        )
        return buttons
    options: Sequence[str] = TRUE_FALSE_OPTIONS
    if question.type is QuestionType.MULTIPLE_CHOICE:
        options = tuple(question.letters)
    for position, option in enumerate(options):
        buttons.add_item(
            button(
                make(FEATURE, "answer", *_ids(view), option),
                option,
                style=discord.ButtonStyle.primary,
                disabled=disabled,
                row=position // 5,
            )
        )
    return buttons


def _how(question: Question) -> str:
    if question.type is QuestionType.NUMERIC:
        return f"Press **{TYPE_LABEL}** and type a number (such as 3.5, 3,5 or 7/2)."
    if question.type in TYPED:
        return f"Press **{TYPE_LABEL}** and type your answer."
    return "Press a button to answer: only you see your answer."


def _when_revealed(reveal_at: datetime | None) -> str:
    if reveal_at is None:
        return "With the next daily question"
    return discord.utils.format_dt(reveal_at, "R")


def question_message(view: DailyQuestionView) -> Rendered:
    """The day's question: the prompt, the options, when the answer comes, how many answered,
    and the buttons (or one button opening a form for a typed answer)."""
    lines = [view.question.prompt]
    options = _options(view.question)
    if options:
        lines += ["", *options]
    lines += ["", _how(view.question)]
    embed = discord.Embed(
        title=_title(view.topic_title, view.day), description="\n".join(lines), colour=OPEN
    )
    embed.add_field(name="Answer revealed", value=_when_revealed(view.reveal_at), inline=True)
    embed.add_field(name="Answers", value=str(view.answered), inline=True)
    embed.set_footer(text=FOOTER)
    return Rendered([embed], _buttons(view, disabled=False))


def _right(question: Question) -> str | None:
    if question.type is QuestionType.TRUE_FALSE:
        return "True" if question.answer else "False"
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return str(question.answer)
    return None


def closed_message(view: DailyRevealView) -> Rendered:
    """The day's question once revealed: the right option marked, the buttons disabled."""
    lines = [view.question.prompt]
    options = _options(view.question, _right(view.question))
    if options:
        lines += ["", *options]
    embed = discord.Embed(
        title=_title(view.topic_title, view.day), description="\n".join(lines), colour=DONE
    )
    embed.add_field(name="Answers", value=str(view.answered), inline=True)
    embed.set_footer(text="Closed: the answer is revealed below.")
    return Rendered([embed], _buttons(view, disabled=True))


def _share_line(share: rules.Share, total: int) -> str:
    fraction = share.count / total if total else 0.0
    mark = "✅" if share.correct else "▫️"
    return (
        f"{mark} **{share.label}** `{bar(fraction, BAR_WIDTH)}` {share.count} "
        f"({round(fraction * 100)}%)"
    )


def reveal_message(view: DailyRevealView) -> Rendered:
    """The reveal: the right answer, how the server answered, and the explanation."""
    answered = "1 answer" if view.answered == 1 else f"{view.answered} answers"
    lines = [
        limits.clip(view.question.prompt, 300),
        "",
        *(_share_line(s, view.answered) for s in view.shares),
        "",
        f"**Why:** {view.question.explained}",
    ]
    answer = limits.clip(view.question.answer_text(), 200)
    embed = discord.Embed(
        title=limits.clip(f"Answer of {view.day}: {answer}", limits.EMBED_TITLE),
        description=limits.clip("\n".join(lines), 4096),
        colour=DONE,
    )
    embed.set_footer(text=f"{answered} · {view.topic_title}"[:2048])
    return Rendered([embed])


# -- the commands' answers ---------------------------------------------------------------------


def _scope(settings: DailySettings) -> str:
    if settings.scope_kind == "all":
        return "every topic"
    kind = "pack" if settings.scope_kind == "pack" else "topic"
    shown = discord.utils.escape_markdown(limits.clip(settings.scope or "", 100))
    return f"the {kind} **{shown}**"


def _reveal_rule(settings: DailySettings) -> str:
    if settings.reveal_hours is None:
        return "with the next day's question"
    hours = settings.reveal_hours
    return f"{hours} hour{'s' if hours != 1 else ''} after each question"


def turned_on(on: DailyOn) -> str:
    """The private answer to /daily set."""
    s = on.settings
    first = discord.utils.format_dt(on.next_at, "f")
    return (
        f"📅 Question of the day set: every day at **{s.post_at}**, {s.timezone} time, in "
        f"<#{s.channel_id}>, drawn from {_scope(s)} ({on.questions} questions, each asked once "
        f"before any comes back). Answers are revealed {_reveal_rule(s)}. The first comes "
        f"{first}. Turn it off with `/daily off`."
    )


def turned_off(was_on: bool) -> str:
    """The private answer to /daily off."""
    if was_on:
        return "The question of the day is off. Set it up again with `/daily set`."
    return "The question of the day was already off. Set it up with `/daily set`."


def stopped_notice(settings: DailySettings) -> str:
    """Why the daily question turned itself off (said once, to whoever asks next)."""
    when = ""
    if settings.stopped_at is not None:
        when = f" on {discord.utils.format_dt(settings.stopped_at, 'D')}"
    if settings.stopped_reason == CHANNEL_GONE:
        return (
            f"⚠️ The question of the day turned itself off{when}: I could no longer post in "
            f"<#{settings.channel_id}> (the channel was deleted, or I lost the permission to see "
            "it or post there)."
        )
    return f"⚠️ The question of the day turned itself off{when}."


def status_text(status: DailyStatus) -> str:
    """The answer to /daily status."""
    lines = []
    if status.stopped_notice is not None:
        lines += [stopped_notice(status.stopped_notice), ""]
    s = status.settings
    if s is None or not s.active or status.next_at is None:
        lines.append(
            "The question of the day is off. An instructor can set it up with `/daily set`."
        )
    else:
        nxt = discord.utils.format_dt(status.next_at, "f")
        lines.append(
            f"📅 Every day at **{s.post_at}**, {s.timezone} time, in <#{s.channel_id}>, drawn "
            f"from {_scope(s)}; answers revealed {_reveal_rule(s)}. The next question comes {nxt}."
        )
    if status.latest is not None:
        state = "closed" if status.latest.revealed_at is not None else "open"
        count = "1 answer" if status.answered == 1 else f"{status.answered} answers"
        lines.append(f"Latest question: {status.latest.day} ({state}, {count}).")
    return "\n".join(lines)


def leaderboard_message(standings: Sequence[rules.Standing], names: Mapping[int, str]) -> Rendered:
    """The server's daily leaderboard: the top ten by right streak, then answer streak."""
    embed = discord.Embed(title="Question of the day · leaderboard", colour=OPEN)
    if not standings:
        embed.description = "Nobody has answered a daily question here yet."
        return Rendered([embed])
    lines = []
    for rank, s in enumerate(standings[:LEADERBOARD_ROWS], start=1):
        lines.append(
            f"**{rank}.** {name_of(s.user_id, names)} · ✅ {s.right_streak} right in a row · "
            f"🔥 {s.answer_streak} answered in a row · {s.right}/{s.answered} right"
        )
    embed.description = "\n".join(lines)
    embed.set_footer(
        text="Streaks count this server's daily questions in a row (a day without one breaks "
        "nothing; today's counts once answered). Totals: right / answered."
    )
    return Rendered([embed])
