"""The one ranking rule: points, then credit; equal on both share a rank, listed by user id."""

from __future__ import annotations

from dataclasses import dataclass

from tutorbot.domain.standings import leaderboard, ranked


@dataclass(frozen=True)
class Row:
    user_id: int
    points: int
    correct: float


@dataclass(frozen=True)
class Totals:
    user_id: int
    points: int
    correct: int
    answered: int


def test_points_then_credit_then_a_shared_rank_listed_by_user_id() -> None:
    rows = [Row(4, 10, 1), Row(3, 20, 1), Row(2, 10, 2), Row(1, 10, 1), Row(5, 0, 0)]
    assert [(rank, r.user_id) for rank, r in ranked(rows)] == [
        (1, 3),
        (2, 2),
        (3, 1),
        (3, 4),
        (5, 5),
    ]


def test_half_credit_counts_between_none_and_full() -> None:
    rows = [Row(1, 500, 0.5), Row(2, 500, 1.0), Row(3, 500, 0.0)]
    assert [r.user_id for _, r in ranked(rows)] == [2, 1, 3]


def test_nobody_and_the_leaderboard_lines() -> None:
    assert ranked([]) == []
    board = leaderboard([Totals(7, 5, 1, 4), Totals(8, 5, 1, 2)])
    assert [(e.rank, e.user_id, e.accuracy) for e in board] == [(1, 7, 0.25), (1, 8, 0.5)]
