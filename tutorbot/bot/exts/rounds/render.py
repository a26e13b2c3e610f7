"""Group round messages: the open question, its reveal, the podium and the instructor's report.

Pure functions of the service's views. At the content schema's maximum lengths (prompt 1000, ten
choices of 250, explanation 1500; a short answer's twenty accepted answers of 200, shown clipped)
a reveal stays inside one message's 6000 embed characters. A typed question's reveal repeats
students' words only for a wrong answer several typed, clipped and escaped.
Names are escaped for Markdown; mentions are never produced in content (only inside embeds,
which never ping), and the client sends with AllowedMentions.none() anyway.
"""

from __future__ import annotations

from collections.abc import Mapping

import discord

from tutorbot.bot import limits
from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.bot.members import name_of
from tutorbot.content.models import TYPED, QuestionType
from tutorbot.domain.progress import bar
from tutorbot.domain.round_options import TeamStanding
from tutorbot.domain.scoring import ASSESSMENT_LABELS
from tutorbot.services.round_options import RevealExtras
from tutorbot.services.round_views import QuestionView, RevealView, RoundEnd

FEATURE = "round"
OPEN = discord.Colour.blurple()
DONE = discord.Colour.green()
BAR_WIDTH = 12
MEDALS = ("🥇", "🥈", "🥉")
WRITE_LABEL = "Write my answer"
TYPE_LABEL = "Type my answer"
ALSO_ACCEPTED = 300
"""Characters of the "Also accepted" line of a short answer's reveal (up to 20 answers of 200)."""
WRONG_SHOWN = 60
"""Characters of one common wrong answer on a reveal (before escaping)."""
TF_LABELS = {"True": "True", "False": "False"}
EMBEDS_TOTAL = 6000
"""Characters all the embeds of one message may hold: a reveal's streaks and teams take what
the question and its answers leave."""
TEAM_SHOWN = 40


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _title(view: QuestionView) -> str:
    text = f"{view.topic_title} · Question {view.number} of {view.total}"
    return limits.clip(text, limits.EMBED_TITLE)


def _option_lines(view: QuestionView, marks: Mapping[str, str] | None = None) -> list[str]:
    question = view.question
    marks = marks or {}
    if view.asked.kind is QuestionType.MULTIPLE_CHOICE:
        choices = question.choices if question is not None and question.choices else ()
        lines = []
        for index, letter in enumerate(view.asked.options):
            text = choices[index] if index < len(choices) else ""
            lines.append(f"{marks.get(letter, '')}**{letter}.** {text}".rstrip())
        return lines
    if view.asked.kind is QuestionType.TRUE_FALSE:
        return [f"{marks.get(option, '')}**{option}**" for option in view.asked.options]
    return []


def _prompt(view: QuestionView) -> str:
    if view.question is None:
        return "*(This question was removed from the course content.)*"
    return view.question.prompt


def _answer_id(view: QuestionView, *args: object) -> str:
    return make(FEATURE, "answer", view.round_id, view.index, *args)


def _buttons(view: QuestionView, *, disabled: bool, correct: str | None = None) -> discord.ui.View:
    buttons = discord.ui.View(timeout=None)
    if view.asked.typed:
        written = view.asked.self_assessed
        buttons.add_item(
            button(
                make(FEATURE, "write" if written else "type", view.round_id, view.index),
                WRITE_LABEL if written else TYPE_LABEL,
                style=discord.ButtonStyle.primary,
                disabled=disabled,
            )
        )
        return buttons
    for position, option in enumerate(view.asked.options):
        style = discord.ButtonStyle.primary
        if correct is not None:
            style = (
                discord.ButtonStyle.success if option == correct else discord.ButtonStyle.secondary
            )
        buttons.add_item(
            button(
                _answer_id(view, option),
                TF_LABELS.get(option, option),
                style=style,
                disabled=disabled,
                row=position // 5,
            )
        )
    return buttons


def question_message(view: QuestionView) -> Rendered:
    """An open question: prompt, options, a live countdown, the answer count, the buttons."""
    lines = [_prompt(view)]
    options = _option_lines(view)
    if options:
        lines += ["", *options]
    lines += _how_to_answer(view.asked.kind)
    embed = discord.Embed(title=_title(view), description="\n".join(lines), colour=OPEN)
    if view.paused_left is not None:
        left = round(view.paused_left)
        embed.add_field(name="Time", value=f"⏸️ Paused with {left} s left", inline=True)
    else:
        ends = discord.utils.format_dt(view.asked.deadline, "R")
        embed.add_field(name="Time", value=f"Time is up {ends}", inline=True)
    embed.add_field(name="Answers", value=str(view.answered), inline=True)
    footer = "Group round: your first answer is final."
    if view.paused_left is not None:
        footer = "Group round: paused by the instructor. Answers wait until it resumes."
    embed.set_footer(text=footer)
    return Rendered([embed], _buttons(view, disabled=False))


def _how_to_answer(kind: QuestionType) -> list[str]:
    """The line under a question answered in a form, saying how."""
    if kind is QuestionType.FREE_RESPONSE:
        return ["", f"Press **{WRITE_LABEL}** and type it before time is up."]
    if kind is QuestionType.NUMERIC:
        return ["", f"Press **{TYPE_LABEL}** and type a number (such as 3.5, 3,5 or 7/2)."]
    if kind in TYPED:
        return ["", f"Press **{TYPE_LABEL}** and type your answer before time is up."]
    return []


def reveal_message(
    view: RevealView, names: Mapping[int, str], extras: RevealExtras | None = None
) -> Rendered:
    """The question message after time is up: disabled buttons, the right answer marked, each
    option's count and share as a bar, the explanation and the fastest right answers; in a
    round with the streak bonus the longest runs ("🔥 3 in a row +200"), with teams the teams'
    standings so far (`extras`, in the room the rest leaves)."""
    q = view.question
    reveal = view.reveal
    marks = {reveal.correct: "✅ "} if reveal.correct else {}
    lines = [_prompt(q)]
    options = _option_lines(q, marks)
    if options:
        lines += ["", *options]
    question = discord.Embed(title=_title(q), description="\n".join(lines), colour=DONE)
    embeds = [question]
    if q.asked.kind is QuestionType.FREE_RESPONSE:
        model = q.question.answer_text() if q.question is not None else "—"
        answers = discord.Embed(
            title="Model answer",
            description=(
                f"{model}\n\n{_why(q)}\n\n"
                f"{reveal.answered} typed an answer. If you did, judge it yourself below."
            ),
            colour=DONE,
        )
        embeds.append(answers)
        buttons = discord.ui.View(timeout=None)
        for assessment, label in ASSESSMENT_LABELS.items():
            buttons.add_item(
                button(make(FEATURE, "assess", q.round_id, q.index, assessment.value), label)
            )
    elif q.asked.kind in TYPED:
        embeds.append(_typed_reveal(view, names))
        buttons = _buttons(q, disabled=True)
    else:
        counts = [
            f"{'✅' if option.correct else '▫️'} **{option.option}** "
            f"`{bar(option.share, BAR_WIDTH)}` {option.count} ({round(option.share * 100)}%)"
            for option in reveal.options
        ]
        text = "\n".join(counts) + f"\n\n{_why(q)}" + _fastest(view, names)
        embeds.append(
            discord.Embed(
                title=f"Correct answer: {reveal.correct} · {_answers(reveal.answered)}",
                description=text,
                colour=DONE,
            )
        )
        buttons = _buttons(q, disabled=True, correct=reveal.correct)
    footer = "That was the last question: the results follow." if view.last else None
    if view.next_at is not None and not view.last:
        footer = "The next question follows in a few seconds."
    if footer:
        embeds[-1].set_footer(text=footer)
    if extras is not None:
        _add_extras(embeds, extras, names)
    return Rendered(embeds, buttons)


def streak_text(run: int, bonus: int) -> str:
    """A run on a reveal: "🔥 3 in a row +200"."""
    return f"🔥 {run} in a row +{bonus}"


def team_name(name: str) -> str:
    """A team's name as shown (a role's name is text from the server: escaped, clipped)."""
    return discord.utils.escape_mentions(
        discord.utils.escape_markdown(limits.clip(name, TEAM_SHOWN))
    )


def _team_lines(teams: tuple[TeamStanding, ...]) -> list[str]:
    return [
        f"`{t.rank}.` **{team_name(t.name)}** · {t.points} pts "
        f"({'1 player' if t.members == 1 else f'{t.members} players'})"
        for t in teams
    ]


def _add_extras(
    embeds: list[discord.Embed], extras: RevealExtras, names: Mapping[int, str]
) -> None:
    """The streaks and teams as fields of the reveal's last embed, each clipped to the room
    left in the message (and to a field's 1024 characters)."""
    fields = []
    if extras.streaks:
        runs = [
            f"{name_of(user, names)} {streak_text(mark.run, mark.bonus)}"
            for user, mark in extras.streaks
        ]
        fields.append(("On a streak", "\n".join(runs)))
    if extras.teams:
        fields.append(("Teams so far", "\n".join(_team_lines(extras.teams))))
    for name, value in fields:
        room = EMBEDS_TOTAL - sum(len(e) for e in embeds) - len(name)
        if room < 20:
            return
        embeds[-1].add_field(
            name=name, value=limits.clip(value, min(room, limits.FIELD_VALUE)), inline=False
        )


def _fastest(view: RevealView, names: Mapping[int, str]) -> str:
    """The fastest right answers, as the reveal's last paragraph ("" when nobody was right)."""
    if not view.reveal.fastest:
        return ""
    fastest = ", ".join(
        f"{MEDALS[rank]} {name_of(f.user_id, names)} ({_seconds(f.seconds)})"
        for rank, f in enumerate(view.reveal.fastest)
    )
    return f"\n\n**Fastest right answers**\n{fastest}"


def _answers(count: int) -> str:
    return "1 answer" if count == 1 else f"{count} answers"


def _typed_reveal(view: RevealView, names: Mapping[int, str]) -> discord.Embed:
    """A short or numeric answer's reveal: the expected answer (and the others accepted), how
    many typed it right, the explanation and the fastest right answers."""
    q, reveal = view.question, view.reveal
    key = q.asked.key
    lines = [f"**Expected:** {reveal.correct or '—'}"]
    others = key.accepted[1:] if key is not None else ()
    if others:
        lines.append(limits.clip(f"**Also accepted:** {', '.join(others)}", ALSO_ACCEPTED))
    share = reveal.right / reveal.answered if reveal.answered else 0.0
    lines += [
        "",
        f"`{bar(share, BAR_WIDTH)}` **{reveal.right} of {_answers(reveal.answered)} right**",
    ]
    if reveal.common_wrong:
        wrong = ", ".join(f"“{_typed_text(w.text)}” ×{w.count}" for w in reveal.common_wrong)
        lines.append(f"**Common wrong answers:** {wrong}")
    text = "\n".join(lines) + f"\n\n{_why(q)}" + _fastest(view, names)
    return discord.Embed(
        title=f"Right answers: {reveal.right} · {_answers(reveal.answered)}",
        description=text,
        colour=DONE,
    )


def _typed_text(text: str) -> str:
    """What students typed, shown in the channel: on one line, clipped, Markdown and mentions
    escaped (it is words, never formatting or a ping)."""
    shown = limits.clip(" ".join(text.split()), WRONG_SHOWN)
    return discord.utils.escape_mentions(discord.utils.escape_markdown(shown))


def _why(view: QuestionView) -> str:
    if view.question is None:
        return ""
    return f"**Why**\n{view.question.explained}"


def _place(rank: int) -> str:
    """A podium place: a medal for the first three, the rank after."""
    return MEDALS[rank - 1] if rank <= len(MEDALS) else f"`{rank}.`"


def end_message(end: RoundEnd, names: Mapping[int, str]) -> Rendered:
    """The podium (3 to 10 places), the top 10 table and, in a round with teams, the team
    podium, in the channel."""
    title = limits.clip(f"Round over: {end.topic_title}", limits.EMBED_TITLE)
    lines = []
    if end.reason:
        lines += [end.reason, ""]
    elif end.stopped:
        lines += ["The instructor ended the round.", ""]
    if not end.podium:
        lines.append("Nobody answered this round.")
    for standing in end.podium:
        lines.append(
            f"{_place(standing.rank)} **{name_of(standing.user_id, names)}** · "
            f"{standing.points} points"
        )
    podium = discord.Embed(title=title, description="\n".join(lines), colour=DONE)
    embeds = [podium]
    if end.top:
        rows = [
            f"`{s.rank:>2}.` {name_of(s.user_id, names)} · {s.points} pts · "
            f"{_credit(s.correct)}/{s.asked} right" + (f" · 🔥 +{s.bonus}" if s.bonus else "")
            for s in end.top
        ]
        table = discord.Embed(title="Top 10", description="\n".join(rows), colour=DONE)
        questions = "1 question" if end.asked == 1 else f"{end.asked} questions"
        table.set_footer(text=f"{end.participants} took part · {questions}")
        embeds.append(table)
    if end.teams or end.empty_teams:
        embeds.append(team_podium(end))
    view = discord.ui.View(timeout=None)
    view.add_item(button(make(FEATURE, "report", end.round_id), "Instructor report"))
    return Rendered(embeds, view)


def thread_start_text(topic_title: str, thread_id: int) -> str:
    """What the channel a round's thread was started from is told: where to play."""
    title = discord.utils.escape_markdown(limits.clip(topic_title, 200))
    return f"🎯 A round on **{title}** starts in <#{thread_id}>: join the thread to play."


def thread_end_text(end: RoundEnd, names: Mapping[int, str]) -> str:
    """What the channel a round's thread was started from is told at its end: the top three
    and the winning team, in one message (the podium itself is in the thread)."""
    title = discord.utils.escape_markdown(limits.clip(end.topic_title, 200))
    lines = [f"🏁 The round on **{title}** in <#{end.channel_id}> is over."]
    podium = " · ".join(
        f"{_place(s.rank)} {name_of(s.user_id, names)}" for s in end.podium if s.rank <= 3
    )
    lines.append(podium or "Nobody answered.")
    if len(end.teams) >= 2:
        lines.append(f"Winning team: **{team_name(end.teams[0].name)}**")
    return limits.clip("\n".join(lines), limits.CONTENT)


def team_podium(end: RoundEnd) -> discord.Embed:
    """The teams ranked by the mean of their members' points; the teams nobody played for are
    named, and with fewer than two teams playing there is no team contest to rank."""
    lines = []
    if len(end.teams) >= 2:
        lines += [
            f"{_place(t.rank)} **{team_name(t.name)}** · {t.points} points "
            f"(mean of {'1 player' if t.members == 1 else f'{t.members} players'})"
            for t in end.teams
        ]
    else:
        playing = "Only 1 team had players" if end.teams else "Nobody played for a team"
        lines.append(f"{playing}: no team podium this time; the player podium stands.")
    if end.empty_teams:
        empty = ", ".join(team_name(n) for n in end.empty_teams)
        lines.append(
            f"\nNobody played for {limits.clip(empty, 300)}: more teams than players answered."
        )
    return discord.Embed(title="Team podium", description="\n".join(lines), colour=DONE)


def _credit(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def report_text(end: RoundEnd, names: Mapping[int, str]) -> str:
    """The instructor's private report: the most missed questions and the students below 50%
    with the topic's prerequisites they have not mastered."""
    lines = [f"**Round report: {discord.utils.escape_markdown(end.topic_title)}**"]
    if end.most_missed:
        lines.append("\n**Most missed questions**")
        for missed in end.most_missed:
            prompt = limits.clip(" ".join(missed.prompt.split()), 120)
            lines.append(f"• {round(missed.correct_share * 100)}% right: {prompt}")
    else:
        lines.append("\nNo question was missed by anyone.")
    if end.struggling:
        lines.append("\n**Below 50%**")
        student_lines = []
        for student in end.struggling:
            review = ", ".join(student.review) if student.review else "the topic's own explainer"
            student_lines.append(
                f"• {name_of(student.user_id, names)} ({round(student.accuracy * 100)}%): "
                f"review {limits.clip(review, 200)}"
            )
        lines.append(limits.bounded_lines(student_lines, 1200, "… and {n} more students"))
    else:
        lines.append("\nEveryone scored at least 50%.")
    if end.teams:
        lines.append("\n**Teams** (mean points of their players)")
        lines += _team_lines(end.teams)
    if end.empty_teams:
        empty = ", ".join(team_name(n) for n in end.empty_teams)
        lines.append(f"Nobody played for {limits.clip(empty, 200)}.")
    if end.streak:
        bonus = sum(s.bonus for s in end.top)
        lines.append(f"\nStreak bonus on: the top 10 earned {bonus} streak points in all.")
    return limits.clip("\n".join(lines), limits.CONTENT)
