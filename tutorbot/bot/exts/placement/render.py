"""/placement's messages: a question, a free response's model answer, the ask-first screen when a
quiz or review is in progress, and the end.

A placement measures what the student knew before, so a question screen never says right or
wrong: an answer moves straight on to the next question. Pure functions of the service's
screens, inside Discord's limits at the content schema's maximum lengths (tested in
tests/bot/test_placement_render_limits.py).
"""

from __future__ import annotations

import discord

from tutorbot.bot import limits
from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.quiz.render import (
    NEUTRAL,
    RIGHT,
    THINK_LINE,
    TYPE_LABEL,
    TYPED_LINES,
    add_answer_buttons,
    resume_id,
    topic_list,
    unfinished,
    when,
)
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.content.card import plural
from tutorbot.content.models import LETTERS, TYPED, Question, QuestionType, Topic
from tutorbot.domain.scoring import ASSESSMENT_LABELS, SelfAssessment
from tutorbot.services.placement import PlacementEnd, PlacementScreen

FEATURE = "placement"
FOOTER = "Private placement: answer what you know; 'I don't know' is fine."
DONT_KNOW = "I don't know"
DONT_KNOW_CHOICE = "idk"
"""The choice "I don't know" sends, on any kind of question: it counts as a wrong answer (not
knowing is what a wrong answer means to a placement, and it spares the student a guess that
could only place them too high)."""
RESUMED = "📍 Your placement continues where you left off."
MODEL_ANSWER_FOOTER = "How did you do? Be honest: it decides where you start."
CARD_BUTTONS = 4
"""Topic-card buttons under the end's "Learn next" (the field lists them all)."""
ASSESS_STYLES = {
    SelfAssessment.GOT_IT: discord.ButtonStyle.success,
    SelfAssessment.PARTLY: discord.ButtonStyle.secondary,
    SelfAssessment.MISSED: discord.ButtonStyle.danger,
}


def _id(action: str, screen: PlacementScreen, *args: object) -> str:
    return make(FEATURE, action, screen.session_id, screen.number, *args)


def _question_lines(question: Question) -> list[str]:
    """The prompt and choices as a quiz shows them (the prompt first: tests find it there)."""
    lines = [question.prompt]
    if question.type is QuestionType.MULTIPLE_CHOICE and question.choices:
        lines.append("")
        lines += [f"**{LETTERS[i]}.** {choice}" for i, choice in enumerate(question.choices)]
    elif question.type is QuestionType.FREE_RESPONSE:
        lines += ["", THINK_LINE]
    elif question.type in TYPED:
        lines += ["", TYPED_LINES[question.type]]
    return lines


def _question_embed(screen: PlacementScreen) -> discord.Embed:
    title = f"Placement · {screen.topic.title} · Question {screen.number} of at most {screen.cap}"
    embed = discord.Embed(
        title=limits.clip(title, limits.EMBED_TITLE),
        description="\n".join(_question_lines(screen.question)),
        colour=NEUTRAL,
    )
    embed.add_field(name="So far", value=decided_text(screen), inline=False)
    embed.set_footer(text=FOOTER)
    return embed


def decided_text(screen: PlacementScreen) -> str:
    """How far the placement has got: '3 of 42 topics on the way decided'."""
    return f"{screen.decided} of {plural(screen.candidates, 'topic')} on the way decided"


def _stop_button(session_id: int) -> discord.ui.Button[discord.ui.View]:
    return button(
        make(FEATURE, "stop", session_id), "Stop", style=discord.ButtonStyle.danger, row=2
    )


def question_message(screen: PlacementScreen) -> Rendered:
    """A question waiting for its answer: the answer buttons (Type my answer for a short answer
    or a number, Reveal for a free response), I don't know, Stop."""
    q = screen.question
    embed = _question_embed(screen)
    view = discord.ui.View(timeout=None)
    if add_answer_buttons(view, q, lambda choice: _id("answer", screen, choice)):
        pass
    elif q.type in TYPED:
        view.add_item(button(_id("type", screen), TYPE_LABEL, style=discord.ButtonStyle.primary))
    else:
        embed.add_field(
            name="Reveal",
            value=f"The model answer opens {when(screen.opens_at)}.",
            inline=False,
        )
        view.add_item(button(_id("reveal", screen), "Reveal", style=discord.ButtonStyle.primary))
    view.add_item(button(_id("answer", screen, DONT_KNOW_CHOICE), DONT_KNOW, row=2))
    view.add_item(_stop_button(screen.session_id))
    return Rendered([embed], view)


def revealed_message(screen: PlacementScreen) -> Rendered:
    """A free response's model answer under the question, and the self-assessment buttons."""
    question = _question_embed(screen)
    answer = discord.Embed(
        title="Compare with the model answer",
        description=f"**Model answer**\n{screen.question.answer_text()}",
        colour=NEUTRAL,
    )
    answer.set_footer(text=MODEL_ANSWER_FOOTER)
    view = discord.ui.View(timeout=None)
    for assessment, label in ASSESSMENT_LABELS.items():
        style = ASSESS_STYLES[assessment]
        view.add_item(button(_id("assess", screen, assessment.value), label, style=style))
    view.add_item(_stop_button(screen.session_id))
    return Rendered([question, answer], view)


def new_id(goal: Topic | None) -> str:
    """The custom_id of a button that starts a placement toward `goal` (None: the whole
    course), ending whatever the student has in progress."""
    return make(FEATURE, "new", goal.id) if goal is not None else make(FEATURE, "new")


def resume_message(screen: PlacementScreen, *, start_over: str | None = None) -> Rendered:
    """A placement picked up again (after a restart, or /placement run again): its question,
    and a Start over button (`start_over`, a `new_id`) when the student asked for a new one."""
    rendered = question_message(screen)
    rendered.content = RESUMED
    if start_over is not None:
        rendered.view.add_item(button(start_over, "Start over", row=2))
    return rendered


def ask_first(session_id: int, kind: str, topic_id: str, goal: Topic | None) -> Rendered:
    """A quiz or review is in progress: end it and start the placement, or go back to it."""
    toward = f" toward **{goal.title}**" if goal is not None else ""
    embed = discord.Embed(
        title=f"You have a {kind} in progress",
        description=(
            f"{unfinished(kind, topic_id)} is not finished. Start a placement{toward} instead? "
            f"The {kind} will end where it is."
        ),
        colour=NEUTRAL,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(button(new_id(goal), "Start placement", style=discord.ButtonStyle.primary))
    view.add_item(button(resume_id(kind, session_id), f"Continue the {kind}"))
    return Rendered([embed], view)


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def _count(n: int) -> str:
    return "counts" if n == 1 else "count"


def _them(n: int) -> str:
    return "it" if n == 1 else "them"


def _summary_lines(end: PlacementEnd) -> list[str]:
    if end.questions == 0:
        lines = ["You stopped before answering anything."]
    else:
        lines = [f"It took **{plural(end.questions, 'question')}**."]
    if end.goal is not None:
        lines.append(f"🎯 On the way to **{end.goal.title}**.")
    if end.placed:
        lines.append(
            f"📍 **{plural(len(end.placed), 'topic')} known by placement.** They come up in "
            "/review over the next few days, so a lucky guess is soon put right."
        )
    elif end.questions:
        lines.append("No topic placed this time: start with what to learn next, below.")
    if end.already_known:
        lines.append(
            f"{plural(end.already_known, 'topic')} you already knew (marked or mastered) "
            f"{_were(end.already_known)} not asked."
        )
    if end.undecided:
        lines.append(
            f"{plural(end.undecided, 'topic')} left undecided {_count(end.undecided)} as not "
            f"known yet: practise {_them(end.undecided)}, or take /placement again."
        )
    return lines


def _title_and_lines(end: PlacementEnd) -> tuple[str, list[str]]:
    if end.questions == 0 and end.undecided == 0:
        toward = f" to **{end.goal.title}**" if end.goal is not None else ""
        return "Nothing to place", [
            f"Nothing to ask: you already know every topic on the way{toward}."
        ]
    title = "Placement complete" if end.questions else "Placement stopped"
    return title, _summary_lines(end)


def placed_list(placed: tuple[Topic, ...]) -> str:
    """The topics placed, highest first (the last in learning order: the others lie beneath
    them), as many as fit one field."""
    lines = [f"📍 {t.title}" for t in reversed(placed)]
    return limits.bounded_lines(lines, limits.FIELD_VALUE, more="… and {n} more beneath these")


def end_message(end: PlacementEnd) -> Rendered:
    """How many questions it took, the topics placed, what to learn next with topic-card
    buttons, and that placed topics come up in /review soon."""
    title, lines = _title_and_lines(end)
    embed = discord.Embed(
        title=title, description="\n".join(lines), colour=RIGHT if end.placed else NEUTRAL
    )
    if end.placed:
        embed.add_field(name="Known by placement", value=placed_list(end.placed), inline=False)
    embed.add_field(
        name="Learn next",
        value=topic_list(end.frontier) if end.frontier else "Nothing left: well done!",
        inline=False,
    )
    embed.set_footer(text="Private: only you can see this.")
    view = discord.ui.View(timeout=None)
    for topic in end.frontier[:CARD_BUTTONS]:
        view.add_item(button(make("topic", "card", topic.id), topic.title))
    return Rendered([embed], view)
