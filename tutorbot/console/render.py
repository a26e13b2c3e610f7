"""What the console prints: pure functions of content, services' results and student state.

The wording follows the Discord renderers (tutorbot/bot/exts/*/render.py) and the card's figures
come from `tutorbot.content.card`, so the terminal and Discord never disagree. Where Discord
shows a button, the console names the word to type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime

from rich.text import Text

from tutorbot.content import card
from tutorbot.content.library import Library
from tutorbot.content.models import LETTERS, TYPED, Question, QuestionType, Topic
from tutorbot.domain.progress import Progress, bar
from tutorbot.domain.quiz import Answered, Assessed, NotYet, Revealed
from tutorbot.domain.scoring import SelfAssessment
from tutorbot.paging import paginate
from tutorbot.services.placement import NotYet as PlacementNotYet
from tutorbot.services.placement import PlacementEnd, PlacementScreen
from tutorbot.services.progress import Remembering, StudentView
from tutorbot.services.quiz import QuizEnd, Screen
from tutorbot.services.review import ReviewEnd, ReviewPlan
from tutorbot.services.stats import StudentStats

from .output import Block, Md

EXPLAINER_PAGE = 1800
CHAIN_PAGE = 20
THINK_LINE = "Think about your answer, then reveal below."
TYPED_HINTS = {
    QuestionType.SHORT_ANSWER: "Type your answer (case, accents and punctuation do not matter); "
    "start with = if it is also a command word, e.g. = next.",
    QuestionType.NUMERIC: "Type a number: 3.5, 3,5, 7/2 and -0.25 all work.",
}
"""What to type for a question answered by typing (session.py says how a line is read)."""
ASSESSMENT_LABELS = {
    SelfAssessment.GOT_IT: "Got it",
    SelfAssessment.PARTLY: "Partly",
    SelfAssessment.MISSED: "Missed it",
}
TITLE = "bold cyan"
HEADING = "bold"
HINT = "dim"
RIGHT = "bold green"
PLACED_MARK = "📍 Known by placement"
PLACED_SHOWN = 10
"""How many placed topics the end of a placement lists (the highest ones)."""
LEARN_NEXT_SHOWN = 8
"""How many topics of the frontier the end of a placement lists."""
PLACEMENT_FOOTER = (
    "Private placement: answer what you know; “I don't know” is fine (type idk). stop ends it."
)
WRONG = "bold red"


def title(text: str) -> Text:
    """A page's title, styled as every page's is."""
    return Text(text, style=TITLE)


def heading(text: str) -> Text:
    """A section heading inside a page."""
    return Text(text, style=HEADING)


def hint(text: str) -> Text:
    """A dim line telling the user what they can type next."""
    return Text(text, style=HINT)


def _mark(topic_id: str, known: frozenset[str]) -> str:
    return "✅" if topic_id in known else "▫️"


def _topic_lines(library: Library, ids: Sequence[str], known: frozenset[str]) -> list[Block]:
    lines: list[Block] = []
    for topic_id in ids:
        other = library.get(topic_id)
        name = other.title if other else topic_id
        lines.append(f"  {_mark(topic_id, known)} {name} ({topic_id})")
    return lines


def topic_card(library: Library, topic: Topic, student: StudentView) -> list[Block]:
    """The topic card, in the seed page's order, with the student's marks and what to type."""
    graph = library.graph
    figs = card.figures(graph, topic.id)
    blocks: list[Block] = [title(f"{topic.title}  ({topic.id})")]
    blocks.append(card.depth_text(figs.depth, topic.level))
    if topic.tags:
        blocks.append(" ".join(topic.tags))
    blocks.append(card.unlocks_text(figs.unlocks))
    known_line = known_text(topic.id, student, student.placed_only)
    if known_line is not None:
        blocks.append(known_line)
    if student.goal == topic.id:
        blocks.append(Text("🎯 This is your goal", style="yellow"))
    blocks += ["", heading("Core Idea"), Md(topic.core_idea_shown), ""]
    prereqs = graph.prerequisites(topic.id)
    blocks.append(heading(card.count_heading("Prerequisites", len(prereqs))))
    blocks += _topic_lines(library, prereqs, student.known) or ["  None: a starting point"]
    leads = graph.leads_to(topic.id)
    blocks.append(heading(card.count_heading("Leads To", len(leads))))
    blocks += _topic_lines(library, leads, student.known) or ["  Nothing yet"]
    blocks.append(card.questions_text(len(topic.questions)))
    blocks.append(card.longest_path_text(figs.steps, figs.total_prerequisites))
    known_word = "known (unmark)" if topic.id in student.marked else "known"
    actions = ["explainer" if topic.explainer else None, "chain", known_word]
    actions += [None if student.goal == topic.id else "goal"]
    actions += ["practice" if topic.questions else None]
    blocks += ["", hint("Type: " + " · ".join(a for a in actions if a))]
    return blocks


def known_text(topic_id: str, student: StudentView, placed_only: AbstractSet[str]) -> Text | None:
    """How the card says the student knows a topic: "known by placement" when only a placement
    makes it known (`placed_only`), else "you know" (a mark or mastery, on it or above it)."""
    if topic_id in placed_only:
        return Text(PLACED_MARK, style="green")
    if topic_id in student.known:
        return Text("✅ You know this topic", style="green")
    return None


def explainer_pages(topic: Topic) -> list[str]:
    """The explainer in terminal-sized pages, nothing cut."""
    return paginate(topic.explainer, EXPLAINER_PAGE)


def explainer_page(topic: Topic, pages: list[str], page: int) -> list[Block]:
    """One page of the explainer and how to get the next."""
    blocks: list[Block] = [title(f"{topic.title}: Explainer"), Md(pages[page] or "No explainer.")]
    blocks.append(hint(_page_footer(page, len(pages))))
    return blocks


def _page_footer(page: int, pages: int) -> str:
    footer = f"Page {page + 1} of {pages}"
    if page + 1 < pages:
        return footer + ": press Enter or type more for the next page."
    return footer + ": the end. Type card for the topic card."


def chain_pages(library: Library, topic: Topic) -> int:
    """How many pages the topic's longest prerequisite chain takes (at least one)."""
    return max(1, math.ceil(len(library.graph.longest_chain(topic.id)) / CHAIN_PAGE))


def chain_page(library: Library, topic: Topic, page: int, known: frozenset[str]) -> list[Block]:
    """One page of the longest prerequisite chain, numbered, known steps ticked."""
    chain = library.graph.longest_chain(topic.id)
    start = page * CHAIN_PAGE
    blocks: list[Block] = [title(f"Prerequisite Chain: {topic.title}")]
    width = len(str(len(chain)))
    for number, topic_id in enumerate(chain[start : start + CHAIN_PAGE], start=start + 1):
        step = library.get(topic_id)
        name = step.title if step else topic_id
        blocks.append(f"{number:>{width}}. {_mark(topic_id, known)} {name}")
    blocks.append(
        hint(f"Longest path: {card.plural(len(chain), 'step')} · ")
        + hint(_page_footer(page, chain_pages(library, topic)))
    )
    return blocks


def question(screen: Screen) -> list[Block]:
    """A question waiting for an answer and what to type (or, once answered, the answer given)."""
    q = screen.question
    where = f"Review · {screen.topic.title}" if screen.is_review else screen.topic.title
    blocks: list[Block] = [
        title(f"{where} · Question {screen.number} of {screen.total}"),
        Md(q.prompt),
        *how_to_answer(q, write=True),
    ]
    given = screen.state.answer_for(q.id)
    if given is not None:
        return [*blocks[:2], f"Your answer: {given.given}", next_hint(screen.state.is_last)]
    extras = ["hint"] if q.hint else []
    kind = "review" if screen.is_review else "quiz"
    blocks.append(hint(" · ".join([*extras, f"stop ends the {kind}"])))
    return blocks


def how_to_answer(q: Question, *, write: bool) -> list[Block]:
    """The choices of a question, if any, and what to type to answer it (a free response:
    reveal, and with `write`, the student's own answer first)."""
    if q.type is QuestionType.MULTIPLE_CHOICE and q.choices:
        blocks: list[Block] = [
            f"  {LETTERS[i]}. {choice.strip()}" for i, choice in enumerate(q.choices)
        ]
        return [*blocks, hint(f"Answer with a letter (A–{LETTERS[len(q.choices) - 1]}).")]
    if q.type is QuestionType.TRUE_FALSE:
        return [hint("Answer true or false.")]
    if q.type in TYPED:
        return [hint(TYPED_HINTS[q.type])]
    seconds = q.think_seconds or 0
    opens = f" (it opens {seconds} s after the question appears)" if seconds else ""
    then = "; write <your answer> first if you like." if write else "."
    return [THINK_LINE, hint(f"Type reveal{opens}{then}")]


def next_hint(is_last: bool) -> Text:
    """What `next` does from here: the next question, or the results after the last."""
    return hint("Type next to see your results." if is_last else "Type next for the next question.")


def answered(result: Answered, look_at: Sequence[Topic] = ()) -> list[Block]:
    """Right or wrong, the correct answer and why (after a missed review question, the
    prerequisites to look at again); for a typed answer, what was typed, the accepted answer a
    near match counted as, and the expected answer."""
    verdict = Text("✅ Correct!", style=RIGHT) if result.correct else Text("❌ Not quite", WRONG)
    return [
        verdict,
        *_given_lines(result),
        heading("Why"),
        Md(result.explanation),
        *look_again(look_at),
        next_hint(result.is_last),
    ]


def _given_lines(result: Answered) -> list[Block]:
    """What the student gave and the correct (or, typed, expected) answer."""
    expected = result.correct_answer.strip()
    if not result.typed:
        return [f"You answered {result.given}.", f"Correct answer: {expected}"]
    accepted = [f"Accepted: {result.accepted}"] if result.accepted is not None else []
    return [f"You typed: {result.given}", *accepted, f"Expected answer: {expected}"]


def look_again(topics: Sequence[Topic]) -> list[Block]:
    """After a missed review question: its topic's prerequisites, now due for review."""
    return _topic_list("Look again at (now due for review)", topics)


def not_yet(result: NotYet | PlacementNotYet) -> list[Block]:
    """Reveal pressed before the think time has passed."""
    left = max(1, math.ceil(result.seconds_left))
    return [f"Not yet: think it through first. The model answer opens in {left} s."]


def revealed(result: Revealed) -> list[Block]:
    """The model answer beside the student's own, the explanation, and the self-assessment."""
    return [
        heading("Your answer"),
        result.written or "You did not write an answer.",
        heading("Model answer"),
        Md(result.model_answer),
        heading("Why"),
        Md(result.explanation),
        hint(
            "How did you do? Be honest: it decides what to review. Type got it, partly or missed."
        ),
    ]


def assessed(result: Assessed, look_at: Sequence[Topic] = ()) -> list[Block]:
    """The self-assessment as recorded (and, after "missed" in a review, what to look at)."""
    style = {1.0: RIGHT, 0.5: "bold yellow"}.get(result.credit, WRONG)
    return [
        Text(f"You said: {ASSESSMENT_LABELS[result.assessment]}", style=style),
        *look_again(look_at),
        next_hint(result.is_last),
    ]


def written() -> list[Block]:
    """The confirmation that a typed answer was kept, and how to compare it."""
    return ["Saved your answer. Type reveal to compare it with the model answer."]


def _topic_list(label: str, topics: Sequence[Topic]) -> list[Block]:
    if not topics:
        return []
    return [heading(label), *(f"  • {t.title} ({t.id})" for t in topics)]


def summary(end: QuizEnd) -> list[Block]:
    """Score, mastery, what it unlocked, and what to do next (as the Discord summary)."""
    s = end.summary
    blocks: list[Block] = [title(f"Quiz complete: {end.topic.title}")]
    blocks.append(Text(f"Score: {s.score:g} / {s.count} ({s.percentage:g}%)", style=HEADING))
    if end.newly_mastered:
        blocks.append(Text(f"🏆 You have mastered {end.topic.title}.", style=RIGHT))
    elif s.mastered:
        blocks.append(f"✅ {end.topic.title} stays mastered.")
    else:
        blocks.append(f"Mastery needs at least 80%. Review, then try {end.topic.title} again.")
    if s.unanswered:
        blocks.append(f"{len(s.unanswered)} question(s) left unanswered count as missed.")
    blocks += _topic_list("Now unlocked", end.unlocked)
    blocks += _topic_list("Worth reviewing for what you missed", end.review)
    blocks += _topic_list("Learn next", end.next_topics)
    blocks.append(hint(f"Type practice to try again, or /topic {end.topic.id} for the card."))
    return blocks


def review_summary(end: ReviewEnd, now: datetime) -> list[Block]:
    """What a finished review did and what remains (as the Discord summary)."""
    t = end.tally
    blocks: list[Block] = [title("Review complete" if t.answered else "Review stopped")]
    if t.answered:
        blocks.append(Text(f"{t.right} of {t.answered} remembered", style=HEADING))
    else:
        blocks.append("You stopped before answering anything.")
    if t.covered:
        blocks.append(
            f"{t.covered} more cleared by harder questions you got right: practising a topic "
            "also exercises what it builds on."
        )
    blocks += _topic_list("Look again at", end.look_at)
    if end.ready:
        blocks.append(f"{end.due_left} still due today: type /review to go on.")
    elif end.due_left:
        blocks.append(
            f"{end.due_left} more due, past your daily limit: they keep until tomorrow "
            "(/review settings limit N to do more each day)."
        )
    elif end.next_due is not None:
        blocks.append(f"Next review {when_text(end.next_due, now)}.")
    blocks.append(hint("Type /progress to see how well you remember each topic."))
    return blocks


def review_intro(plan: ReviewPlan) -> Text:
    """The line above a review's first question: how many are due and how long today's take."""
    count = len(plan.keys)
    due = f"{plan.due} due" if plan.due == count else f"{plan.due} due, {count} today"
    minutes = "about 1 minute" if plan.minutes <= 1 else f"about {plan.minutes} minutes"
    return Text(f"🧠 {due}, {minutes}.", style=HEADING)


def nothing_to_review(plan: ReviewPlan, now: datetime) -> list[Block]:
    """/review with nothing due: when the next review is, and what to learn meanwhile."""
    blocks: list[Block] = [title("Review")]
    if plan.limit_reached:
        blocks.append(
            f"You have done {card.plural(plan.done_today, 'review')} today: that is your daily "
            f"limit of {plan.limit}. {plan.due} more due; they keep until tomorrow."
        )
        blocks.append(hint("To do more each day: /review settings limit N (1 to 200)."))
        return blocks
    if plan.next_due is None:
        blocks.append(
            "Nothing to review yet. Questions you answer in a quiz come back here just before "
            "you would forget them."
        )
    else:
        blocks.append(f"Nothing due right now. Next review {when_text(plan.next_due, now)}.")
    blocks += _topic_list("Learn next meanwhile", plan.next_topics)
    if plan.next_topics:
        blocks.append(hint(f"Type /quiz {plan.next_topics[0].id} to start one."))
    return blocks


def review_settings(limit: int, zone: str, *, changed: str | None = None) -> list[Block]:
    """The student's review settings, after a change or on their own."""
    blocks: list[Block] = [changed] if changed else [title("Review settings")]
    blocks.append(f"Daily limit: {card.plural(limit, 'review')} · Time zone: {zone}")
    if not changed:
        blocks.append(hint("Change them with /review settings limit N or timezone NAME."))
    return blocks


def when_text(when: datetime, now: datetime) -> str:
    """How far ahead `when` is, in words: 'now', 'in 5 minutes', 'in 3 hours', 'in 2 days'."""
    seconds = (when - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return "in " + card.plural(max(1, math.ceil(seconds / 60)), "minute")
    hours = max(1, round(seconds / 3600))
    if hours < 24:
        return "in " + card.plural(hours, "hour")
    return "in " + card.plural(max(1, round(seconds / 86400)), "day")


def progress(
    library: Library, overview: Progress, remembering: Remembering, student: StudentView
) -> list[Block]:
    """Goal and a bar toward it, reviews due today, topics known (how many by placement alone),
    the next topics, recently mastered topics with how well each is remembered today."""
    blocks: list[Block] = [title("Your progress")]
    if remembering.due > 0:
        blocks.append(Text(f"🧠 {card.plural(remembering.due, 'review')} due today — /review"))
    goal = overview.goal
    if goal is None:
        blocks.append("No goal set. Set one with /goal set TOPIC.")
    else:
        topic = library.get(goal.goal)
        name = topic.title if topic else goal.goal
        blocks.append(Text(f"🎯 Goal: {name} ({goal.goal})", style=HEADING))
        blocks.append(
            Text(bar(goal.fraction), style="green")
            + Text(f" {goal.percentage}% · {goal.known} of {goal.total} prerequisites known")
        )
        if goal.goal_known:
            blocks.append(Text("✅ You know your goal topic.", style="green"))
    blocks.append(known_count_text(len(overview.known), len(student.placed_only)))
    blocks += _topic_list("Learn next", _topics(library, overview.next_topics))
    mastered = _topics(library, overview.recently_mastered)
    if mastered:
        blocks.append(heading("Recently mastered"))
        blocks += [_mastered_line(t, remembering.retention) for t in mastered]
    return blocks


def known_count_text(known: int, placed_only: int) -> str:
    """'Topics known: N', and '(M by placement)' when M of them are known by placement alone."""
    return f"Topics known: {known}" + (f" ({placed_only} by placement)" if placed_only else "")


def _mastered_line(topic: Topic, retention: Mapping[str, float]) -> str:
    kept = retention.get(topic.id)
    extra = f" · {kept:.0%} remembered today" if kept is not None else ""
    return f"  • {topic.title} ({topic.id}){extra}"


def _topics(library: Library, ids: Sequence[str]) -> list[Topic]:
    return [t for t in (library.get(i) for i in ids) if t is not None]


def stats(name: str, figures: StudentStats) -> list[Block]:
    """Answers, accuracy, points, topics practised and the review streak."""
    overall = figures.overall
    blocks: list[Block] = [
        title(f"Stats for {name}"),
        f"Answered: {overall.answered}",
        f"Correct: {overall.correct} ({round(100 * overall.accuracy)}%)",
        f"Points: {overall.points}",
        f"Topics practised: {overall.topics_practised}",
    ]
    if figures.review_streak > 0:
        blocks.append(f"🔥 Review streak: {card.plural(figures.review_streak, 'day')}")
    return blocks


def placement_question(screen: PlacementScreen) -> list[Block]:
    """A placement question: as a quiz shows it, how far the placement has got, and that "I
    don't know" is a fine answer. No hints: a placement measures what the student knew."""
    q = screen.question
    return [
        title(
            f"Placement · {screen.topic.title} · Question {screen.number} of at most {screen.cap}"
        ),
        Md(q.prompt),
        *how_to_answer(q, write=False),
        hint(f"{screen.decided} of {card.plural(screen.candidates, 'topic')} on the way decided."),
        hint(PLACEMENT_FOOTER),
    ]


def placement_revealed(screen: PlacementScreen) -> list[Block]:
    """A free response's model answer in a placement, and the self-assessment to type."""
    return [
        heading("Model answer"),
        Md(screen.question.answer_text()),
        hint(
            "How did you do? Be honest: it decides where you start. "
            "Type got it, partly or missed (or idk)."
        ),
    ]


def placement_end(end: PlacementEnd, *, stopped: bool = False) -> list[Block]:
    """How many questions it took (or that it was stopped), the topics placed (the highest few),
    what to learn next, and that placed topics come up in /review soon (as the Discord end
    says); an end with nothing asked and nothing left says there was nothing to place."""
    if end.questions == 0 and end.undecided == 0:
        return _nothing_to_place(end)
    blocks: list[Block] = [title("Placement stopped" if stopped else "Placement complete")]
    if end.questions:
        blocks.append(Text(f"It took {card.plural(end.questions, 'question')}.", style=HEADING))
    else:
        blocks.append("You stopped before answering anything.")
    if end.goal is not None:
        blocks.append(f"🎯 On the way to {end.goal.title}.")
    if end.placed:
        blocks.append(
            Text(f"📍 {card.plural(len(end.placed), 'topic')} known by placement.", style=RIGHT)
            + " They come up in /review over the next few days, so a lucky guess is soon put right."
        )
        blocks += _placed_list(end.placed)
    elif end.questions:
        blocks.append("No topic placed this time: start with what to learn next, below.")
    if end.already_known:
        blocks.append(
            f"{card.plural(end.already_known, 'topic')} you already knew (marked or mastered) "
            "were not asked."
        )
    if end.undecided:
        one = end.undecided == 1
        blocks.append(
            f"{card.plural(end.undecided, 'topic')} left undecided "
            f"{'counts' if one else 'count'} as not known yet: practise "
            f"{'it' if one else 'them'}, or take /placement again."
        )
    return blocks + _learn_next(end.frontier)


def _nothing_to_place(end: PlacementEnd) -> list[Block]:
    toward = f" to {end.goal.title}" if end.goal is not None else ""
    return [
        title("Placement"),
        f"Nothing to ask: you already know every topic on the way{toward}.",
        *_learn_next(end.frontier),
    ]


def _placed_list(placed: Sequence[Topic]) -> list[Block]:
    """The topics placed, the highest `PLACED_SHOWN` of them (the last in learning order: the
    others lie beneath them), saying how many more there are."""
    shown = placed[-PLACED_SHOWN:]
    blocks: list[Block] = [heading("Known by placement")]
    if len(placed) > len(shown):
        earlier = len(placed) - len(shown)
        blocks.append(f"  … and {card.plural(earlier, 'topic')} beneath these")
    return blocks + [f"  📍 {t.title} ({t.id})" for t in shown]


def _learn_next(frontier: Sequence[Topic]) -> list[Block]:
    if not frontier:
        return [heading("Learn next"), "  Nothing left: well done!"]
    more = len(frontier) - LEARN_NEXT_SHOWN
    return [
        *_topic_list("Learn next", frontier[:LEARN_NEXT_SHOWN]),
        *([f"  … and {more} more: /progress lists what to learn next"] if more > 0 else []),
        hint(
            f"Type /quiz {frontier[0].id} to start on it, or /topic {frontier[0].id} for its card."
        ),
    ]
