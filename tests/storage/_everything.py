"""One person's footprint in every store, for the /mydata and /forgetme tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tutorbot.storage import Storage
from tutorbot.storage.daily import DailyAnswer, DailyPost
from tutorbot.storage.memory import CardRow, PracticeWrites, ReviewRow, record_practice


@dataclass(frozen=True)
class FixedPractice:
    """A `storage.memory.PracticeStep` that writes one card, its review and the day, whatever
    it reads: a memory footprint without the rules."""

    topic_id: str
    question_id: str
    now: datetime
    credit_topics: Sequence[str] = ()
    lapse_topics: Sequence[str] = ()

    @property
    def credit_before(self) -> datetime:
        return self.now

    def decide(
        self,
        answered: CardRow | None,
        credited: list[CardRow],
        lapsed: list[CardRow],
        timezone: str | None,
    ) -> PracticeWrites:
        card = CardRow(
            self.topic_id, self.question_id, self.now + timedelta(days=2), 2, None, 2.3, 5.0,
            self.now, 1, 0, 0.0,
        )  # fmt: skip
        review = ReviewRow(self.topic_id, self.question_id, 3, "quiz", 1.0, self.now)
        return PracticeWrites([card], [review], self.now.date().isoformat())


async def everything_about(
    storage: Storage, user: int, now: datetime, *, channel: int, state: dict[str, Any]
) -> int:
    """The user studies, quizzes, hosts a round (stored as `state`, in `channel`) and answers in
    it, is seen by name in two servers, has a timer, a memory card with its review and day,
    review settings and an answer to server 1's question of the day, and took a placement that
    found they know "counting"; returns the round's id."""
    placement = await storage.quizzes.create(
        user_id=user,
        guild_id=None,
        channel_id=3,
        topic_id="*placement",
        question_ids=[],
        now=now,
        state={"user_id": user, "asked": []},
        kind="placement",
    )
    await storage.quizzes.save_step(
        placement,
        now=now,
        state={"user_id": user, "asked": []},
        position=0,
        reveal_at=None,
        status="finished",
        placed=["counting"],
    )
    await storage.progress.mark_known(user, "algebra", now)
    await storage.progress.set_goal(user, "calculus", now)
    await storage.answers.record(
        user_id=user,
        guild_id=1,
        topic_id="algebra",
        question_id="q1",
        answer="A",
        correct=True,
        seconds=1.0,
        source="quiz",
        points=1,
        now=now,
    )
    await storage.quizzes.create(
        user_id=user,
        guild_id=None,
        channel_id=3,
        topic_id="algebra",
        question_ids=["q1"],
        now=now,
    )
    rnd = await storage.rounds.start(
        guild_id=1,
        channel_id=channel,
        host_id=user,
        now=now,
        state=state,
        deadline=now + timedelta(seconds=20),  # its question is open for answers
    )
    await storage.rounds.record_open_answer(
        round_id=rnd.id,
        question_index=0,
        question_id="a",
        topic_id="t",
        user_id=user,
        answer="A",
        correct=True,
        seconds=1,
        points=10,
        now=now,
    )
    await storage.names.remember({(1, user): f"Student {user}", (2, user): "Elsewhere"}, now)
    await storage.timers.add("reveal", now + timedelta(minutes=1), {"u": user}, now, user_id=user)
    step = FixedPractice("algebra", "q1", now)
    await storage.db.write(lambda conn: record_practice(conn, user, step))
    await storage.review_settings.update(
        user, now=now, daily_limit=10, timezone="Europe/Paris", remind_at="07:30"
    )
    day = now.date().isoformat()  # server 1's question of the day, which they answered
    await storage.daily.claim_post(
        DailyPost(1, day, channel, 0, "t", "a", "{}", None, now, None, None)
    )
    await storage.daily.add_answer(1, day, DailyAnswer(user, "A", True, now))
    return rnd.id
