"""Private quiz messages: a question, its result, the free-response reveal, and the summary.

A short-answer or numeric question shows "Type my answer", which opens a one-field form; its
result says what the student typed (escaped: their text never restyles the message), whether it
was right, the accepted answer a near match was taken for, and the expected answer.

Pure functions of content and quiz state. Sizes stay inside one message's 6000 embed characters
at the content schema's maximum lengths (tested in tests/bot/test_render_limits.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import discord

from tutorbot.bot import limits
from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.content.models import LETTERS, TYPED, Question, QuestionType, Topic
from tutorbot.domain.quiz import Answered, Assessed, Revealed
from tutorbot.domain.scoring import ASSESSMENT_LABELS, SelfAssessment
from tutorbot.services.quiz import QuizEnd, Screen
from tutorbot.services.review import ReviewEnd

FEATURE = "quiz"
THINK_LINE = "Think about your answer, then reveal below."
TYPE_LABEL = "Type my answer"
TYPED_LINES = {
    QuestionType.SHORT_ANSWER: "Type your answer below (case, accents and punctuation do not "
    "matter).",
    QuestionType.NUMERIC: "Type a number below: 3.5, 3,5, 7/2 and -0.25 all work.",
}
"""The line under a typed question's prompt, saying how it is answered."""
WRITTEN_SHOWN = 1000
RIGHT = discord.Colour.green()
WRONG = discord.Colour.red()
NEUTRAL = discord.Colour.blurple()


def _question_embed(screen: Screen, marks: dict[int, str] | None = None) -> discord.Embed:
    q = screen.question
    lines = [q.prompt]
    if q.type is QuestionType.MULTIPLE_CHOICE and q.choices:
        lines.append("")
        for index, choice in enumerate(q.choices):
            mark = (marks or {}).get(index, "")
            lines.append(f"{mark}**{LETTERS[index]}.** {choice}")
    elif q.type is QuestionType.FREE_RESPONSE:
        lines += ["", THINK_LINE]
    elif q.type in TYPED:
        lines += ["", TYPED_LINES[q.type]]
    where = f"Review · {screen.topic.title}" if screen.is_review else screen.topic.title
    embed = discord.Embed(
        title=limits.clip(
            f"{where} · Question {screen.number} of {screen.total}", limits.EMBED_TITLE
        ),
        description="\n".join(lines),
        colour=NEUTRAL,
    )
    kind = "review" if screen.is_review else "quiz"
    embed.set_footer(text=f"Private {kind}: only you can see this.")
    return embed


def _id(action: str, screen: Screen, *args: object) -> str:
    return make(FEATURE, action, screen.session_id, screen.state.position, *args)


def add_answer_buttons(
    view: discord.ui.View, question: Question, answer_id: Callable[[str], str]
) -> bool:
    """The buttons that answer a multiple-choice (A, B, ... up to five a row) or true/false
    question, each with `answer_id(choice)`; False (and nothing added) for a free response or a
    typed question (short answer, numeric), which callers give their own buttons."""
    if question.type is QuestionType.MULTIPLE_CHOICE and question.choices:
        for index in range(len(question.choices)):
            letter = LETTERS[index]
            view.add_item(button(answer_id(letter), letter, row=index // 5))
        return True
    if question.type is QuestionType.TRUE_FALSE:
        view.add_item(button(answer_id("true"), "True"))
        view.add_item(button(answer_id("false"), "False"))
        return True
    return False


def question_message(screen: Screen) -> Rendered:
    """A question waiting for an answer, with its answer buttons."""
    q = screen.question
    embed = _question_embed(screen)
    view = discord.ui.View(timeout=None)
    if add_answer_buttons(view, q, lambda choice: _id("answer", screen, choice)):
        pass
    elif q.type in TYPED:
        view.add_item(button(_id("type", screen), TYPE_LABEL, style=discord.ButtonStyle.primary))
    else:
        opens = screen.state.reveal_at
        if opens is not None:
            embed.add_field(
                name="Reveal",
                value=f"The model answer opens {discord.utils.format_dt(opens, 'R')}.",
                inline=False,
            )
        view.add_item(button(_id("reveal", screen), "Reveal", style=discord.ButtonStyle.primary))
        view.add_item(button(_id("write", screen), "Write my answer"))
    if q.hint:
        view.add_item(button(_id("hint", screen), "Hint", row=2))
    stop = "Stop review" if screen.is_review else "Stop quiz"
    view.add_item(button(_id("stop", screen), stop, style=discord.ButtonStyle.danger, row=2))
    return Rendered([embed], view)


def _next_button(screen: Screen, is_last: bool) -> discord.ui.Button[discord.ui.View]:
    label = "See results" if is_last else "Next"
    return button(_id("next", screen), label, style=discord.ButtonStyle.primary)


def answered_message(screen: Screen, result: Answered) -> Rendered:
    """The question again, marked, with right or wrong, the correct answer and why."""
    q = screen.question
    marks: dict[int, str] = {}
    if q.correct_index is not None:
        marks[q.correct_index] = "✅ "
        chosen = LETTERS.index(result.given) if result.given in LETTERS else None
        if chosen is not None and chosen != q.correct_index:
            marks[chosen] = "❌ "
    question = _question_embed(screen, marks)
    verdict = discord.Embed(
        title="✅ Correct!" if result.correct else "❌ Not quite",
        description="\n".join([*verdict_lines(result), "", f"**Why**\n{result.explanation}"]),
        colour=RIGHT if result.correct else WRONG,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(_next_button(screen, result.is_last))
    return Rendered([question, verdict], view, look_at_line(screen))


def verdict_lines(result: Answered) -> list[str]:
    """What was given and the correct answer: "You answered **B**." for a choice; for a typed
    answer "You typed …" (as typed, escaped), the accepted answer a near match counted as, and
    the expected answer."""
    if not result.typed:
        return [
            f"You answered **{result.given}**.",
            f"Correct answer: **{result.correct_answer}**",
        ]
    lines = [f"You typed: {typed_text(result.given)}"]
    if result.correct and result.accepted is not None:
        lines.append(f"Accepted: **{result.accepted}**")
    return [*lines, f"Expected answer: **{result.correct_answer}**"]


def typed_text(text: str) -> str:
    """A typed answer as the student wrote it, escaped so it cannot restyle the message (an
    empty one shows as a dash)."""
    return discord.utils.escape_markdown(text) or "–"


def look_at_line(screen: Screen) -> str | None:
    """After a missed review question: the prerequisites to look at, now due for review. A line
    of the message's text, not its embeds, which a long question and explanation may fill."""
    if not screen.look_at:
        return None
    shown = screen.look_at[:3]
    names = ", ".join(f"**{limits.clip(t.title, 100)}**" for t in shown)
    it = "it" if len(shown) == 1 else "them"
    return f"🔎 This topic builds on {names}: look again at {it}, now due for review."


def _written(text: str | None) -> str:
    """The student's own words, shown as typed: their Markdown (say an open code fence) is
    escaped so it cannot restyle the model answer and explanation below it."""
    if not text:
        return "You did not write an answer."
    return limits.clip(discord.utils.escape_markdown(text), WRITTEN_SHOWN)


def revealed_message(screen: Screen, result: Revealed) -> Rendered:
    """The model answer beside the student's own, the explanation, and the self-assessment."""
    question = _question_embed(screen)
    answer = discord.Embed(
        title="Compare with the model answer",
        description=(
            f"**Your answer**\n{_written(result.written)}\n\n"
            f"**Model answer**\n{result.model_answer}\n\n"
            f"**Why**\n{result.explanation}"
        ),
        colour=NEUTRAL,
    )
    answer.set_footer(text="How did you do? Be honest: it decides what to review.")
    view = discord.ui.View(timeout=None)
    for assessment, label in ASSESSMENT_LABELS.items():
        style = {
            SelfAssessment.GOT_IT: discord.ButtonStyle.success,
            SelfAssessment.PARTLY: discord.ButtonStyle.secondary,
            SelfAssessment.MISSED: discord.ButtonStyle.danger,
        }[assessment]
        view.add_item(button(_id("assess", screen, assessment.value), label, style=style))
    return Rendered([question, answer], view)


def assessed_message(screen: Screen, result: Assessed, revealed: Revealed) -> Rendered:
    """The reveal, with the student's self-assessment and Next."""
    rendered = revealed_message(screen, revealed)
    answer = rendered.embeds[1]
    answer.title = f"You said: {ASSESSMENT_LABELS[result.assessment]}"
    answer.colour = {1.0: RIGHT, 0.5: NEUTRAL}.get(result.credit, WRONG)
    answer.remove_footer()
    view = discord.ui.View(timeout=None)
    view.add_item(_next_button(screen, result.is_last))
    return Rendered(rendered.embeds, view, look_at_line(screen))


def not_yet_text(opens_at_text: str) -> str:
    """The private answer to Reveal before the think time has passed."""
    return f"Not yet: think it through first. The model answer opens {opens_at_text}."


def topic_list(topics: tuple[Topic, ...]) -> str:
    """Topics as bullet lines inside one field."""
    return limits.bounded_lines([f"• {t.title}" for t in topics], limits.FIELD_VALUE)


def summary_message(end: QuizEnd) -> Rendered:
    """Score, mastery, what it unlocked, and what to do next."""
    s = end.summary
    score = f"{s.score:g} / {s.count}"
    lines = [f"**Score: {score}** ({s.percentage:g}%)"]
    if end.newly_mastered:
        lines.append(f"🏆 You have mastered **{end.topic.title}**.")
    elif s.mastered:
        lines.append(f"✅ **{end.topic.title}** stays mastered.")
    else:
        lines.append(f"Mastery needs at least 80%. Review, then try **{end.topic.title}** again.")
    if s.unanswered:
        n = len(s.unanswered)
        left = (
            "1 question left unanswered counts"
            if n == 1
            else f"{n} questions left unanswered count"
        )
        lines.append(f"{left} as missed.")
    embed = discord.Embed(
        title=limits.clip(f"Quiz complete: {end.topic.title}", limits.EMBED_TITLE),
        description="\n".join(lines),
        colour=RIGHT if s.mastered else NEUTRAL,
    )
    if end.unlocked:
        embed.add_field(name="Now unlocked", value=topic_list(end.unlocked), inline=False)
    if end.review:
        embed.add_field(
            name="Worth reviewing for what you missed",
            value=topic_list(end.review),
            inline=False,
        )
    if end.next_topics:
        embed.add_field(name="Learn next", value=topic_list(end.next_topics), inline=False)
    view = discord.ui.View(timeout=None)
    view.add_item(
        button(
            make(FEATURE, "again", end.topic.id),
            "Practice again",
            style=discord.ButtonStyle.primary,
        )
    )
    view.add_item(button(make("topic", "card", end.topic.id), "Topic card"))
    return Rendered([embed], view)


def resume_message(screen: Screen) -> Rendered:
    """A quiz picked up again: the question as it stands (answered ones wait for Next)."""
    answered = screen.state.answer_for(screen.question.id)
    if answered is None:
        return question_message(screen)
    embed = _question_embed(screen)
    if screen.question.type in TYPED:
        embed.add_field(name="You typed", value=typed_text(answered.given), inline=False)
    else:
        embed.add_field(name="Your answer", value=limits.clip(answered.given, 100), inline=False)
    view = discord.ui.View(timeout=None)
    view.add_item(_next_button(screen, screen.state.is_last))
    return Rendered([embed], view)


def when(moment: datetime) -> str:
    """A moment as Discord shows it to each reader, such as "in 2 days"."""
    return discord.utils.format_dt(moment, "R")


def review_summary(end: ReviewEnd) -> Rendered:
    """What a finished review did, what to look at again, and what remains."""
    t = end.tally
    if t.answered:
        lines = [f"**{t.right} of {t.answered} remembered.**"]
    else:
        lines = ["You stopped before answering anything."]
    if t.covered:
        lines.append(
            f"{t.covered} more cleared by harder questions you got right: practising a topic "
            "also exercises what it builds on."
        )
    if end.ready:
        lines.append(f"{end.due_left} still due today: press **Review more**.")
    elif end.due_left:
        lines.append(
            f"{end.due_left} more due, past your daily limit: they wait for tomorrow, or raise "
            "the limit with `/review limit:`."
        )
    elif end.next_due is not None:
        lines.append(f"Next review {when(end.next_due)}.")
    title = "Review complete" if t.answered else "Review stopped"
    embed = discord.Embed(title=title, description="\n".join(lines), colour=RIGHT)
    if end.look_at:
        embed.add_field(name="Look again at", value=topic_list(end.look_at), inline=False)
    view = discord.ui.View(timeout=None)
    if end.ready:
        view.add_item(
            button(make("review", "more"), "Review more", style=discord.ButtonStyle.primary)
        )
    return Rendered([embed], view)


def unfinished(kind: str, topic_id: str) -> str:
    """How an unfinished session is named to its student: "Your quiz on `topic`", "Your
    review", "Your placement"."""
    return f"Your quiz on `{topic_id}`" if kind == "quiz" else f"Your {kind}"


def resume_id(kind: str, session_id: int) -> str:
    """The custom id of the button that goes back to an unfinished session of this kind (a
    placement has buttons of its own; quizzes and reviews share the quiz's)."""
    return make("placement" if kind == "placement" else FEATURE, "resume", session_id)
