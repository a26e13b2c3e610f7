"""Every /pack renderer stays inside Discord's limits at the largest input: a 40-character pack
name, 200 topics, 1,000 problems of 300 characters, 200-character file names full of Markdown
and mentions, many packs. Checked with the fake Discord's own validator."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fakediscord.validation import check_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutorbot.bot.custom_ids import MAX_CUSTOM_ID
from tutorbot.bot.exts.packs import render
from tutorbot.content import models as m
from tutorbot.content.banks.draft import Problem
from tutorbot.content.models import Question, Topic
from tutorbot.domain.packs import MAX_PACK_NAME
from tutorbot.services.packs import PackInfo, PackPreview

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
"""What Discord would turn into a mention (the client allows none, and text escapes them)."""
ALPHABET = st.sampled_from("abcXYZ019 *_`~@#<>:|\\-.\nñ漢🙂")
HOSTILE_NAME = ("@everyone **bold** `code` <@123456789012345678> _x_ ~~s~~ |spoiler| " * 4)[:200]
NAME = "n" * MAX_PACK_NAME
LIMITED = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def text(size: int) -> st.SearchStrategy[str]:
    """Text of exactly `size` characters, plain or hostile."""
    return st.one_of(
        st.just("x" * size),
        st.just((HOSTILE_NAME * (size // len(HOSTILE_NAME) + 1))[:size]),
        st.text(ALPHABET, min_size=size, max_size=size).filter(lambda s: s.strip()),
    ).map(lambda s: "y" + s.strip()[: size - 2] + "y" if s.strip() != s else s)


def _questions() -> tuple[Question, ...]:
    """One question of every type."""
    made = []
    for i, kind in enumerate(m.QuestionType):
        fields: dict[str, Any] = {"id": f"q{i}", "type": kind, "prompt": "p?", "answer": "1"}
        fields["explanation"] = "e"
        if kind is m.QuestionType.MULTIPLE_CHOICE:
            fields |= {"choices": ["a", "b"], "answer": "A"}
        elif kind is m.QuestionType.TRUE_FALSE:
            fields["answer"] = True
        elif kind is m.QuestionType.SHORT_ANSWER:
            fields["answers"] = [fields.pop("answer")]
        made.append(Question.model_validate(fields))
    return tuple(made)


def body(message: render.PackMessage) -> dict[str, Any]:
    """The JSON discord.py would send for this message."""
    return {
        "content": message.content,
        "embeds": [message.embed.to_dict()] if message.embed else [],
        "components": message.view.to_components(),
    }


def assert_fits(message: render.PackMessage) -> None:
    errors = check_message(body(message))
    assert not errors, errors
    for row in message.view.to_components():
        for component in row["components"]:
            assert len(component["custom_id"]) <= MAX_CUSTOM_ID


def assert_text_fits(content: str) -> None:
    errors = check_message({"content": content})
    assert not errors, errors
    assert not MENTION.search(content), content


def info(source: str, name: str = NAME) -> PackInfo:
    return PackInfo(name, source, "Moodle GIFT" * 5, 10**6, 10**7, NOW)


@st.composite
def previews(draw: st.DrawFn) -> PackPreview:
    source = draw(text(200))
    questions = _questions()
    topics = tuple(
        Topic(id=f"t{i}", title=draw(text(m.MAX_TITLE)), core_idea="c", questions=questions)
        for i in range(draw(st.sampled_from([0, 1, 200])))
    )
    problem = draw(text(300))
    problems = tuple(
        Problem(f"line {i:,}", problem[: 300 - 6]) for i in range(draw(st.sampled_from([0, 1000])))
    )
    dropped = tuple((draw(text(m.MAX_TITLE)), "x" * m.MAX_ID) for _ in range(200))
    return PackPreview(
        preview_id=2**63 - 1,
        guild_id=1,
        name=NAME,
        source=source,
        format_name="gift",
        format_label="Moodle GIFT",
        topics=topics,
        problems=problems,
        replaces=draw(st.sampled_from([None, info(source)])),
        kept_questions=10**7,
        dropped_prerequisites=dropped,
        made_at=NOW,
    )


@LIMITED
@given(previews())
def test_every_preview_fits(preview: PackPreview) -> None:
    message = render.preview_message(preview)
    assert_fits(message)
    assert message.embed is not None
    assert not MENTION.search(str(message.embed.to_dict()))
    if preview.problems:
        names = [name for name, _ in message.files]
        assert names == [render.PROBLEMS_FILE]
        lines = message.files[0][1].decode().splitlines()
        assert len(lines) == 2 + len(preview.problems)


@LIMITED
@given(st.lists(text(200), min_size=0, max_size=100))
def test_the_pack_list_fits(sources: list[str]) -> None:
    packs = [info(source, f"{i}" + "n" * (MAX_PACK_NAME - 3)) for i, source in enumerate(sources)]
    message = render.list_message(packs)
    assert_fits(message)
    if len(packs) > 20:
        assert message.embed is not None and "more packs" in (message.embed.description or "")


@LIMITED
@given(text(200))
def test_confirm_and_outcomes_fit(source: str) -> None:
    pack = info(source)
    assert_fits(render.remove_confirm(pack))
    for content in (
        render.imported_text(pack),
        render.removed_text(pack),
        render.kept_text(NAME),
        render.too_big_text(source, "the file is 1,024 MB"),
        render.plain(source * 20),
        render.export_text(NAME, "Moodle XML"),
        render.export_too_big(10**9, 10 * 2**20),
    ):
        assert_text_fits(content)
