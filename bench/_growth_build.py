"""Building and measuring the databases of `bench/growth.py` (see its docstring for the why).

Everything is written through the project's own code in one process: a real `Services` over
`open_storage` and the bundled content, with a clock the bench moves. Private quizzes are played
by the domain's quiz rules and stored step by step with `QuizStore.create` and
`QuizStore.save_step` (what `QuizService` calls, without its reads, which would make a build of
millions of answers take hours), and each quiz's last step (the summary, mastery) goes through
`services.quiz.next` itself, so a finished quiz is stored as the real code stores it. Rounds are
played entirely through `services.rounds` (start, every click, skip, the scheduler's next
question). Progress marks, goals and display names go through their services too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import inspect
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import tutorbot
from tutorbot.bot import limits as bot_limits
from tutorbot.bot.errors import UserFacingError
from tutorbot.bot.topic_option import resolve_topic
from tutorbot.content.loader import load_library
from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import quiz as quiz_rules
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import quiz_points
from tutorbot.services import Services
from tutorbot.services.quiz import Screen
from tutorbot.services.round_views import QuestionView
from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage import open_storage
from tutorbot.storage.quizzes import NewAnswer, QuizSession

BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
USER_BASE = 310_000_000_000_000_000
GUILD_BASE = 120_000_000_000_000_000
CHANNEL_BASE = 140_000_000_000_000_000
ROUND_CHANNEL_BASE = 150_000_000_000_000_000
SNOWFLAKE_STEP = 4_194_304_123
"""Ids look like Discord's (18-19 digits), so integers take as many bytes as in production."""
BIG_SERVER_MEMBERS = 16_000
SMALL_SERVER_MEMBERS = 40
HEAVY_ANSWERS = 10_000
ROUND_STUDENTS = 30
ROUND_QUESTIONS = 3
ROUND_SHARE = 0.1
"""The share of answers given in rounds; the rest in private quizzes."""
WORKERS = 300
"""Quizzes played at once while building (their writes share group commits)."""
RETRIES = 40
CLICKS = 300
"""Clicks timed per case while heavy work runs (and as many without)."""
SPARE_HEAVY = 4
"""Fresh heavy users forgotten while clicks are timed."""


def user_id(index: int) -> int:
    """The Discord-like id of the bench's user number `index`."""
    return USER_BASE + index * SNOWFLAKE_STEP


def guild_id(index: int) -> int:
    """The Discord-like id of the bench's server number `index`."""
    return GUILD_BASE + index * SNOWFLAKE_STEP


class BenchClock:
    """A clock the bench sets: services read it, the bench moves it forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The time the bench set."""
        return self.now

    def at_least(self, when: datetime) -> None:
        """Move the clock forward to `when` (never back)."""
        self.now = max(self.now, when)


@dataclass
class Plan:
    """The shape of a database of about `answers` answers."""

    label: str
    answers: int
    users: int
    servers: int
    big_members: int
    heavy: int
    """Answers of each heavy user (the ones /mydata and /forgetme are timed on)."""

    @classmethod
    def for_size(cls, label: str, answers: int) -> Plan:
        """About 60 answers per user at every size (an ordinary user is the same at 10 k and
        10 M answers; 166,000 users at 10 M), one server per 2,000 answers (at least 10, at most
        5,000), the big server most users up to 16,000 members."""
        users = max(100, answers // 60)
        return cls(
            label=label,
            answers=answers,
            users=users,
            servers=max(10, min(5_000, answers // 2_000)),
            big_members=min(BIG_SERVER_MEMBERS, users - SMALL_SERVER_MEMBERS - users // 10),
            heavy=min(HEAVY_ANSWERS, max(100, answers // 50)),
        )

    def home(self, index: int) -> int:
        """The server number where user `index` mostly studies (0: the big server, 1: the
        small one)."""
        if index < self.big_members:
            return 0
        if index < self.big_members + SMALL_SERVER_MEMBERS:
            return 1
        return 2 + (index * 7919) % (self.servers - 2)


@dataclass
class Built:
    """What a build left behind, kept beside the database (JSON) so `--keep` can reuse it."""

    plan: Plan
    answers: int = 0
    quiz_answers: int = 0
    round_answers: int = 0
    quizzes: int = 0
    rounds: int = 0
    build_seconds: float = 0.0
    retries: int = 0
    """Service steps refused and tried again (stale reads: see the report)."""
    given_up: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    heaviest: list[int] = field(default_factory=list)
    db_bytes: int = 0
    tables: dict[str, int] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write it as JSON."""
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Built:
        """Read what `save` wrote."""
        data = json.loads(path.read_text())
        data["plan"] = Plan(**data["plan"])
        return cls(**data)


@dataclass
class Counters:
    """Running totals while building."""

    quiz_answers: int = 0
    round_answers: int = 0
    quizzes: int = 0
    rounds: int = 0
    retries: int = 0
    given_up: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    """Why steps were refused before they were tried again, by refusal type."""


def _topics(services: Services) -> list[Topic]:
    return [t for t in services.library.topics.values() if t.questions]


def _choice(question: Question, rng: random.Random, skill: float) -> str:
    """A student's click: the right option with probability `skill`."""
    if question.type is QuestionType.TRUE_FALSE:
        right = bool(question.answer)
        return str(right if rng.random() < skill else not right).lower()
    letters = list(question.letters)
    if rng.random() < skill and isinstance(question.answer, str):
        return question.answer
    return rng.choice(letters)


async def _retry(
    counters: Counters, step: Callable[[], Awaitable[Any]], accept: Callable[[Any], bool]
) -> Any:
    """Run a service step until `accept` likes its result (a stale read refuses a step that
    a moment later succeeds); the last result after `RETRIES` tries."""
    result: Any = None
    for attempt in range(RETRIES):
        result = await step()
        if accept(result):
            return result
        counters.retries += 1
        kind = type(result).__name__
        counters.refused[kind] = counters.refused.get(kind, 0) + 1
        await asyncio.sleep(0.002 * (attempt + 1))
    counters.given_up += 1
    return result


async def play_quiz(
    services: Services,
    clock: BenchClock,
    counters: Counters,
    rng: random.Random,
    *,
    user: int,
    guild: int | None,
    topic: Topic,
    start: datetime,
    skill: float,
) -> int:
    """One private quiz played to its end; returns the answers it recorded.

    Every step but the last is the domain's rule stored with `QuizStore.save_step` (the answer
    and the move to the next question in one commit); the last goes through
    `services.quiz.next`, which stores the finished quiz and its mastery as production does.
    """
    store = services.storage.quizzes
    state = quiz_rules.start_quiz(topic, user, start, rng)
    if isinstance(state, Refusal):
        return 0
    session: QuizSession | None = await store.create(
        user_id=user,
        guild_id=guild,
        channel_id=CHANNEL_BASE + (guild or user) % 1_000_003,
        topic_id=topic.id,
        question_ids=state.question_ids,
        now=start,
        state=state.to_dict(),
        reveal_at=state.reveal_at,
    )
    now, answered = start, 0
    while session is not None and not state.finished:
        question_id = state.current_id
        question = topic.question(question_id) if question_id else None
        if question is None or question_id is None:
            return answered
        now += timedelta(seconds=rng.uniform(4, 40))
        record: NewAnswer
        if question.type is QuestionType.FREE_RESPONSE:
            now = max(now, state.reveal_at or now)
            revealed = quiz_rules.reveal(state, topic, user, question_id, now)
            if not isinstance(revealed, quiz_rules.Revealed):
                return answered
            judged = "got_it" if rng.random() < skill else rng.choice(("partly", "missed"))
            assessed = quiz_rules.self_assess(revealed.state, topic, user, question_id, judged, now)
            if isinstance(assessed, Refusal):
                return answered
            state = assessed.state
            record = NewAnswer(
                question_id, judged, assessed.credit >= 1.0, None, quiz_points(assessed.credit)
            )
        else:
            result = quiz_rules.answer(
                state, topic, user, question_id, _choice(question, rng, skill), now
            )
            if isinstance(result, Refusal):
                return answered
            state = result.state
            record = NewAnswer(
                question_id,
                result.given,
                result.correct,
                result.seconds,
                quiz_points(1.0 if result.correct else 0.0),
            )
        answered += 1
        if state.is_last:
            # The answer alone, then Next through the service: the summary and the finished
            # quiz as the real code stores them.
            session = await store.save_step(
                session,
                now=now,
                state=state.to_dict(),
                position=state.position,
                reveal_at=state.reveal_at,
                status="active",
                answer=record,
            )
            if session is None:
                return answered - 1
            clock.at_least(now)
            await _retry(
                counters,
                partial(services.quiz.next, session.id, user, state.position),
                lambda r: not isinstance(r, Refusal),
            )
            return answered
        following = quiz_rules.next_question(state, topic, user, now)
        if isinstance(following, Refusal):
            return answered
        state = following
        session = await store.save_step(
            session,
            now=now,
            state=state.to_dict(),
            position=state.position,
            reveal_at=state.reveal_at,
            status="active",
            answer=record,
        )
    return answered


class Builder:
    """Fills one database through the services, after `Plan`."""

    def __init__(self, services: Services, clock: BenchClock, plan: Plan, seed: int) -> None:
        self.services = services
        self.clock = clock
        self.plan = plan
        self.rng = random.Random(seed)
        self.counters = Counters()
        self.topics = _topics(services)
        self.members: dict[int, list[int]] = {}
        for index in range(plan.users):
            self.members.setdefault(plan.home(index), []).append(index)
        self._channels = 0
        self.busy: set[int] = set()
        self._polling = asyncio.Lock()
        """Users playing a quiz right now (one active quiz per user)."""

    def guild_of(self, index: int) -> int | None:
        """Where one quiz of user `index` is played: mostly their server, sometimes a DM."""
        roll = self.rng.random()
        if roll < 0.2:
            return None
        if roll < 0.25:
            return guild_id(2 + self.rng.randrange(self.plan.servers - 2))
        return guild_id(self.plan.home(index))

    async def quiz(self, index: int, start: datetime, guild: int | None = None) -> int:
        """One quiz by user `index` (in `guild`, or where they usually study); returns the
        answers it recorded."""
        user = user_id(index)
        where = guild if guild is not None else self.guild_of(index)
        if where is not None:
            self.services.names.saw(where, user, f"Student {index}")
        answered = await play_quiz(
            self.services,
            self.clock,
            self.counters,
            self.rng,
            user=user,
            guild=where,
            topic=self.rng.choice(self.topics),
            start=start,
            skill=0.3 + 0.65 * ((index * 2654435761) % 1000) / 1000,
        )
        self.counters.quiz_answers += answered
        self.counters.quizzes += 1
        return answered

    async def heavy_user(self, index: int, answers: int, start: datetime) -> None:
        """User `index` plays quiz after quiz (one at a time, as one person does) until they
        gave `answers` answers."""
        given, step = 0, timedelta(minutes=10)
        while given < answers:
            given += await self.quiz(index, start, guild=guild_id(self.plan.home(index)))
            start += step

    async def quizzes(self, target: int) -> None:
        """Ordinary quizzes until about `target` answers: every user once, then skewed (a few
        study a lot), `WORKERS` at a time, never two at once by one user."""
        expected = max(1, target // 5)
        number = 0

        def specs(budget: int) -> Iterator[tuple[int, datetime]]:
            nonlocal number
            planned = 0
            while planned < budget:
                if number < self.plan.users:
                    index = number
                else:
                    index = int(self.plan.users * self.rng.random() ** 2.5)
                    index = (index * 7919) % self.plan.users
                while index in self.busy:  # at most half the users are busy: this ends
                    index = self.rng.randrange(self.plan.users)
                start = BASE_TIME + timedelta(days=300 * min(1.0, number / expected))
                planned += 5
                number += 1
                yield index, start

        async def one(spec: tuple[int, datetime]) -> None:
            index, start = spec
            self.busy.add(index)
            try:
                await self.quiz(index, start)
            finally:
                self.busy.discard(index)

        begun = self.counters.quiz_answers
        while (left := target - (self.counters.quiz_answers - begun)) > 50:
            await _pool(specs(left), one, min(WORKERS, self.plan.users // 2))

    async def progress(self) -> None:
        """A tenth of the users mark topics they know and set a goal."""
        ids = [t.id for t in self.topics]

        async def mark(index: int) -> None:
            user = user_id(index)
            for topic in self.rng.sample(ids, 3):
                await self.services.progress.toggle_known(user, topic)
            await self.services.progress.set_goal(user, self.rng.choice(ids))

        await _pool(iter(range(0, self.plan.users, 10)), mark, WORKERS)

    def channels_from(self, number: int) -> None:
        """Number new channels from `number` on (a run on a kept database uses new ones)."""
        self._channels = number

    def new_channel(self) -> int:
        """A channel no round used yet."""
        self._channels += 1
        return ROUND_CHANNEL_BASE + self._channels * SNOWFLAKE_STEP

    async def start_round(self, guild: int, channel: int, seconds: int = 300) -> QuestionView:
        """A round started by an instructor in `channel` through the round service."""
        started = await _retry(
            self.counters,
            lambda: self.services.rounds.start_round(
                guild_id=guild,
                channel_id=channel,
                instructor_id=user_id(0),
                is_instructor=True,
                topic=self.rng.choice(self.topics),
                questions=ROUND_QUESTIONS,
                seconds=seconds,
            ),
            lambda r: isinstance(r, QuestionView),
        )
        if not isinstance(started, QuestionView):
            raise RuntimeError(f"a round did not start: {started}")
        return started

    async def round(self, guild_index: int) -> None:
        """A whole round in a server: clicks, close (skip), judgements, next, to its end."""
        rounds = self.services.rounds
        guild, channel = guild_id(guild_index), self.new_channel()
        pool: Sequence[int] = self.members.get(guild_index, [])
        if len(pool) < ROUND_STUDENTS:  # a server of few regulars: anyone may join in
            pool = range(self.plan.users)
        students = self.rng.sample(pool, min(ROUND_STUDENTS, len(pool)))
        view: QuestionView | None = await self.start_round(guild, channel)
        while view is not None:
            asked, clicked = view.asked, []
            for index in students:
                if self.rng.random() < 0.1:
                    continue
                if asked.kind is QuestionType.FREE_RESPONSE:
                    choice = f"my answer, {index}"
                elif asked.correct is not None and self.rng.random() < 0.6:
                    choice = asked.correct
                else:
                    choice = self.rng.choice(asked.options)
                at = asked.opened_at + timedelta(seconds=self.rng.uniform(1, 30))
                self.services.names.saw(guild, user_id(index), f"Student {index}")
                clicked.append(rounds.accept(view.round_id, view.index, user_id(index), choice, at))
            outcomes = await asyncio.gather(*clicked, return_exceptions=True)
            locked = [o for o in outcomes if not isinstance(o, Refusal | BaseException)]
            self.counters.round_answers += len(locked)
            await _retry(
                self.counters,
                lambda: rounds.skip(channel, is_instructor=True),
                lambda r: r is None or type(r).__name__ in ("AlreadyRevealed", "NoRoundHere"),
            )
            if asked.kind is QuestionType.FREE_RESPONSE:
                judged = "got_it", "partly", "missed"
                await asyncio.gather(
                    *(
                        rounds.assess(
                            view.round_id, view.index, user_id(i), self.rng.choice(judged)
                        )
                        for i in students
                    ),
                    return_exceptions=True,
                )
            view = await self._next(view)
        self.counters.rounds += 1

    async def _next(self, view: QuestionView) -> QuestionView | None:
        """Move the clock past the pause and let the scheduler open the next question."""
        self.clock.now += timedelta(seconds=5)
        self.services.wake()
        for _ in range(6_000):
            async with self._polling:  # rounds poll one at a time (see `Built.retries`)
                rnd = await self.services.storage.rounds.get(view.round_id)
                if rnd is not None and rnd.status != "running":
                    return None
                following = await self.services.rounds.question_view(view.round_id)
            if following is not None and following.index != view.index:
                return following
            await asyncio.sleep(self.rng.uniform(0.005, 0.015))
            self.services.wake()
        raise RuntimeError("a round did not move on")

    async def rounds(self, target: int) -> None:
        """Rounds, 20 at a time, until about `target` round answers; a third in the big
        server."""
        per_round = ROUND_STUDENTS * ROUND_QUESTIONS * 0.9
        count = max(3, int(target / per_round))
        guilds = [
            0
            if i % 3 == 0
            else (1 if i % 10 == 1 else 2 + self.rng.randrange(self.plan.servers - 2))
            for i in range(count)
        ]
        await _pool(iter(guilds), self._round_or_count, 20)

    async def _round_or_count(self, guild_index: int) -> None:
        """A round; one that never saw its next step (reads that stayed stale) is counted in
        `given_up` and left as it was, rather than ending the build."""
        try:
            await self.round(guild_index)
        except RuntimeError:
            self.counters.given_up += 1


async def _pool(
    items: Iterator[Any], work: Callable[[Any], Awaitable[object]], workers: int
) -> None:
    """Run `work` on every item, `workers` at a time."""

    async def worker() -> None:
        for item in items:
            await work(item)

    await asyncio.gather(*(worker() for _ in range(workers)))


def _code_tag() -> str:
    """The latest migration of the code under test (a database is only reused by code that
    has the same schema)."""
    folder = Path(tutorbot.__file__).parent / "storage" / "migrations"
    return sorted(p.stem for p in folder.glob("*.sql"))[-1]


def database_size(path: Path) -> tuple[int, dict[str, int]]:
    """Bytes of the database file (and WAL, after a checkpoint), and per table (its indexes
    included) from sqlite's dbstat table when it is compiled in."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables: dict[str, int] = {}
        with contextlib.suppress(sqlite3.Error):
            owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master").fetchall())
            for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
                table = owner.get(name, name)
                tables[table] = tables.get(table, 0) + int(size)
    finally:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0), tables


@contextlib.asynccontextmanager
async def opened(path: Path, clock: BenchClock) -> AsyncIterator[Services]:
    """Services over the database at `path` with the bundled content, closed afterwards."""
    services = Services(load_library(BUNDLED_CONTENT_DIR), await open_storage(path), clock)
    try:
        yield services
    finally:
        await services.stop()
        await services.close()


async def _progress(builder: Builder, plan: Plan, started: float) -> None:
    """Every 30 s while building, how far it got (on stderr: the tables stay clean)."""
    while True:
        await asyncio.sleep(30)
        done = builder.counters.quiz_answers + builder.counters.round_answers
        spent = time.perf_counter() - started
        print(
            f"  building {plan.label}: {done:,} of ~{plan.answers:,} answers in {spent:,.0f} s "
            f"({done / spent:,.0f}/s)",
            file=sys.stderr,
            flush=True,
        )


async def build(path: Path, plan: Plan, seed: int = 14) -> Built:
    """A new database of about `plan.answers` answers at `path`."""
    clock = BenchClock(BASE_TIME)
    started = time.perf_counter()
    async with opened(path, clock) as services:
        await services.start()
        builder = Builder(services, clock, plan, seed)
        ticker = asyncio.ensure_future(_progress(builder, plan, started))
        heaviest = [plan.users, plan.users + 1]
        round_target = int(plan.answers * ROUND_SHARE)
        heavy_total = 3 * plan.heavy
        heavy = asyncio.gather(
            builder.heavy_user(heaviest[0], 2 * plan.heavy, BASE_TIME),
            builder.heavy_user(heaviest[1], plan.heavy, BASE_TIME),
        )
        await builder.quizzes(plan.answers - round_target - heavy_total)
        await heavy
        await builder.progress()
        clock.now = BASE_TIME + timedelta(days=301)
        await builder.rounds(round_target)
        clock.now += timedelta(hours=1)
        services.wake()
        await asyncio.sleep(0.5)
        await services.names.flush()
        ticker.cancel()
    counters = builder.counters
    built = Built(
        plan=plan,
        answers=counters.quiz_answers + counters.round_answers,
        quiz_answers=counters.quiz_answers,
        round_answers=counters.round_answers,
        quizzes=counters.quizzes,
        rounds=counters.rounds,
        build_seconds=time.perf_counter() - started,
        retries=counters.retries,
        given_up=counters.given_up,
        refused=counters.refused,
        heaviest=[user_id(i) for i in heaviest],
    )
    built.db_bytes, built.tables = database_size(path)
    return built


async def prepared(path: Path, plan: Plan, keep: Path | None) -> tuple[Path, Built, bool]:
    """The database for `plan`: reused from `keep` when an earlier run built it with this
    schema, else built (in `keep`, or next to `path`)."""
    folder = keep if keep is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"growth-{plan.label}-{_code_tag()}.sqlite3"
    sidecar = db.with_suffix(".json")
    if keep is not None and db.exists() and sidecar.exists():
        return db, Built.load(sidecar), True
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    built = await build(db, plan)
    built.save(sidecar)
    return db, built, False


# -- measuring -----------------------------------------------------------------------------------

Timings = dict[str, list[float]]


def p50(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (the largest value when there are few)."""
    if len(values) < 20:
        return max(values)
    return statistics.quantiles(values, n=20)[18]


def export_bytes(result: object) -> int:
    """The size of a /mydata export: bytes today, or an object with `.files` (each with
    `.data`) once the export is split into files."""
    files = getattr(result, "files", None)
    if files is not None:
        return sum(len(f.data) for f in files)
    if isinstance(result, bytes | bytearray):
        return len(result)
    return len(str(result))


def export_call(services: Services) -> Callable[[int], Awaitable[Any]]:
    """`services.stats.export` as the /mydata command calls it: with the attachment limit once
    the export takes one (files of at most that many bytes), else with the user alone."""
    export: Callable[..., Awaitable[Any]] = services.stats.export
    if "limit" not in inspect.signature(export).parameters:
        return export
    limit = getattr(bot_limits, "ATTACHMENT_BYTES", 10 * 1024 * 1024)
    return partial(export, limit=limit)


async def timed(
    call: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> tuple[float, Any]:
    """Seconds `call(*args, **kwargs)` took, and what it returned."""
    start = time.perf_counter()
    result = await call(*args, **kwargs)
    return time.perf_counter() - start, result


def mistyped(title: str, rng: random.Random) -> str:
    """A title with two neighbouring letters swapped, as someone typing fast would."""
    if len(title) < 4:
        return title + "x"
    i = rng.randrange(1, len(title) - 2)
    return title[:i] + title[i + 1] + title[i] + title[i + 2 :]


class Clicker:
    """Round and quiz clicks on demand: a round kept open (the bench's clock stands still) and
    quizzes started ahead, each click by a student who has not clicked yet."""

    def __init__(self, builder: Builder, first_user: int) -> None:
        self.b = builder
        # Channels never used on this database, even a kept one an earlier run left a round
        # open on.
        builder.channels_from(first_user + int(time.time()) % 1_000_000)
        self.next_user = first_user
        self.view: QuestionView | None = None
        self.quizzes: list[tuple[int, int, int, str]] = []
        self.created: list[int] = []
        """Every student the clicks made up (forgotten afterwards: a kept database stays as
        built)."""

    def _user(self) -> int:
        self.next_user += 1
        self.created.append(user_id(self.next_user))
        return self.created[-1]

    async def open_round(self) -> None:
        """A round in a mid-sized server, its first question open for five minutes."""
        guild = guild_id(2 + self.b.rng.randrange(self.b.plan.servers - 2))
        self.view = await self.b.start_round(guild, self.b.new_channel())

    async def round_click(self) -> float:
        """Seconds one student's answer to the open round question took."""
        view = self.view
        if view is None:
            raise RuntimeError("open the round first")
        asked = view.asked
        choice = asked.options[0] if asked.options else "my answer"
        at = self.b.clock()
        user = self._user()
        seconds, outcome = await timed(
            self.b.services.rounds.accept, view.round_id, view.index, user, choice, at
        )
        if isinstance(outcome, Refusal):
            raise RuntimeError(f"a round click was refused: {outcome.text}")
        return seconds

    async def prepare_quizzes(self, count: int) -> None:
        """Start `count` quizzes (through the service) whose first question takes a click."""
        services = self.b.services

        async def one(_: int) -> None:
            user = self._user()
            for _attempt in range(20):
                topic = self.b.rng.choice(self.b.topics)
                screen = await services.quiz.start(
                    user_id=user, guild_id=None, channel_id=CHANNEL_BASE, topic=topic, count=None
                )
                if isinstance(screen, Screen) and screen.question.type in (
                    QuestionType.MULTIPLE_CHOICE,
                    QuestionType.TRUE_FALSE,
                ):
                    choice = _choice(screen.question, self.b.rng, 0.5)
                    self.quizzes.append((screen.session_id, user, screen.state.position, choice))
                    return

        await _pool(iter(range(count)), one, 20)

    async def quiz_click(self) -> float:
        """Seconds one answer to a prepared quiz took (service level: load, judge, save)."""
        session_id, user, position, choice = self.quizzes.pop()
        seconds, outcome = await timed(
            self.b.services.quiz.answer, session_id, user, position, choice
        )
        if isinstance(outcome, Refusal):
            raise RuntimeError(f"a quiz click was refused: {outcome.text}")
        return seconds


async def _fresh_heavy(builder: Builder, count: int, first: int) -> list[int]:
    """`count` new users with `plan.heavy` answers each (their quizzes one after another)."""
    indices = list(range(first, first + count))
    start = BASE_TIME + timedelta(days=200)
    await asyncio.gather(*(builder.heavy_user(i, builder.plan.heavy, start) for i in indices))
    await builder.services.names.flush()
    return [user_id(i) for i in indices]


async def _clicks_while(
    work: Callable[[], Awaitable[Any]] | None,
    click: Callable[[], Awaitable[float]],
    seconds: float,
    limit: int = CLICKS,
) -> list[float]:
    """Click latencies, one click every 2 ms, while `work` runs (or for `seconds` without),
    at most `limit` clicks."""
    latencies: list[float] = []
    task = asyncio.ensure_future(work()) if work is not None else None
    deadline = time.perf_counter() + seconds
    while len(latencies) < limit and (
        (task is not None and not task.done()) or (task is None and time.perf_counter() < deadline)
    ):
        latencies.append(await click())
        await asyncio.sleep(0.002)
    if task is not None:
        await task
    return latencies


@dataclass
class Interference:
    """Click latencies without and with heavy work running in the same event loop."""

    rows: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)


async def measure(
    path: Path, built: Built, repeats: int, forgets: int, seed: int = 7
) -> tuple[Timings, dict[str, str], Interference]:
    """Every user action timed on the database at `path` (median and p95 over `repeats`)."""
    plan = built.plan
    gc.collect()  # what building left behind is not collected while a click is timed
    clock = BenchClock(BASE_TIME + timedelta(days=400))
    times: Timings = {}
    notes: dict[str, str] = {}
    async with opened(path, clock) as services:
        b = Builder(services, clock, plan, seed)
        rng = b.rng
        ordinary = list(range(plan.big_members, plan.users)) or list(range(plan.users))
        members_big = list(range(plan.big_members))

        export = export_call(services)

        def add(name: str, seconds: float) -> None:
            times.setdefault(name, []).append(seconds)

        heavy_first = plan.users + 10_000 + rng.randrange(100_000) * 20
        heavy = await _fresh_heavy(b, forgets + SPARE_HEAVY, heavy_first)
        clicker = Clicker(b, plan.users + 3_000_000 + rng.randrange(1_000) * 1_000_000)
        await clicker.open_round()
        await clicker.prepare_quizzes(repeats + 4 * CLICKS)

        for _ in range(repeats):
            add("quiz answer click", await clicker.quiz_click())
            add("round answer click", await clicker.round_click())
        for _ in range(repeats):
            index = rng.choice(ordinary)
            user, home = user_id(index), guild_id(plan.home(index))
            add("/stats in a server", (await timed(services.stats.for_user, user, home))[0])
            add("/stats in a DM", (await timed(services.stats.for_user, user, None))[0])
            add("/progress", (await timed(services.progress.overview, user))[0])
            big_user = user_id(rng.choice(members_big))
            add(
                "/leaderboard, big server",
                (await timed(services.stats.leaderboard, guild_id(0), big_user))[0],
            )
            small_user = user_id(plan.big_members + rng.randrange(SMALL_SERVER_MEMBERS))
            add(
                "/leaderboard, small server",
                (await timed(services.stats.leaderboard, guild_id(1), small_user))[0],
            )
            seconds, data = await timed(export, user)
            add("/mydata, ordinary user", seconds)
            notes.setdefault("/mydata, ordinary user", f"{export_bytes(data) / 1e3:,.0f} kB")
        typo_rng = random.Random(3)  # the same typo at every size
        typo = mistyped(typo_rng.choice(b.topics).title, typo_rng)
        notes["topic lookup (mistyped)"] = repr(typo)

        def lookup() -> None:
            with contextlib.suppress(UserFacingError):
                resolve_topic(services.library, typo)
            services.library.search(typo)

        for _ in range(repeats):
            start = time.perf_counter()
            lookup()
            add("topic lookup (mistyped)", time.perf_counter() - start)
        for _ in range(max(3, repeats // 5)):
            seconds, data = await timed(export, built.heaviest[0])
            add("/mydata, heaviest user", seconds)
            notes["/mydata, heaviest user"] = (
                f"{2 * plan.heavy:,} answers, {export_bytes(data) / 1e6:,.1f} MB"
            )
        for _ in range(max(3, repeats // 5)):
            user = user_id(rng.choice(ordinary))
            add("/forgetme, ordinary user", (await timed(services.stats.forget, user))[0])
        for user in heavy[:forgets]:
            add("/forgetme, heavy user", (await timed(services.stats.forget, user))[0])
        notes["/forgetme, heavy user"] = f"{plan.heavy:,} answers each, {forgets} users"
        csv_call: Callable[..., Awaitable[Any]] = services.rounds.results_csv
        if "names" in inspect.signature(csv_call).parameters:  # before the CSV read names itself
            csv_call = partial(csv_call, names={})
        for _ in range(max(3, repeats // 5)):
            seconds, result = await timed(csv_call, guild_id(0), None, is_instructor=True)
            add("/round results CSV (30 students)", seconds)
            if isinstance(result, Refusal):
                notes["/round results CSV (30 students)"] = f"refused: {result.text}"

        interference = Interference()
        spare = heavy[forgets:]
        for label, click in (
            ("round click", clicker.round_click),
            ("quiz click", clicker.quiz_click),
        ):
            during_export: list[float] = []
            during_forget: list[float] = []
            for _ in range(20):
                if len(during_export) >= CLICKS:
                    break
                during_export += await _clicks_while(
                    partial(export, built.heaviest[0]),
                    click,
                    0,
                    CLICKS - len(during_export),
                )
            for _ in range(len(spare) // 2 + (label == "quiz click")):
                if spare:
                    during_forget += await _clicks_while(
                        partial(services.stats.forget, spare.pop()), click, 0
                    )
            alone = await _clicks_while(None, click, 30.0)
            interference.rows[f"{label} during /mydata (heaviest)"] = (alone, during_export)
            if during_forget:
                interference.rows[f"{label} during /forgetme (heavy)"] = (alone, during_forget)
        leftovers = clicker.created + spare
        await _pool(iter(leftovers), services.stats.forget, 20)
    return times, notes, interference


def round_end_section(students: Sequence[int], repeats: int) -> dict[int, Timings] | str:
    """`bench/round_end.py`'s round end and CSV for each class size, or why it was skipped.

    The round_end.py of the checkout under test is used when it has one (it calls that
    checkout's services), else this checkout's."""
    theirs = Path(tutorbot.__file__).resolve().parent.parent / "bench"
    if (theirs / "round_end.py").exists():
        sys.path.insert(0, str(theirs))
    try:
        module = importlib.import_module("round_end")
    except ImportError as exc:
        return f"skipped: bench/round_end.py could not be imported ({exc})"
    measure_round_end = getattr(module, "measure_round_end", None)
    if measure_round_end is None:
        return "skipped: bench/round_end.py has no measure_round_end"
    out: dict[int, Timings] = {}
    for n in students:
        try:
            out[n] = asyncio.run(measure_round_end(n, repeats))
        except Exception as exc:  # an older checkout may lack what it uses
            where = Path(module.__file__ or "round_end.py")
            return f"skipped at {n} students ({where}): {type(exc).__name__}: {exc}"
    return out


def code_line() -> str:
    """Which tutorbot is measured, and the sqlite it runs on."""
    return (
        f"tutorbot from {Path(tutorbot.__file__).parent} (schema {_code_tag()}), "
        f"sqlite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}"
    )
