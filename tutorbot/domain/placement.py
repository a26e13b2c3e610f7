"""Placement: find what a new student already knows in about a dozen questions (issue 16).

A placement is an adaptive test over the **candidates**: the goal and its transitive
prerequisites (the whole course without a goal), keeping the topics that have questions. Topics
the student already knows ("I know this" or mastered, passed in) count as passed from the start
and are never asked. Like a quiz, a placement is a frozen state (`PlacementState`, stored with
`to_dict`) moved on by pure steps (`start`, `answer`, `give_up`) that return a new state or a
`PlacementRefused`; the domain reads no clock.

**Evidence, in bits.** Each answer is weighed by how much likelier it is from a student who
knows the topic than from one who does not, as a log2 likelihood ratio (`evidence`). A student
who knows a topic still slips (`SLIP`, 1 time in 10); one who does not guesses, and is right
with the question's guess chance (`guess_chance`: 1 in k for k options, 1 in 2 for true/false).
A right answer on a 4-option question is worth log2(0.9 / 0.25) = +1.85 bits, on a true/false
log2(0.9 / 0.5) = +0.85, a wrong one -2.9 and -2.3. A free response judged "Got it" counts as
a right 4-option answer: there is no lucky click, the student compares their answer with the
model answer, and a student who over-claims only places themselves where reviews soon correct
them; we do not trust it more than that because the judgement is the student's own. "Partly"
counts as a right true/false answer (weak), "Missed it" as a wrong 4-option answer. A typed
answer (short answer, numeric), judged by the bot, is hardly ever right by luck, but a student
may know a word or a number by rote without the topic, so its evidence is bounded: a right one
counts as a right 5-option answer (`TYPED_GUESS`: +2.17 bits, enough alone to pass its topic
and those beneath it), a wrong one as a wrong 4-option answer (-2.91 bits: a typo the judge did
not forgive is no stronger evidence against than a wrong click).

**The graph shares evidence.** A right answer on a topic is evidence for everything beneath it,
a wrong one against everything built on it: a topic's evidence is the sum of the right answers'
bits on it and on the topics above it, plus the wrong answers' bits on it and on the topics below
it. This sum can only fall from a topic to its dependents, so the rule below keeps passed topics
closed under prerequisites and failed ones closed under dependents, and a decision, once made,
never changes (a later question is only ever asked on an undecided topic, whose prerequisites
are passed or undecided and whose dependents failed or undecided). The state keeps only the
facts (what was known before, the answers and their bits); `standing` derives the decisions
from them on the current graph, grouping topics by evidence as bitsets.

**The rule.** A topic is *passed* at `DECIDE_BITS` = 2 bits or more (the answers are at least 4
times likelier from a student who knows it than from one who guesses), *failed* at -2 bits or
less, undecided in between. So any wrong answer fails a topic and what is built on it (a wrong
true/false is -2.3 bits); a topic and its prerequisites pass on two right answers on or above it
(one of them not a true/false: 4 options and a true/false make +2.7; two true/false +1.7 need a
third), or on one right answer a guess gives less than 1 time in 4.5 (5 or more options); and a
wrong answer below a right one leaves the topics in between undecided, to be asked directly,
instead of deciding them on whichever came last. The issue's example threshold, log2 3 (one
right 4-option answer passes), asked fewer questions but placed worse in `bench/placement.py`:
on a course that is nearly one long chain, binary search asks in the middle first, and a lucky
guess there (1 in 4) passes half the course. Figures for each threshold tried are in
docs/placement.md. The threshold and each answer's bits are kept in the state, so a placement
under way keeps its rule if the constants change.

**Which question.** One at a time, from the undecided topic whose answer splits the remaining
uncertainty best, a binary search on a partial order (`choose_topic`): for each undecided topic
t with a question left, `a` = the undecided topics a right answer to t's strongest question would
decide (t and its undecided prerequisites that would reach the threshold), `b` = those a wrong
one would decide (t and its undecided dependents); the largest min(a, b) wins, then the largest
min of the undecided topics each answer would touch at all (when no single answer decides
anything), then the smallest topic id. Within the topic, `next_question_of` takes the question a
guess answers least often (most options first, a typed answer counting as 5 options; at equal
odds a choice, then a typed answer, then a free response: the first two are judged by the bot,
not the student, and a choice cannot fail on spelling), not asked before, then the smallest
question id: no randomness, so a placement can be replayed and tested.

**The end.** A placement stops when every candidate is decided, or at the question cap
(`DEFAULT_CAP`); topics still undecided then count as not known: a lucky placement (a topic
counted known that is not) sends a student into work they cannot follow, a cautious one only
asks them to show again what they know, and reviews correct it either way. `outcome` gives the
topics placed (passed, not already known), the frontier (what to learn next, over what was known
before and what was passed) and the number of questions asked. `gentle_cards` brings the placed
topics into spaced review: one memory card for each placed topic that has none, due within a week.

Cost: a step looks at every undecided topic with a few bitset ANDs, about 5 ms on a 1,000-topic
course and 100 ms on a 10,000-topic one; the stored state is a few hundred bytes either way.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.domain._time import from_iso, required_iso, to_iso, utc
from tutorbot.domain.memory import MemoryCard, MemoryModel, Rating
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import SelfAssessment

DEFAULT_CAP = 15
MIN_CAP, MAX_CAP = 1, 100
SLIP = 0.1
"""How often a student who knows a topic still answers wrong (a slip, a misread)."""
FREE_RESPONSE_GUESS = 0.25
"""The chance we allow that a student who does not know a topic judges their answer "Got it"."""
TYPED_GUESS = 0.2
"""The guess chance a right typed answer (short answer, numeric) is weighed with: as a right
5-option answer, +2.17 bits (see the module docstring)."""
WRONG_TYPED_GUESS = 0.25
"""The guess chance a wrong typed answer is weighed with: as a wrong 4-option answer, -2.91
bits."""
DECIDE_BITS = 2.0
"""Evidence that passes a topic (negative: fails it): 4 times likelier one way than the other."""
GENTLE_DAYS = 7
"""A placed topic without a memory card gets one due within this many days (`gentle_cards`)."""


class Result(StrEnum):
    """What an answer showed: right, partly right (a free response judged "Partly"), or wrong."""

    RIGHT = "right"
    PARTLY = "partly"
    WRONG = "wrong"


def result_for_choice(correct: bool) -> Result:
    """The result of a multiple-choice or true/false answer."""
    return Result.RIGHT if correct else Result.WRONG


def result_for_assessment(assessment: SelfAssessment) -> Result:
    """The result of a free response the student judged: Got it, Partly or Missed it."""
    return {
        SelfAssessment.GOT_IT: Result.RIGHT,
        SelfAssessment.PARTLY: Result.PARTLY,
        SelfAssessment.MISSED: Result.WRONG,
    }[assessment]


def guess_chance(question: Question) -> float:
    """How often a student who does not know the topic answers this question right: 1 in k for
    k options, 1 in 2 for true/false, `TYPED_GUESS` for a typed answer (a bound, not a guess:
    see the module docstring) and `FREE_RESPONSE_GUESS` for a free response."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return 1 / len(question.choices or ("", ""))
    if question.type is QuestionType.TRUE_FALSE:
        return 1 / 2
    if question.type in TYPED:
        return TYPED_GUESS
    return FREE_RESPONSE_GUESS


def evidence(question: Question, result: Result) -> float:
    """Bits an answer gives for "the student knows this topic" (negative: against it): log2 of
    how much likelier the answer is from a student who knows it (right unless they slip) than
    from one who does not (right only by guessing). "Partly" counts as a right true/false, a
    wrong typed answer as a wrong 4-option one (`WRONG_TYPED_GUESS`)."""
    if result is Result.PARTLY:
        return math.log2((1 - SLIP) / (1 / 2))
    g = guess_chance(question)
    if result is Result.RIGHT:
        return math.log2((1 - SLIP) / g)
    if question.type in TYPED:
        g = WRONG_TYPED_GUESS
    return math.log2(SLIP / (1 - g))


def _strength(question: Question) -> tuple[float, int, str]:
    """Sort key of questions, strongest evidence first: least guessable, at equal odds a choice,
    then a typed answer, then a free response, then by id."""
    return (guess_chance(question), _judged_by(question), question.id)


def _judged_by(question: Question) -> int:
    """0 for a choice (judged by the bot, no spelling to fail), 1 for a typed answer (judged by
    the bot), 2 for a free response (judged by the student)."""
    if question.type is QuestionType.FREE_RESPONSE:
        return 2
    return 1 if question.type in TYPED else 0


class PlacementRefused(Refusal):
    """A placement step that cannot happen; each subclass says why, in the student's words."""

    __slots__ = ()


@dataclass(frozen=True)
class NotYourPlacement(PlacementRefused):
    """A click on another student's placement."""

    default = "This placement belongs to someone else; start your own with /placement."


@dataclass(frozen=True)
class PlacementOver(PlacementRefused):
    """Any step of a placement that has ended."""

    default = "This placement is over; you can take it again with /placement."


@dataclass(frozen=True)
class NotCurrentQuestion(PlacementRefused):
    """An answer to a question the placement is not asking now (an older message's buttons)."""

    default = "That question is not the one your placement is on now."


@dataclass(frozen=True)
class GoalRemoved(PlacementRefused):
    """A goal that is not a topic of the course (any more)."""

    default = "That goal is not a topic of the course."


@dataclass(frozen=True)
class BadCap(PlacementRefused):
    """A question cap outside MIN_CAP..MAX_CAP."""

    default = f"A placement asks between {MIN_CAP} and {MAX_CAP} questions."


@dataclass(frozen=True)
class NothingToPlace(PlacementRefused):
    """No topic on the way is both unknown and asked about (all known, or none has questions)."""

    default = "There is nothing to place you on: you already know every topic on the way."


@dataclass(frozen=True)
class Asked:
    """One answered question: its topic, its id, the result and the evidence it gave (bits)."""

    topic_id: str
    question_id: str
    result: Result
    bits: float

    @property
    def right(self) -> bool:
        """Whether the answer counted for the topic (right, or partly)."""
        return self.bits > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, kept inside the placement's state."""
        return {
            "topic_id": self.topic_id,
            "question_id": self.question_id,
            "result": self.result.value,
            "bits": self.bits,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Asked:
        """Inverse of `to_dict`."""
        return cls(
            topic_id=str(data["topic_id"]),
            question_id=str(data["question_id"]),
            result=Result(data["result"]),
            bits=float(data["bits"]),
        )


@dataclass(frozen=True)
class PlacementState:
    """Everything a placement remembers, and only the facts; `to_dict()` is what storage keeps.

    `known` is what the student knew when it started, as its highest topics (everything below
    them is known too); `asked` the answers, each with the bits it gave; `current` the question
    on screen, as (topic id, question id), None once finished, and when it was shown (for a free
    response's think time and the seconds an answer took); `threshold` the bits that decide a
    topic. What the answers decide (passed, failed, undecided, the evidence on each topic) is
    derived from these and the graph by `standing`, so the state stays a few hundred bytes
    whatever the size of the course.
    """

    user_id: int
    goal: str | None
    started_at: datetime
    known: tuple[str, ...] = ()
    asked: tuple[Asked, ...] = ()
    current: tuple[str, str] | None = None
    shown_at: datetime | None = None
    cap: int = DEFAULT_CAP
    threshold: float = DECIDE_BITS
    finished_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def finished(self) -> bool:
        """Whether the placement has ended (all decided, the cap reached, or given up)."""
        return self.finished_at is not None

    def asked_in(self, topic_id: str) -> tuple[str, ...]:
        """Ids of the questions asked on this topic, in the order asked."""
        return tuple(a.question_id for a in self.asked if a.topic_id == topic_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form; unknown keys read by `from_dict` are kept in `extra` and written back."""
        return {
            **self.extra,
            "user_id": self.user_id,
            "goal": self.goal,
            "started_at": to_iso(self.started_at),
            "known": list(self.known),
            "asked": [a.to_dict() for a in self.asked],
            "current": None if self.current is None else list(self.current),
            "shown_at": to_iso(self.shown_at),
            "cap": self.cap,
            "threshold": self.threshold,
            "finished_at": to_iso(self.finished_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlacementState:
        """Inverse of `to_dict`, tolerant of keys a newer version added."""
        known_keys = {
            "user_id", "goal", "started_at", "known", "asked", "current", "shown_at", "cap",
            "threshold", "finished_at",
        }  # fmt: skip
        current = data.get("current")
        goal = data.get("goal")
        return cls(
            user_id=int(data["user_id"]),
            goal=None if goal is None else str(goal),
            started_at=required_iso(data["started_at"]),
            known=tuple(str(t) for t in data.get("known", ())),
            asked=tuple(Asked.from_dict(a) for a in data.get("asked", ())),
            current=None if current is None else (str(current[0]), str(current[1])),
            shown_at=from_iso(data.get("shown_at")),
            cap=int(data.get("cap", DEFAULT_CAP)),
            threshold=float(data.get("threshold", DECIDE_BITS)),
            finished_at=from_iso(data.get("finished_at")),
            extra={k: v for k, v in data.items() if k not in known_keys},
        )


@dataclass(frozen=True)
class Standing:
    """What a placement's answers decide on the current graph: the candidates, those known
    before (passed from the start), passed, failed and undecided, each a bitset of the graph
    (iterated in learning order), and the undecided topics grouped by the evidence on them."""

    candidates: AbstractSet[str]
    known: AbstractSet[str]
    passed: AbstractSet[str]
    failed: AbstractSet[str]
    undecided: AbstractSet[str]
    levels: Mapping[float, AbstractSet[str]]
    """Evidence (bits) -> the undecided topics that have exactly that much."""

    def bits(self, topic_id: str) -> float:
        """The evidence gathered on an undecided topic (0 for any other)."""
        return next((b for b, among in self.levels.items() if topic_id in among), 0.0)


@dataclass(frozen=True)
class PlacementOutcome:
    """The result of a placement: topics placed (passed, not known before), topics found not
    known (failed, or undecided at the end), the frontier and the number of questions asked."""

    placed: tuple[str, ...]
    not_known: tuple[str, ...]
    frontier: tuple[str, ...]
    questions: int


def candidates(
    graph: KnowledgeGraph, topics: Mapping[str, Topic], goal: str | None
) -> tuple[str, ...]:
    """The topics a placement may ask about, in learning order: the goal and its transitive
    prerequisites (every topic without a goal) that have at least one question."""
    if goal is None:
        among: Iterable[str] = graph.learning_order()
    else:
        among = graph.ancestor_set(goal) | graph.topic_set([goal])
    return tuple(t for t in among if (topic := topics.get(t)) is not None and topic.questions)


def highest(graph: KnowledgeGraph, known: Iterable[str]) -> tuple[str, ...]:
    """The topics of `known` (closed under prerequisites first) that no other known topic is
    built on, in learning order: they stand for the whole set, which `graph.known` gives back."""
    closed = graph.known(known)
    return tuple(t for t in closed if not any(d in closed for d in graph.leads_to(t)))


def standing(state: PlacementState, graph: KnowledgeGraph, topics: Mapping[str, Topic]) -> Standing:
    """What the answers decide. A candidate's evidence is the sum of the bits of the right answers
    on it or above it and of the wrong answers on it or below it (answers on topics no longer in
    the graph count for nothing); it is passed at `threshold` bits or more, failed at minus that
    or less. Topics are grouped by evidence as bitsets, each answer splitting each group in two
    (inside its reach or not), so this is a few dozen ANDs per answer on any course."""
    among = graph.topic_set(candidates(graph, topics, state.goal))
    known = among & graph.known(state.known)
    levels: dict[float, AbstractSet[str]] = {0.0: among - known}
    for record in state.asked:
        if record.topic_id in graph:
            levels = _split(
                levels, _reach(graph, record.topic_id, upward=record.bits < 0), record.bits
            )
    nothing: AbstractSet[str] = graph.topic_set(())
    passed, failed, undecided = nothing, nothing, nothing
    open_levels: dict[float, AbstractSet[str]] = {}
    for total, group in levels.items():
        if total >= state.threshold:
            passed = passed | group
        elif total <= -state.threshold:
            failed = failed | group
        else:
            undecided = undecided | group
            open_levels[total] = group
    return Standing(among, known, passed, failed, undecided, open_levels)


def _split(
    levels: Mapping[float, AbstractSet[str]], reach: AbstractSet[str], bits: float
) -> dict[float, AbstractSet[str]]:
    """The groups after one answer: the part of each group inside the answer's reach gains its
    bits; groups that end at the same evidence are merged (sums rounded to 1e-9 bits, so the
    order answers came in does not matter)."""
    found: dict[float, AbstractSet[str]] = {}
    for total, group in levels.items():
        for key, part in ((round(total + bits, 9), group & reach), (total, group - reach)):
            if part:
                found[key] = found[key] | part if key in found else part
    return found


def start(
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    user_id: int,
    goal: str | None,
    known: Iterable[str],
    now: datetime,
    cap: int = DEFAULT_CAP,
    threshold: float = DECIDE_BITS,
) -> PlacementState | PlacementRefused:
    """A new placement toward `goal` (the whole course if None) for a student who already knows
    `known` (marked or mastered; their prerequisites count too), at its first question. The
    threshold (bits that decide a topic) is for the benchmark's comparisons; keep the default."""
    if goal is not None and goal not in graph:
        return GoalRemoved()
    if not MIN_CAP <= cap <= MAX_CAP:
        return BadCap()
    now = utc(now)
    state = PlacementState(
        user_id=user_id,
        goal=goal,
        started_at=now,
        known=highest(graph, known),
        cap=cap,
        threshold=threshold,
    )
    if not standing(state, graph, topics).undecided:
        return NothingToPlace()
    return _ask_next(state, graph, topics, now)


def answer(
    state: PlacementState,
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    user_id: int,
    topic_id: str,
    question_id: str,
    result: Result,
    now: datetime,
) -> PlacementState | PlacementRefused:
    """Record the answer to the question on screen and move to the next question, or finish. An
    answer to a question a content reload removed meanwhile still counts (the student answered
    what they saw), weighed as a 4-option one."""
    now = utc(now)
    if user_id != state.user_id:
        return NotYourPlacement()
    if state.finished:
        return PlacementOver()
    if state.current != (topic_id, question_id):
        return NotCurrentQuestion()
    question = _question(topics, topic_id, question_id)
    record = Asked(topic_id, question_id, result, evidence(question or _FOUR_OPTIONS, result))
    return _ask_next(replace(state, asked=(*state.asked, record)), graph, topics, now)


def give_up(state: PlacementState, now: datetime) -> PlacementState:
    """End the placement now; topics still undecided count as not known."""
    if state.finished:
        return state
    return replace(state, current=None, shown_at=None, finished_at=utc(now))


def outcome(
    state: PlacementState, graph: KnowledgeGraph, topics: Mapping[str, Topic]
) -> PlacementOutcome:
    """What the placement found (at any point; usually once finished): undecided topics count as
    not known, and the frontier is the graph's over what was known before and what was passed."""
    found = standing(state, graph, topics)
    return PlacementOutcome(
        placed=tuple(found.passed),
        not_known=tuple(found.candidates - found.known - found.passed),
        frontier=tuple(graph.ready(graph.known([*state.known, *found.passed]))),
        questions=len(state.asked),
    )


def quiz_order(question_ids: Sequence[str], seen_in_placement: Collection[str]) -> list[str]:
    """The order of a topic's questions for the student's next quiz on it: those not seen in the
    placement first, then those seen, each group in the order given (a shuffle, usually)."""
    fresh = [q for q in question_ids if q not in seen_in_placement]
    return fresh + [q for q in question_ids if q in seen_in_placement]


def gentle_cards(
    model: MemoryModel,
    topics: Mapping[str, Topic],
    state: PlacementState,
    placed: Sequence[str],
    carded: Collection[str],
    now: datetime,
) -> tuple[MemoryCard, ...]:
    """The memory cards that bring placed topics into spaced review gently: one per topic of
    `placed` (in learning order) with no card yet (not in `carded`, the topics the student has
    cards of, answered in this placement included), on its strongest question not asked
    (`next_question_of`), as a first Good review at `now`, but due 1 to `GENTLE_DAYS` days later
    by its place among them (the first placed topic due tomorrow, the next the day after, and
    round again after a week): placement is evidence, not practice, so a lucky placement soon
    meets a question, and a long list of placed topics does not all come due on one day."""
    now = utc(now)
    cards: list[MemoryCard] = []
    for topic_id in placed:
        topic = topics.get(topic_id)
        if topic is None or topic_id in carded:
            continue
        question = next_question_of(topic, state.asked_in(topic_id))
        if question is None:
            continue
        card = model.review(None, topic_id, question.id, Rating.GOOD, now)
        days = 1 + len(cards) % GENTLE_DAYS
        cards.append(replace(card, due=now + timedelta(days=days)))
    return tuple(cards)


_FOUR_OPTIONS = Question(
    id="removed",
    type=QuestionType.MULTIPLE_CHOICE,
    prompt="A question content removed.",
    choices=("a", "b", "c", "d"),
    answer="A",
    explanation="Weighs an answer to a question that is gone.",
)


def _question(topics: Mapping[str, Topic], topic_id: str, question_id: str) -> Question | None:
    topic = topics.get(topic_id)
    if topic is None:
        return None
    return next((q for q in topic.questions if q.id == question_id), None)


def _reach(graph: KnowledgeGraph, topic_id: str, *, upward: bool) -> AbstractSet[str]:
    """The topic and its dependents (`upward`) or its prerequisites, as a bitset."""
    own = graph.topic_set([topic_id])
    return (graph.descendant_set(topic_id) if upward else graph.ancestor_set(topic_id)) | own


def next_question_of(topic: Topic, asked: Collection[str]) -> Question | None:
    """The question to ask on `topic`: the strongest evidence not asked before (least guessable,
    a choice before a free response, then by id), or None when every one was asked."""
    left = [q for q in topic.questions if q.id not in asked]
    return min(left, key=_strength, default=None)


def choose_topic(
    state: PlacementState, found: Standing, graph: KnowledgeGraph, topics: Mapping[str, Topic]
) -> tuple[str, Question] | None:
    """The undecided topic whose answer splits the remaining uncertainty best, with the question
    to ask on it; None when no undecided topic has a question left.

    For each topic t: `a` counts the undecided topics a right answer to its question would decide
    (t and its undecided prerequisites whose evidence would reach the threshold), `b` those a
    wrong answer would decide (t and its undecided dependents likewise); the largest min(a, b)
    wins, then the largest min of the undecided topics either answer would touch, then the
    smallest id. Counting is one bitset AND per topic and answer, so 1,000 topics stay fast.
    """
    asked: dict[str, list[str]] = {}
    for record in state.asked:
        asked.setdefault(record.topic_id, []).append(record.question_id)
    undecided = found.undecided
    deciding: dict[float, AbstractSet[str]] = {}  # by the bits of an answer
    best: tuple[tuple[int, int, str], str, Question] | None = None
    for t in undecided:
        topic = topics.get(t)
        question = None if topic is None else next_question_of(topic, asked.get(t, ()))
        if question is None:
            continue
        below = graph.ancestor_set(t) | graph.topic_set([t])
        above = graph.descendant_set(t) | graph.topic_set([t])
        right, wrong = (evidence(question, result) for result in (Result.RIGHT, Result.WRONG))
        if right not in deciding:
            deciding[right] = _deciding(found, graph, right, state.threshold)
        if wrong not in deciding:
            deciding[wrong] = _deciding(found, graph, wrong, state.threshold)
        a, b = len(below & deciding[right]), len(above & deciding[wrong])
        touched = min(len(below & undecided), len(above & undecided))
        key = (-min(a, b), -touched, t)
        if best is None or key < best[0]:
            best = (key, t, question)
    return None if best is None else (best[1], best[2])


def _deciding(
    found: Standing, graph: KnowledgeGraph, bits: float, threshold: float
) -> AbstractSet[str]:
    """The undecided topics an answer of `bits` would decide, were it to reach them."""
    deciding: AbstractSet[str] = graph.topic_set(())
    for total, group in found.levels.items():
        if (total + bits >= threshold) if bits > 0 else (total + bits <= -threshold):
            deciding = deciding | group
    return deciding


def _ask_next(
    state: PlacementState, graph: KnowledgeGraph, topics: Mapping[str, Topic], now: datetime
) -> PlacementState:
    """The state with its next question on screen, or finished: every candidate decided, the cap
    reached, or no undecided topic with a question left."""
    chosen = None
    if len(state.asked) < state.cap:
        chosen = choose_topic(state, standing(state, graph, topics), graph, topics)
    if chosen is None:
        return replace(state, current=None, shown_at=None, finished_at=now)
    topic_id, question = chosen
    return replace(state, current=(topic_id, question.id), shown_at=now)
