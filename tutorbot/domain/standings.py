"""Ranking students: one rule for the server leaderboard, /stats, a round's podium, its top 10
and its CSV.

The rule (`ranked`): more points first; on equal points, more credit (right answers, a "partly"
counting half); equal on both, the same rank (1, 1, 3), listed by user id. Time is no tie-break:
speed scoring already put it into the points, and flat scoring promises that speed does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar


class Scored(Protocol):
    """What the rule looks at: a student's points and credit."""

    @property
    def user_id(self) -> int:
        """The student; equal ranks are listed by it, so the order never depends on input order."""

    @property
    def points(self) -> int:
        """Points, the first thing ranked on."""

    @property
    def correct(self) -> float:
        """Credit for right answers ("Partly" counts half), ranked on when points are equal."""


S = TypeVar("S", bound=Scored)


def ranked(rows: Iterable[S]) -> list[tuple[int, S]]:
    """The rows best first, each with its 1-based rank; rows equal on points and credit share
    the rank of the first of them (competition ranking) and are listed by user id."""
    ordered = sorted(rows, key=lambda r: (-r.points, -r.correct, r.user_id))
    result: list[tuple[int, S]] = []
    for place, row in enumerate(ordered, start=1):
        if result and (result[-1][1].points, result[-1][1].correct) == (row.points, row.correct):
            result.append((result[-1][0], row))
        else:
            result.append((place, row))
    return result


class ServerTotals(Scored, Protocol):
    """A student's totals in one server, every private quiz and round answer counted."""

    @property
    def answered(self) -> int:
        """Questions answered, for the share of right answers."""

    @property
    def correct(self) -> int:
        """Answers that were right (a server's totals count whole answers)."""


@dataclass(frozen=True)
class LeaderboardEntry:
    """One line of a server's leaderboard: a student's totals and their rank."""

    rank: int
    user_id: int
    points: int
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of answers that were right, 0.0 when nothing was answered."""
        return self.correct / self.answered if self.answered else 0.0


def leaderboard(scores: Iterable[ServerTotals]) -> list[LeaderboardEntry]:
    """A server's whole leaderboard, best first (see `ranked`)."""
    return [
        LeaderboardEntry(rank, s.user_id, s.points, s.answered, s.correct)
        for rank, s in ranked(scores)
    ]


def rank_after(ahead: int) -> int:
    """The rank of a student with `ahead` students strictly better than them: `ranked`'s
    competition ranking, for a leaderboard read one line at a time."""
    return ahead + 1
