"""Short-answer and numeric questions in a group round, through the fake Discord: typed in a form
while the question is open, judged at once (first answer stands, late and double answers
refused, no self-assessment), scored as a choice; the reveal, podium, CSV, report and memory
reviews count them; every message fits Discord's limits at the content's maximum sizes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from fakediscord import FakeDiscord
from fakediscord.validation import check_message

from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.rounds import render
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.content import models as m
from tutorbot.content.models import Question
from tutorbot.domain import round_results, typed_answers
from tutorbot.domain.round_state import RoundQuestion
from tutorbot.domain.rounds import typed_key
from tutorbot.domain.scoring import speed_points
from tutorbot.services.round_views import QuestionView, RevealView
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, message_text
from .rounds_helpers import channel_messages, reply, tick
from .typed_rounds_helpers import (
    TYPED_TOPIC,
    is_typed_revealed,
    type_answer,
    typed_kind,
    write_typed_course,
)

SECONDS = 20
AFTER_DEADLINE = SECONDS + CLOSE_GRACE.total_seconds() + 0.5
LOCKED = "Locked in your answer."
NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def test_a_round_of_typed_answers_judged_at_once(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    ana, ben, cy, dee = (fake.add_member(fake.guild, n) for n in ("ana", "ben", "cy", "dee"))
    async with start_bot(content_dir=write_typed_course(tmp_path / "content")) as bot:
        memory = bot.services.storage.memory
        started = await fake.slash(
            "round start", {"topic": TYPED_TOPIC, "questions": 2, "seconds": SECONDS}, fake.admin
        )
        assert "2 questions" in await reply(fake, started)
        seen = set()
        for number in (1, 2):
            await fake.wait_until(lambda n=number: len(channel_messages(fake)) == n)
            message = channel_messages(fake)[-1]
            kind = typed_kind(message)
            seen.add(kind)
            text = message_text(message)
            assert f"Question {number} of 2" in text and "Type my answer" in text
            assert list(buttons(message.components)) == ["Type my answer"]
            if kind == "short":
                assert await type_answer(fake, message, "  canberra!  ", ana) == LOCKED
                # the reply never says right or wrong before the reveal
                assert await type_answer(fake, message, "Sydney", cy) == LOCKED
                clock.advance(5)
                assert await type_answer(fake, message, "Canbera", ben) == LOCKED  # one typo
                again = await type_answer(fake, message, "Canberra", cy)
                assert "already answered your typed answer" in again
                (card,) = await memory.cards(ana.id, [(TYPED_TOPIC, "short")])
                assert card.reps == 1  # reviewed when answered, not at the reveal
            else:
                refused = await type_answer(fake, message, "about a hundred", ben)
                assert refused == typed_answers.NotANumber().text
                assert await type_answer(fake, message, "99,8", ana) == LOCKED
                assert await type_answer(fake, message, "7/2", ben) == LOCKED  # may type again
                clock.advance(8)
                assert await type_answer(fake, message, "100.5", cy) == LOCKED  # the edge
            clock.advance(AFTER_DEADLINE - (5 if kind == "short" else 8))
            assert "Time is up" in await type_answer(fake, message, "Canberra", dee)
            bot.services.wake()
            await fake.wait_until(lambda m=message: is_typed_revealed(fake, m))
            revealed = message_text(fake.messages[message.id])
            assert "Got it" not in revealed and "judge it yourself" not in revealed
            assert "Right answers: 2 · 3 answers" in revealed
            assert "**2 of 3 answers right**" in revealed
            if kind == "short":
                assert "**Expected:** Canberra" in revealed
                assert "**Also accepted:** Canberra ACT" in revealed
                assert "compromise between Sydney and Melbourne" in revealed
                assert revealed.index("🥇 Ana") < revealed.index("🥈 Ben")
            else:
                assert "**Expected:** 100 (± 0.5)" in revealed
                assert revealed.index("🥇 Ana") < revealed.index("🥈 Cy")
            await tick(bot, clock, NEXT_PAUSE.total_seconds())
        assert seen == {"short", "number"}

        await fake.wait_until(lambda: len(channel_messages(fake)) == 3)
        podium = message_text(channel_messages(fake)[-1])
        assert podium.index("🥇 **Ana**") < podium.index("🥈 **Ben**")
        assert podium.index("🥈 **Ben**") < podium.index("🥉 **Cy**")
        assert "Dee" not in podium and "3 took part · 2 questions" in podium
        assert "` 1.` Ana · " in podium and "2/2 right" in podium
        await fake.wait_until(lambda: len(fake.dms_with(fake.admin)) == 1)
        report = fake.dms_with(fake.admin)[0].content
        assert "67% right: What is the capital of Australia?" in report
        assert "67% right: At how many degrees" in report

        rnd = (await bot.services.storage.rounds.recent_in_guild(fake.guild.id))[0]
        answers = await bot.services.storage.rounds.answers(rnd.id)
        stored = {(a.user_id, a.answer): a for a in answers}
        assert len(stored) == 6  # the refused, double and late answers left out
        right = stored[(ana.id, "canberra!")]
        assert right.correct and right.points == speed_points(right.seconds, SECONDS) >= 990
        typo = stored[(ben.id, "Canbera")]
        assert typo.correct and 5 <= typo.seconds < 6 and 850 < typo.points <= 875
        assert not stored[(cy.id, "Sydney")].correct and stored[(cy.id, "Sydney")].points == 0
        assert not stored[(ben.id, "7/2")].correct

        results = await fake.slash("round results", {}, fake.admin)
        await fake.wait_response(results)
        table = list(csv.reader(io.StringIO(fake.original(results).attachments[0].data.decode())))
        rows = {(r[0], r[1]): r for r in table[1:]}
        assert len(table) == 1 + 3 * 2
        assert rows[("Ana", "short")][2:4] == ["canberra!", "yes"]
        assert rows[("Ben", "short")][2:4] == ["Canbera", "yes"]
        assert rows[("Cy", "short")][2:4] == ["Sydney", "no"]
        assert rows[("Ben", "number")][2:4] == ["7/2", "no"]
        assert rows[("Cy", "number")][2:4] == ["100.5", "yes"]
        assert rows[("Ben", "number")][5] == "0" and int(rows[("Cy", "number")][5]) > 500

        exported = await bot.services.storage.data_rights.export_user(cy.id)
        ratings = {
            r["question_id"]: r["rating"]
            for r in exported["memory_reviews"]
            if r["topic_id"] == TYPED_TOPIC and r["source"] == "round"
        }
        assert ratings == {"short": 1, "number": 3}  # Again when wrong, Good when right
    assert fake.rejections == []


async def test_a_typed_answer_is_never_self_assessed(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """A forged Got it on a revealed typed question changes nothing: its answers were judged
    when they were typed."""
    fake = fake_discord
    ana = fake.add_member(fake.guild, "ana")
    async with start_bot(content_dir=write_typed_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TYPED_TOPIC, "questions": 1, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        message = channel_messages(fake)[0]
        wrong = "Perth" if typed_kind(message) == "short" else "12"
        assert await type_answer(fake, message, wrong, ana) == LOCKED
        await tick(bot, clock, AFTER_DEADLINE)
        await fake.wait_until(lambda: is_typed_revealed(fake, message))
        rnd = (await bot.services.storage.rounds.recent_in_guild(fake.guild.id))[0]
        before = await bot.services.storage.rounds.answers(rnd.id)
        assess = make(render.FEATURE, "assess", rnd.id, 0, "got_it")
        forged = await fake.click(message, assess, ana, forged=True)
        assert (await fake.wait_response(forged)).ephemeral
        assert await bot.services.storage.rounds.answers(rnd.id) == before
    assert fake.rejections == []


def _fits(rendered: Rendered) -> None:
    body = {
        "content": rendered.content,
        "embeds": [e.to_dict() for e in rendered.embeds],
        "components": rendered.view.to_components(),
    }
    errors = check_message(body)
    assert not errors, errors


def _longest(kind: m.QuestionType) -> Question:
    fields: dict[str, object] = {
        "id": "q" * m.MAX_ID,
        "type": kind,
        "prompt": "p*_" * (m.MAX_PROMPT // 3),
        "explanation": "e" * m.MAX_EXPLANATION,
    }
    if kind is m.QuestionType.SHORT_ANSWER:
        fields["answers"] = [f"{i:02d}" + "a" * (m.MAX_ACCEPTED_ANSWER - 2) for i in range(20)]
    else:
        fields["answer"] = "-" + "1" * 29 + ".0000000001"
        fields["tolerance"] = 0.123456789
    return Question.model_validate(fields)


def test_typed_question_and_reveal_fit_at_the_longest() -> None:
    names = dict.fromkeys(range(3), "_*" * 16)  # 32 characters, each escaped
    for kind in (m.QuestionType.SHORT_ANSWER, m.QuestionType.NUMERIC):
        question = _longest(kind)
        asked = RoundQuestion(
            question.id, kind, (), question.answer_text(), NOW, NOW, key=typed_key(question)
        )
        view = QuestionView(2**62, 2**62, 2**62, "T" * m.MAX_TITLE, 49, 50, 50, asked, question)
        _fits(render.question_message(view))
        fastest = tuple(round_results.Fastest(i, 299.95) for i in range(3))
        wrong = tuple(round_results.WrongAnswer("_*@" * 70, 10**6) for _ in range(3))
        reveal = round_results.Reveal(
            question.id,
            kind,
            asked.correct,
            10**6,
            (),
            fastest,
            right=10**6 - 1,
            common_wrong=wrong,
        )
        for last in (True, False):
            shown = render.reveal_message(RevealView(view, reveal, 1, last, None), names)
            _fits(shown)
            assert "Expected:" in str(shown.embeds[1].description)


async def test_a_reload_mid_question_does_not_change_how_typed_answers_are_judged(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """The round judges by the key it snapshot when it opened the question: an author who
    changes the accepted answers (or the number) mid-question changes nothing for this round."""
    fake = fake_discord
    ana, ben = fake.add_member(fake.guild, "ana"), fake.add_member(fake.guild, "ben")
    content = write_typed_course(tmp_path / "content")
    async with start_bot(content_dir=content) as bot:
        started = await fake.slash(
            "round start", {"topic": TYPED_TOPIC, "questions": 1, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        message = channel_messages(fake)[0]
        short = typed_kind(message) == "short"
        assert await type_answer(fake, message, "Canberra" if short else "100", ana) == LOCKED
        path = content / f"{TYPED_TOPIC}.yaml"
        changed = path.read_text().replace('"Canberra", "Canberra ACT"', '"Sydney"')
        path.write_text(changed.replace("answer: 100", "answer: 12"))
        assert "Reloaded" in await reply(
            fake, await fake.slash("tutoradmin reload", {}, fake.admin)
        )
        assert await type_answer(fake, message, "Sydney" if short else "12", ben) == LOCKED
        await tick(bot, clock, AFTER_DEADLINE)
        await fake.wait_until(lambda: is_typed_revealed(fake, message))
        revealed = message_text(fake.messages[message.id])
        assert "**1 of 2 answers right**" in revealed
        assert ("**Expected:** Canberra" if short else "**Expected:** 100 (± 0.5)") in revealed
        rnd = (await bot.services.storage.rounds.recent_in_guild(fake.guild.id))[0]
        verdicts = {a.user_id: a.correct for a in await bot.services.storage.rounds.answers(rnd.id)}
        assert verdicts == {ana.id: True, ben.id: False}
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        podium = message_text(channel_messages(fake)[-1])
        assert "🥇 **Ana**" in podium and "🥈 **Ben** · 0 points" in podium
    assert fake.rejections == []


async def test_typed_forms_refuse_nothing_and_clip_the_overlong(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """Spaces only are no answer (nothing recorded, type again); a form forged past the modal's
    limit is judged on its first 200 characters (stored so for a short answer; too long to be
    a number for a numeric one)."""
    fake = fake_discord
    ana, ben = fake.add_member(fake.guild, "ana"), fake.add_member(fake.guild, "ben")
    async with start_bot(content_dir=write_typed_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TYPED_TOPIC, "questions": 1, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        message = channel_messages(fake)[0]
        assert await type_answer(fake, message, "   ", ana) == "Type an answer first."
        rnd = (await bot.services.storage.rounds.recent_in_guild(fake.guild.id))[0]
        assert await bot.services.storage.rounds.answers(rnd.id) == []
        form = make(render.FEATURE, "written", rnd.id, 0)
        sent = await fake.modal_submit(form, {"answer": "9" * 5000}, ben, forged=True)
        if typed_kind(message) == "short":
            assert await reply(fake, sent) == LOCKED
            (stored,) = await bot.services.storage.rounds.answers(rnd.id)
            assert stored.answer == "9" * typed_answers.MAX_TYPED_ANSWER and not stored.correct
        else:  # 200 digits are past the longest number read (100 characters)
            assert await reply(fake, sent) == typed_answers.NotANumber().text
            assert await bot.services.storage.rounds.answers(rnd.id) == []
        right = "Canberra" if typed_kind(message) == "short" else "100"
        assert await type_answer(fake, message, right, ana) == LOCKED  # typed again, counted
    assert fake.rejections == []


async def test_the_reveal_shows_wrong_answers_several_typed_escaped(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """A wrong answer two students typed is shown (the same once normalised, or the same
    number), most common first, escaped; one student's wrong answer is never repeated."""
    fake = fake_discord
    names = ("ana", "ben", "cy", "dee", "eve", "fay")
    students = [fake.add_member(fake.guild, n) for n in names]
    async with start_bot(content_dir=write_typed_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TYPED_TOPIC, "questions": 1, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        message = channel_messages(fake)[0]
        short = typed_kind(message) == "short"
        if short:
            typed = ("Sydney", "sydney!", "@everyone *bold*", "@everyone *bold*", "Perth", "x")
        else:
            typed = ("12", "12,0", "7/2", "3.5", "99", "100")
        for student, text in zip(students, typed, strict=True):
            assert await type_answer(fake, message, text, student) == LOCKED
        await tick(bot, clock, AFTER_DEADLINE)
        await fake.wait_until(lambda: is_typed_revealed(fake, message))
        revealed = message_text(fake.messages[message.id])
        line = next(x for x in revealed.splitlines() if x.startswith("**Common wrong answers:**"))
        if short:
            assert line == (
                "**Common wrong answers:** “Sydney” ×2, “@\u200beveryone \\*bold\\*” ×2"
            )
        else:
            assert line == "**Common wrong answers:** “12” ×2, “3.5” ×2"
        assert "Perth" not in revealed and "99" not in revealed
    assert fake.rejections == []
