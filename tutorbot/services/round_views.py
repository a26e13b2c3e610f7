"""What a group round shows, as plain data: the refusals (returned, each with the words the
person sees), the views of a question, its reveal and the end of a round, and the
`RoundPresenter` a front end implements to show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from tutorbot.content.models import Question
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.round_options import TeamStanding
from tutorbot.domain.round_results import Reveal, Standing
from tutorbot.domain.round_state import RoundQuestion


class _Said(Refusal):
    """A refusal whose words never vary."""

    __slots__ = ()
    said: ClassVar[str] = ""

    @property
    def text(self) -> str:
        """What the person is told."""
        return self.said


@dataclass(frozen=True)
class NotInstructor(_Said):
    """An instructor action (start, skip, stop, results, report) by someone who is not one."""

    said = (
        "Only instructors can run rounds: that takes the Manage Server permission or this "
        "server's instructor role (see /tutoradmin settings)."
    )


@dataclass(frozen=True)
class NoRoundHere(_Said):
    """/round skip or stop in a channel with no round running."""

    said = "There is no round running in this channel. Start one with /round start."


@dataclass(frozen=True)
class AlreadyRunning(_Said):
    """/round start in a channel whose round is still running (one per channel)."""

    said = "A round is already running in this channel. Use /round stop to end it first."


@dataclass(frozen=True)
class AlreadyRevealed(_Said):
    """/round skip while no question is open."""

    said = "The answers are already shown; the next question is on its way."


@dataclass(frozen=True)
class JustRevealed(_Said):
    """/round skip that lost the race to the deadline's own reveal."""

    said = "That question was just revealed."


@dataclass(frozen=True)
class JustEnded(_Said):
    """/round stop that lost the race to the round's own end."""

    said = "This round just ended."


@dataclass(frozen=True)
class NoSuchRound(_Said):
    """Results or a report asked for a round this server does not have."""

    said = "No such round in this server."


class NotShown(Exception):
    """The front end cannot show something right now (Discord failing or not answering);
    worth trying again later. Other failures are not retried."""


class RoundGone(Forged):
    """A round id that names no round: a forged button (rounds are never deleted)."""

    def __init__(self) -> None:
        super().__init__("This round is over.")


@dataclass(frozen=True)
class PastRound:
    """A round of a server, as `/round results` lists it to choose from."""

    round_id: int
    topic_title: str
    created_at: datetime
    status: str


@dataclass(frozen=True)
class QuestionView:
    """An open question, as the channel message shows it."""

    round_id: int
    guild_id: int
    channel_id: int
    topic_title: str
    index: int
    """The question's place in the round's stored question list (buttons carry it)."""
    number: int
    total: int
    asked: RoundQuestion
    question: Question | None
    """The content question; None if a reload removed it mid-round."""
    answered: int = 0
    message_id: int | None = None
    paused_left: float | None = None
    """Seconds the question had left when `/round pause` stopped its countdown; None while it
    runs."""


@dataclass(frozen=True)
class RevealView:
    """A closed question: counts, shares, the right answer and the fastest right answers."""

    question: QuestionView
    reveal: Reveal
    message_id: int | None
    last: bool
    """No question follows: the podium comes next."""
    next_at: datetime | None
    repost: bool = True
    """Post the reveal anew if the question message is gone. A late retry does not: with the
    message gone, no stale buttons or countdown are left to fix."""


@dataclass(frozen=True)
class StrugglingView:
    """A student below 50% in the round, as the instructor's report shows them."""

    user_id: int
    accuracy: float
    review: tuple[str, ...]
    """Titles of the topic's prerequisites the student has not mastered."""


@dataclass(frozen=True)
class MissedView:
    """A much-missed question, as the instructor's report shows it."""

    question_id: str
    prompt: str
    correct_share: float


@dataclass(frozen=True)
class RoundEnd:
    """A finished or stopped round: the standings, and the instructor's private report."""

    round_id: int
    guild_id: int
    channel_id: int
    instructor_id: int | None
    """None once the host asked to be forgotten: nobody gets the report."""
    topic_title: str
    stopped: bool
    reason: str | None
    asked: int
    podium: tuple[Standing, ...]
    top: tuple[Standing, ...]
    participants: int
    most_missed: tuple[MissedView, ...]
    struggling: tuple[StrugglingView, ...]
    teams: tuple[TeamStanding, ...] = ()
    """In a round with teams, the teams someone played for, best first (the team podium)."""
    empty_teams: tuple[str, ...] = ()
    """In a round with teams, the teams nobody played for."""
    streak: bool = False
    """Whether the round had the streak bonus (each standing's `bonus`)."""


class RoundPresenter(Protocol):
    """What a front end shows; every method is called at least once per event (after a crash,
    possibly again), so showing must be idempotent or harmless to repeat."""

    async def show_question(self, view: QuestionView) -> int | None:
        """Post an open question; returns the message id."""

    async def show_reveal(self, view: RevealView) -> int | None:
        """Turn the question message into its reveal (a new message if it has none); raises
        `NotShown` when it cannot right now and a later try may work."""

    async def show_end(self, end: RoundEnd) -> None:
        """Post the podium and the top 10, and give the instructor their report."""

    async def update_question(self, view: QuestionView) -> None:
        """Redraw an open question's message (paused, or its countdown going again)."""


class SilentPresenter:
    """The presenter until a front end attaches one (e.g. the console, or storage-only use)."""

    async def show_question(self, view: QuestionView) -> int | None:
        """Show nothing; no message id."""
        return None

    async def show_reveal(self, view: RevealView) -> int | None:
        """Show nothing; no message id."""
        return None

    async def show_end(self, end: RoundEnd) -> None:
        """Show nothing."""

    async def update_question(self, view: QuestionView) -> None:
        """Show nothing."""
