"""Server packs' pure rules: names, ids unique to a server that stay put, prerequisites placed
into the course, server limits."""

from __future__ import annotations

from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain.packs import (
    PackLimits,
    PackTotals,
    id_prefix,
    is_pack_topic,
    over_limits,
    pack_name,
    place_topics,
)


def _topic(topic_id: str, *prerequisites: str) -> Topic:
    question = Question(
        id="q", type=QuestionType.TRUE_FALSE, prompt="Yes?", answer=True, explanation="Yes."
    )
    return Topic(
        id=topic_id,
        title=topic_id.title(),
        core_idea="Idea.",
        prerequisites=prerequisites,
        questions=(question,),
    )


def test_a_pack_is_named_after_its_file() -> None:
    assert pack_name("World Capitals (2024).gift") == "world-capitals-2024"
    assert pack_name("deck.apkg") == "deck"
    assert pack_name("日本.txt") == "pack"
    assert len(pack_name("x" * 300 + ".txt")) <= 40


def test_ids_are_unique_to_a_server_and_a_pack_and_stay_put() -> None:
    assert id_prefix(1, "capitals") == id_prefix(1, "capitals")
    assert id_prefix(1, "capitals") != id_prefix(2, "capitals")
    assert id_prefix(1, "capitals") != id_prefix(1, "rivers")
    assert is_pack_topic(id_prefix(1, "capitals") + "europe")
    assert not is_pack_topic("counting-to-five") and not is_pack_topic("pxyz-a")


def test_prerequisites_go_to_the_pack_or_the_course_or_are_dropped() -> None:
    prefix = id_prefix(1, "p")
    placed = place_topics(
        [_topic("basics"), _topic("advanced", "basics", "counting-to-five", "nowhere")],
        prefix,
        {"counting-to-five": _topic("counting-to-five")},
    )
    basics, advanced = placed.topics
    assert basics.id == prefix + "basics"
    assert advanced.prerequisites == (prefix + "basics", "counting-to-five")
    assert placed.dropped == (("Advanced", "nowhere"),)
    assert all(len(t.id) <= 64 for t in place_topics([_topic("a" * 64)], prefix, {}).topics)


def test_limits_count_what_a_replaced_pack_gives_back() -> None:
    limits = PackLimits(packs=2, topics=10, questions=100)
    now = PackTotals(2, 8, 90)
    assert over_limits(now, PackTotals(1, 4, 50), PackTotals(1, 6, 60), limits) is None
    refused = over_limits(now, PackTotals(), PackTotals(1, 1, 1), limits)
    assert refused is not None and refused.text.startswith("This server would hold 3 packs")
