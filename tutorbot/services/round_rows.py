"""How a round is stored and read back.

A round is one domain value, `RoundState`, stored once as the JSON of `rounds.state`: without what
the row's columns hold (the host, the status, the start) and without its answers (rows of
`round_answers`, where the database decides that a first answer is final). Reading a round joins
the three again. This is the one place that knows that shape, so the round's steps
(`services/rounds.py`) and the click path (`services/round_answers.py`) only see whole states.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from tutorbot.domain._time import to_iso
from tutorbot.domain.round_state import RoundAnswer, RoundSettings, RoundState
from tutorbot.domain.scoring import SelfAssessment
from tutorbot.services.round_views import RoundGone
from tutorbot.storage.rounds import AnswerCells, Round, RoundAnswerRow, RoundStore

COLUMN_KEYS = ("instructor_id", "status", "started_at")
"""What the round's row holds instead of its JSON: the host (`host_id`, so /forgetme finds it in
one place), the status and the start (`created_at`)."""


def dump(state: RoundState) -> dict[str, Any]:
    """The state as stored in `rounds.state`: without what the row's columns hold (see
    `COLUMN_KEYS`) and without answers (rows of round_answers). Each fact is stored once."""
    data = state.to_dict()
    for key in COLUMN_KEYS:
        del data[key]
    for question in data["asked"]:
        question["answers"] = []
    return data


def state_of(rnd: Round) -> RoundState:
    """The stored state of a round: its JSON with the facts its columns hold (see `dump`),
    without answers.

    A round whose state was never written (NULL or empty) reads as a round that asked nothing,
    so it can still be stopped and never holds its channel for good.
    """
    columns = {
        "instructor_id": rnd.host_id,
        "status": rnd.status,
        "started_at": to_iso(rnd.created_at),
    }
    if not rnd.state:
        empty = RoundState("", None, RoundSettings(), (), rnd.created_at).to_dict()
        return RoundState.from_dict({**empty, **columns})
    return RoundState.from_dict({**rnd.state, **columns})


def domain_answer(row: RoundAnswerRow) -> RoundAnswer:
    """A stored answer as the domain sees it."""
    assessment = SelfAssessment(row.assessment) if row.assessment else None
    return RoundAnswer(row.user_id, row.answer, row.answered_at, row.seconds, assessment)


Answers = Literal["all", "current", "none"]
"""Which answers a read of a round fills in: every question's (standings, the CSV), the current
question's (its reveal), or none (a step that only moves the round on)."""


async def load(
    store: RoundStore, round_id: int, *, answers: Answers = "all"
) -> tuple[Round, RoundState]:
    """The round with the answers recorded so far (see `Answers`); raises `RoundGone` for an
    id that names no round."""
    rnd = await store.get(round_id)
    if rnd is None:
        raise RoundGone
    state = state_of(rnd)
    if answers == "none":
        return rnd, state
    index = rnd.current_index if answers == "current" else None
    return rnd, with_answers(state, await store.answer_cells(round_id, index))


async def with_all_answers(store: RoundStore, round_id: int, state: RoundState) -> RoundState:
    """`state` (read with fewer answers, then moved on) with every stored answer filled in."""
    return with_answers(state, await store.answer_cells(round_id))


def with_answers(state: RoundState, cells: list[AnswerCells]) -> RoundState:
    """The state with these stored answers as its asked questions' answers (in the order
    given); questions without any get none."""
    by_index: list[list[RoundAnswer]] = [[] for _ in state.question_ids]
    for index, user, answer, at, seconds, assessment in cells:
        judged = SelfAssessment(assessment) if assessment else None
        by_index[index].append(RoundAnswer(user, answer, at, seconds, judged))
    asked = tuple(
        replace(q, answers=tuple(by_index[state.index_of(q.question_id)])) for q in state.asked
    )
    return replace(state, asked=asked)


def timer_key(round_id: int, kind: str) -> str:
    """The key of a round's timer of one kind (`round:42:close`, `round:42:next`), so a step can
    see whether its follow-up is already pending."""
    return f"round:{round_id}:{kind.rpartition('.')[2]}"
