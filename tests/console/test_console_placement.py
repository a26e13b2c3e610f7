"""/placement in the console: a scripted student who knows the course up to a topic is placed
there, the end lists what was placed and what to learn next, /progress and the topic card show
it; "I don't know", stop, a goal, resuming in a later session, a quiz it replaces, and a free
response's reveal and self-assessment (on a two-topic course of its own)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from pexpect.popen_spawn import PopenSpawn
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from tutorbot.console.completion import ConsoleCompleter
from tutorbot.console.identity import console_user_id
from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.domain import placement as placement_rules
from tutorbot.domain.quiz import InvalidChoice
from tutorbot.domain.typed_answers import NotANumber
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .console_helpers import (
    KIND,
    SEED,
    TIMEOUT,
    answers,
    command,
    console_env,
    piped,
    run_script,
    typed_answer,
    wrong_letter,
)

QUESTION = r"Placement · (.+) · Question (\d+) of at most 15\n"
END = r"Placement (complete|stopped)\n"
LIBRARY = load_library(BUNDLED_CONTENT_DIR)
BY_TITLE: dict[str, list[Topic]] = {}
for _topic in LIBRARY.topics.values():
    BY_TITLE.setdefault(_topic.title, []).append(_topic)
"""Topics by title: two topics of the bundled course share theirs."""


ASKED_ABOUT = sum(1 for t in LIBRARY.topics.values() if t.questions)
"""Topics a placement over the whole course can decide: those with questions."""


def _first_question() -> tuple[Topic, Question]:
    """The question a placement over the whole course opens with for a new student (the rules
    choose it without randomness)."""
    state = placement_rules.start(LIBRARY.graph, LIBRARY.topics, 1, None, (), datetime.now(UTC))
    assert isinstance(state, placement_rules.PlacementState) and state.current is not None
    topic = LIBRARY.topics[state.current[0]]
    return topic, next(q for q in topic.questions if q.id == state.current[1])


def _refused_line(question: Question) -> tuple[str, str] | None:
    """A line a placement question refuses as not fitting it, and the refusal shown; None for a
    short answer, which takes any line as its answer."""
    refusals = {
        QuestionType.MULTIPLE_CHOICE: InvalidChoice.default,
        QuestionType.TRUE_FALSE: InvalidChoice.default,
        QuestionType.NUMERIC: NotANumber.default,
        QuestionType.FREE_RESPONSE: "That does not fit this kind of question.",
    }
    refusal = refusals.get(question.type)
    return None if refusal is None else ("E", refusal)


def _next_to_learn(known: frozenset[str]) -> Topic:
    """The first topic a student who knows `known` is told to learn next: the first one ready,
    in learning order."""
    return LIBRARY.topics[LIBRARY.graph.frontier(known)[0]]


def _knowing(topic_id: str, library: Library = LIBRARY) -> frozenset[str]:
    """Everything a student knows who knows the course up to `topic_id`: it and all beneath."""
    return frozenset(library.graph.known([topic_id]))


def _learning_order(ids: frozenset[str]) -> list[Topic]:
    return [LIBRARY.topics[t] for t in LIBRARY.graph.learning_order() if t in ids]


def _answer(console: PopenSpawn, knows: frozenset[str] | None) -> int | None:
    """Answer the placement question on screen as a student who knows `knows` (right on those
    topics, wrong elsewhere; None: "I don't know" to everything); its number, or None at the
    end."""
    if console.expect([QUESTION, END]) == 1:
        return None
    titled = BY_TITLE[console.match.group(1)]
    number = int(console.match.group(2))
    console.expect(KIND)
    shown = " ".join(str(console.before).split())
    topic, question = next(
        (t, q) for t in titled for q in t.questions if " ".join(q.prompt.split()) in shown
    )
    right = knows is not None and topic.id in knows
    if knows is None:
        console.sendline("idk")
    elif question.type is QuestionType.MULTIPLE_CHOICE:
        console.sendline(str(question.answer) if right else wrong_letter(question))
    elif question.type in TYPED:
        console.sendline(typed_answer(question, right))
    elif question.type is QuestionType.TRUE_FALSE:
        console.sendline("true" if question.answer == right else "false")
    else:
        console.sendline(f"/wait {question.think_seconds or 0}")
        console.sendline("reveal")
        console.expect("Model answer\n")
        console.sendline("got it" if right else "missed")
    return number


def _place(console: PopenSpawn, knows: frozenset[str] | None) -> int:
    """Answer every question of a placement to its end; how many were asked (checking they
    were numbered 1, 2, 3...)."""
    asked = 0
    while (number := _answer(console, knows)) is not None:
        asked += 1
        assert number == asked
    return asked


def _quit(console: PopenSpawn) -> None:
    console.sendline("/quit")
    console.expect("Bye")
    assert console.wait() == 0


def _placed(db_path: Path, user: str = "alice") -> set[str]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT topic_id FROM topic_state WHERE user_id = ? AND placed_at IS NOT NULL",
            (console_user_id(user),),
        ).fetchall()
    return {str(t) for (t,) in rows}


def _placement_reviews(db_path: Path, user: str = "alice") -> list[tuple[str, int]]:
    """(topic, rating) of the user's memory reviews from placements, oldest first."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT topic_id, rating FROM memory_reviews WHERE user_id = ? "
            "AND source = 'placement' ORDER BY id",
            (console_user_id(user),),
        ).fetchall()
    return [(str(t), int(r)) for t, r in rows]


def _sessions(db_path: Path, user: str = "alice") -> list[tuple[str, str]]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT kind, status FROM quiz_sessions WHERE user_id = ? ORDER BY id",
            (console_user_id(user),),
        ).fetchall()
    return [(str(k), str(s)) for k, s in rows]


def test_a_student_who_knows_the_course_up_to_a_topic_is_placed_there(db_path: Path) -> None:
    knows = _knowing("division-as-equal-sharing")
    placed = _learning_order(knows)
    following = _next_to_learn(knows)
    shared = LIBRARY.graph.prerequisites("division-as-equal-sharing")
    console = piped(db_path)
    console.sendline("/placement")
    asked = _place(console, knows)
    assert console.match.group(1) == "complete"
    console.expect(f"It took {asked} questions.\n")
    console.expect(
        f"📍 {len(placed)} topics known by placement. They come up in /review over the next "
        "few days"
    )
    console.expect(f"Known by placement\n  … and {len(placed) - 10} topics beneath these\n")
    shown = "".join(f"  📍 {re.escape(t.title)} \\({t.id}\\)\n" for t in placed[-10:])
    console.expect(shown)
    console.expect(f"Learn next\n  • {re.escape(following.title)} \\({following.id}\\)\n")
    console.sendline("/progress")
    console.expect(f"Topics known: {len(knows)} \\({len(placed)} by placement\\)\n")
    console.expect(f"Learn next\n  • {re.escape(following.title)}")
    console.sendline("/topic division-as-equal-sharing")
    console.expect(
        f"Depth {LIBRARY.graph.depth('division-as-equal-sharing')} in the knowledge graph"
    )
    console.expect("Unlocks")
    console.expect("📍 Known by placement\n")
    console.expect(
        f"Prerequisites \\({len(shared)}\\)\n  ✅ {re.escape(LIBRARY.topics[shared[0]].title)}"
    )
    console.sendline(f"/topic {following.id}")
    console.expect("Unlocks \\d+ downstream topics\n\nCore Idea")
    _quit(console)
    assert 3 <= asked <= 15
    assert _placed(db_path) == set(knows)
    assert answers(db_path) == []
    reviews = _placement_reviews(db_path)
    assert len(reviews) == asked
    assert {rating for topic, rating in reviews if topic in knows} <= {3}
    assert {rating for topic, rating in reviews if topic not in knows} <= {1}
    assert _sessions(db_path) == [("placement", "finished")]


def test_i_know_this_outranks_placement_on_the_card_and_in_the_count(db_path: Path) -> None:
    knows = _knowing("counting-to-five")
    console = piped(db_path)
    console.sendline("/placement")
    _place(console, knows)
    console.expect("📍 5 topics known by placement.")
    console.sendline("/topic understanding-zero")
    console.sendline("known")
    console.expect("Marked Understanding Zero as known")
    for topic, mark in (
        ("counting-to-10", "✅ You know this topic"),
        ("understanding-zero", "✅ You know this topic"),
        ("the-number-zero", "📍 Known by placement"),
    ):
        console.sendline(f"/topic {topic}")
        console.expect(f"Unlocks \\d+ downstream topics\n{mark}\n")
    console.sendline("/progress")
    console.expect("Topics known: 5 \\(2 by placement\\)\n")
    _quit(console)


def test_i_dont_know_counts_as_a_wrong_answer_and_places_nothing(db_path: Path) -> None:
    console = piped(db_path)
    console.sendline("/placement")
    asked = _place(console, None)
    console.expect(f"It took {asked} questions.\n")
    console.expect("No topic placed this time: start with what to learn next, below.\n")
    first = _next_to_learn(frozenset())
    console.expect(f"Learn next\n  • {re.escape(first.title)} \\({first.id}\\)\n")
    console.expect(f"Type /quiz {first.id} to start on it")
    console.sendline("/progress")
    console.expect("Topics known: 0\n")
    console.sendline("idk")
    console.expect(re.escape("No quiz in progress. Start one with /quiz TOPIC."))
    _quit(console)
    assert _placement_reviews(db_path) == [(t, 1) for t, _ in _placement_reviews(db_path)]
    assert len(_placement_reviews(db_path)) == asked
    assert _placed(db_path) == set()


def test_stop_ends_with_what_was_found_and_quiz_words_say_what_to_type(db_path: Path) -> None:
    topic, question = _first_question()
    refused = _refused_line(question)
    words = ["next", "hint", "write my answer", *([refused[0]] if refused else []), "stop"]
    out = run_script(db_path, ["/placement", *words, "stop", "/placement", "stop"])
    assert f"Placement · {topic.title} · Question 1 of at most 15" in out
    assert f"0 of {ASKED_ABOUT} topics on the way decided." in out
    assert "Private placement: answer what you know; “I don't know” is fine (type idk)." in out
    assert "In a placement the next question comes as soon as you answer" in out
    assert "No hints in a placement: it finds where you stand." in out
    assert "write is for quizzes. In a placement, answer directly" in out
    assert refused is None or refused[1] in out
    assert out.count("Placement stopped\nYou stopped before answering anything.\n") == 2
    assert f"{ASKED_ABOUT} topics left undecided count as not known yet" in out
    assert "No quiz in progress. Start one with /quiz TOPIC." in out
    assert _sessions(db_path) == [("placement", "finished"), ("placement", "finished")]
    knows = _knowing("foundation-models")
    console = piped(db_path)
    console.sendline("/placement")
    for number in (1, 2):
        assert _answer(console, knows) == number
    console.sendline("stop")
    console.expect("Placement stopped\nIt took 2 questions.\n")
    console.expect("left undecided count as not known yet")
    _quit(console)
    assert len(_placement_reviews(db_path)) == 2


def test_an_unfinished_placement_is_picked_up_in_a_later_session(db_path: Path) -> None:
    first = run_script(db_path, ["/placement", "idk"])
    assert "Question 2 of at most 15" in first
    again = run_script(db_path, ["/placement", "stop"])
    assert again.count("Picking up your placement where you left it.") == 2
    assert again.count("Question 2 of at most 15") == 2
    assert "Placement stopped\nIt took 1 question.\n" in again
    assert _sessions(db_path) == [("placement", "finished")]


def test_a_goal_limits_the_placement_to_the_way_there(db_path: Path) -> None:
    goal = LIBRARY.topics["addition-within-20"]
    way = _knowing(goal.id)
    following = _next_to_learn(way)
    knows = _knowing("foundation-models")
    console = piped(db_path)
    console.sendline(f"/placement {goal.title.lower()}")
    console.expect(QUESTION)
    console.expect(f"0 of {len(way)} topics on the way decided.")
    console.sendline("stop")
    console.expect("Placement stopped\n")
    console.sendline("/placement addition-within-20")
    asked = _place(console, knows)
    console.expect(f"It took {asked} questions.\n🎯 On the way to {goal.title}.\n")
    console.expect(f"📍 {len(way)} topics known by placement.")
    console.expect(f"Learn next\n  • {following.title} \\({following.id}\\)\n")
    console.sendline("/progress")
    console.expect(f"Topics known: {len(way)} \\({len(way)} by placement\\)\n")
    console.sendline("/topic addition-within-20")
    console.sendline("known")
    console.sendline("/placement addition-within-20")
    console.expect(
        f"Placement\nNothing to ask: you already know every topic on the way to {goal.title}.\n"
        f"Learn next\n  • {following.title}"
    )
    console.sendline("/progress")
    console.expect(f"Topics known: {len(way)}\n")
    _quit(console)
    assert _placed(db_path) == set(way)
    completer = ConsoleCompleter(lambda: LIBRARY)
    typed = Document("/placement addition-within")
    offered = [c.text for c in completer.get_completions(typed, CompleteEvent())]
    assert "addition-within-20" in offered
    assert "/placement" in [
        c.text for c in completer.get_completions(Document("/pla"), CompleteEvent())
    ]


def test_a_quiz_in_progress_ends_when_a_placement_starts_and_the_other_way(
    db_path: Path,
) -> None:
    out = run_script(
        db_path,
        [f"/quiz {SEED}", "/placement", "idk", f"/quiz {SEED}", "stop", "/review", "help"],
    )
    assert "Your quiz on self-supervised-learning-theory ended where it was." in out
    assert f"Placement · {_first_question()[0].title} · Question 1 of at most 15" in out
    assert "Question 2 of at most 15" in out
    assert "Your placement ended where it was." in out
    assert "Quiz complete: Self-Supervised Learning Theory" in out
    assert "/placement [GOAL]" in out and "idk for “I don't know”" in out
    assert _sessions(db_path) == [
        ("quiz", "abandoned"),
        ("placement", "abandoned"),
        ("quiz", "finished"),
    ]
    assert answers(db_path) == []
    assert len(_placement_reviews(db_path)) == 1


BASICS = """id: basics
title: Basics
core_idea: The first idea.
questions:
- id: explain-basics
  type: free_response
  think_seconds: 20
  prompt: Explain the first idea in one sentence.
  answer: The first idea is the one everything else builds on.
  explanation: Everything later uses it.
"""
NEXT_STEP = """id: next-step
title: Next Step
prerequisites: [basics]
core_idea: The second idea.
questions:
- id: pick-next
  type: multiple_choice
  prompt: Which idea comes second?
  choices: [The first, The second, The third, None]
  answer: B
  explanation: The second idea comes second.
"""


def test_a_free_response_opens_after_its_think_time_and_is_judged_by_the_student(
    db_path: Path,
) -> None:
    part = db_path.parent / "pack" / "01-part"
    part.mkdir(parents=True)
    (part / "basics.yaml").write_text(BASICS, encoding="utf-8")
    (part / "next-step.yaml").write_text(NEXT_STEP, encoding="utf-8")
    env = {**console_env(db_path), "TUTORBOT_CONTENT_DIR": str(part.parent)}
    lines = ["/placement", "A", "got it", "reveal", "/wait 20", "reveal", "got it", "B"]
    done = subprocess.run(
        command("alice"),
        input="\n".join([*lines, "/progress", "/topic basics"]) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=db_path.parent,
        timeout=TIMEOUT,
        check=True,
    )
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "Placement · Basics · Question 1 of at most 15\n" in out
    assert "Type reveal (it opens 20 s after the question appears).\n" in out
    assert "That does not fit this kind of question." in out
    assert "Type reveal to see the model answer before judging your own." in out
    assert "Not yet: think it through first. The model answer opens in 20 s." in out
    assert "Model answer\nThe first idea is the one everything else builds on.\n" in out
    assert "Type got it, partly or missed (or idk)." in out
    assert "Placement · Next Step · Question 2 of at most 15\n" in out
    assert "Placement complete\nIt took 2 questions.\n" in out
    assert "📍 1 topic known by placement." in out
    assert "Known by placement\n  📍 Basics (basics)\n" in out
    assert "1 topic left undecided counts as not known yet: practise it" in out
    assert "Learn next\n  • Next Step (next-step)\n" in out
    assert "Topics known: 1 (1 by placement)" in out
    assert "Unlocks 1 downstream topic\n📍 Known by placement\n" in out
    assert _placement_reviews(db_path) == [("basics", 3), ("next-step", 3)]
