"""The question of the day: pure rules for drawing, judging, the day key, streaks and reveals.

A server's day is its own local day (`days.local_day` in the zone set with /daily set), and a
day's question is keyed by it (`day_key`, 'YYYY-MM-DD'): one question per server per local day. A
post timer posts for the day it fires on, once that day's post time has come (`post_day`): a bot
back the same day after missing the time posts then; a day it was down past entirely is skipped.

Drawing goes in cycles: within a cycle no question comes twice, so the server sees every question
of its set before any repeats; when every question of the set was posted in the current cycle, the
next cycle begins. Among the questions still to come in a cycle, those the server's students are
forgetting (most reviews due) come first; ties go in an order fixed by the server and the cycle
(a stable hash, the same in every process), so the order looks shuffled but never changes on a
retry.

Streaks count the server's daily questions, not calendar days: a day with no question (the bot
was down all day, or the daily question was off) breaks no streak. A person's *answer streak* is
how many of the server's latest questions in a row they answered; their *right streak* how many
in a row they answered right. The latest question, while still open, counts when answered and
breaks nothing when not yet answered (nobody's streak breaks before the question closes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tutorbot.content.models import TYPED, Question, QuestionType
from tutorbot.domain import typed_answers
from tutorbot.domain._time import utc
from tutorbot.domain.days import at_time, local_day
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.rounds import TRUE_FALSE_OPTIONS, EmptyAnswer

QuestionKey = tuple[str, str]
"""(topic id, question id)."""
ANSWERABLE = frozenset({QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE, *TYPED})
"""Question types a daily question can be: a button or a typed answer judged on the spot (a free
response needs each person to judge their own answer, which a daily post does not ask)."""
MIN_REVEAL_HOURS = 1
MAX_REVEAL_HOURS = 23
"""A reveal after this many hours comes before the next day's question."""


def day_key(now: datetime, zone: ZoneInfo) -> str:
    """The server's local day at `now`, as daily questions are keyed: 'YYYY-MM-DD'."""
    return local_day(now, zone).isoformat()


def day_number(day: str) -> int:
    """A day key as the number buttons carry ('2026-11-29' -> 20261129)."""
    return int(day.replace("-", ""))


def day_of_number(number: int) -> str:
    """The day key a button's number names; raises Forged for a number that is no date."""
    text = f"{number:08d}"
    try:
        return date.fromisoformat(f"{text[:4]}-{text[4:6]}-{text[6:]}").isoformat()
    except ValueError:
        raise Forged("That is not a day of a daily question.") from None


def post_day(now: datetime, at: time, zone: ZoneInfo) -> str | None:
    """The day a post timer firing at `now` posts for: today on the server's clock once its post
    time `at` has come (on time, or later the same day after the bot was down), or None before it
    (a timer left from an earlier day fired early today: today's own timer posts at `at`). An
    earlier day is never posted late."""
    today = local_day(now, zone)
    return today.isoformat() if at_time(today, at, zone) <= utc(now) else None


def answerable(question: Question) -> bool:
    """Whether a question can be a daily question (see `ANSWERABLE`)."""
    return question.type in ANSWERABLE


# -- drawing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """The question drawn for a day, and the cycle it belongs to."""

    key: QuestionKey
    cycle: int


def _tiebreak(seed: str, key: QuestionKey) -> str:
    """A stable pseudo-random rank of a question within a server's cycle."""
    return hashlib.sha256(f"{seed}\0{key[0]}\0{key[1]}".encode()).hexdigest()


def draw(
    pool: Sequence[QuestionKey],
    seen: Collection[QuestionKey],
    cycle: int,
    due: Mapping[QuestionKey, int],
    seed: str,
) -> Draw | None:
    """The next question of a server's cycle: one of `pool` not `seen` in cycle `cycle` (a new
    cycle, `cycle + 1`, once all were seen), the most due first (`due`: reviews due among the
    server's students per question), ties in an order fixed by `seed` and the cycle. None for an
    empty pool."""
    if not pool:
        return None
    seen_set = set(seen)
    remaining = [k for k in dict.fromkeys(pool) if k not in seen_set]
    if not remaining:
        cycle, remaining = cycle + 1, list(dict.fromkeys(pool))
    salt = f"{seed}:{cycle}"
    best = min(remaining, key=lambda k: (-due.get(k, 0), _tiebreak(salt, k)))
    return Draw(best, cycle)


# -- answering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    """An answer as it is stored: the text recorded and whether it is right."""

    answer: str
    correct: bool


@dataclass(frozen=True)
class AlreadyAnswered(Refusal):
    """One answer per person per day: the first stands."""

    answer: str
    typed: bool

    @property
    def text(self) -> str:
        """What the person is told."""
        given = "your typed answer" if self.typed else f"**{self.answer}**"
        return f"You already answered {given} today. Your first answer is final."


@dataclass(frozen=True)
class DailyClosed(Refusal):
    """The day's question was revealed: it takes no more answers."""

    @property
    def text(self) -> str:
        """What the person is told."""
        return "This daily question is closed: its answer has been revealed."


@dataclass(frozen=True)
class NoSuchDaily(Refusal):
    """A button naming a daily question this server never posted (or forgot)."""

    @property
    def text(self) -> str:
        """What the person is told."""
        return "This daily question is no longer active."


def judge(question: Question, given: str) -> Judged | Refusal:
    """A button's choice or a typed answer to a daily question, judged; an empty or (for a
    number) unreadable answer is refused so the person may type again; a choice the question does
    not have is forged."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        letter = given.strip().upper()
        if len(letter) != 1 or letter not in question.letters:
            raise Forged("That is not one of this question's options.")
        return Judged(letter, letter == question.answer)
    if question.type is QuestionType.TRUE_FALSE:
        text = given.strip().capitalize()
        if text not in TRUE_FALSE_OPTIONS:
            raise Forged("That is not one of this question's options.")
        return Judged(text, (text == "True") == bool(question.answer))
    if question.type in TYPED:
        text = typed_answers.clean(given)
        if not text:
            return EmptyAnswer()
        verdict = typed_answers.judge(question, text)
        return verdict if isinstance(verdict, Refusal) else Judged(text, verdict.correct)
    raise Forged("This question is not answered here.")


# -- the reveal --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One line of a reveal's distribution: an option (or right/wrong), how many, whether right."""

    label: str
    count: int
    correct: bool


def distribution(question: Question, answers: Sequence[Judged]) -> list[Share]:
    """How the server answered: each option with its count (every option, also unchosen ones),
    or for a typed question how many were right and wrong."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        labels: Sequence[str] = tuple(question.letters)
    elif question.type is QuestionType.TRUE_FALSE:
        labels = TRUE_FALSE_OPTIONS
    else:
        right = sum(1 for a in answers if a.correct)
        return [Share("Right", right, True), Share("Wrong", len(answers) - right, False)]
    counts = dict.fromkeys(labels, 0)
    for a in answers:
        if a.answer in counts:
            counts[a.answer] += 1
    right_label = _right_option(question)
    return [Share(label, n, label == right_label) for label, n in counts.items()]


def _right_option(question: Question) -> str:
    """The right option of a multiple-choice ('B') or true/false ('True') question."""
    if question.type is QuestionType.TRUE_FALSE:
        return "True" if question.answer else "False"
    return str(question.answer)


# -- streaks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One person's daily record in a server (see the module's definitions)."""

    user_id: int
    answer_streak: int
    right_streak: int
    answered: int
    right: int


def streaks(days: Sequence[str], mine: Mapping[str, bool], open_day: str | None) -> tuple[int, int]:
    """(answer streak, right streak) of one person: `days` are the server's posted days newest
    first, `mine` their answers by day (right or not), `open_day` the day still taking answers
    (None when every day is revealed)."""
    answer_streak = right_streak = 0
    counting_right = True
    for index, day in enumerate(days):
        if day not in mine:
            if index == 0 and day == open_day:
                continue  # not answered yet: the day is not over
            break
        answer_streak += 1
        if counting_right and mine[day]:
            right_streak += 1
        else:
            counting_right = False
    return answer_streak, right_streak


def standings(
    days: Sequence[str],
    answers: Mapping[int, Mapping[str, bool]],
    open_day: str | None,
    totals: Mapping[int, tuple[int, int]],
) -> list[Standing]:
    """Everyone with `totals` (answers, right), best first: by right streak, then answer streak,
    then right answers, then answers, then user id (a stable order). Streaks come from `answers`
    to `days` (person -> day -> right; a person missing from it has none)."""
    found = []
    for user_id, (answered, right) in totals.items():
        answer_streak, right_streak = streaks(days, answers.get(user_id, {}), open_day)
        found.append(Standing(user_id, answer_streak, right_streak, answered, right))
    found.sort(key=lambda s: (-s.right_streak, -s.answer_streak, -s.right, -s.answered, s.user_id))
    return found


def streak_window_too_short(standings: Sequence[Standing], window: int) -> bool:
    """Whether a streak computed over the last `window` questions may run on past them (someone's
    answer streak reaches the window's oldest question, or all but the open one)."""
    return any(s.answer_streak >= window - 1 for s in standings)
