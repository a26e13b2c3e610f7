"""Server packs through their service on a real database: what a preview stores (nothing), what
an import stores, which server sees which topics, a replaced pack's ids, a removed pack, the
server's limits, and two processes on one database (issue 18)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.domain.packs import PackLimits, PackRefused, id_prefix, is_pack_topic
from tutorbot.guild_scope import in_guild
from tutorbot.services import Services
from tutorbot.services.packs import EXPIRED, NOT_INSTRUCTOR, PackInfo, PackPreview
from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage import open_storage

from .conftest import Clock

GUILD, OTHER_GUILD, STUDENT = 100, 200, 7
GIFT = b"""$CATEGORY: $course$/top/Capitals

::paris::The capital of France? {=Paris ~Lyon ~Nice}

::rome::Rome is the capital of Italy. {T}

::madrid::The capital of Spain? {=Madrid}

::match::Match. {=a -> b =c -> d}
"""


@pytest.fixture(scope="module")
def course() -> Library:
    return load_library(BUNDLED_CONTENT_DIR)


@pytest.fixture
async def services(course: Library, db_path: Path, clock: Clock) -> AsyncIterator[Services]:
    storage = await open_storage(db_path)
    opened = Services(course, storage, clock)
    await opened.packs.start()
    try:
        yield opened
    finally:
        await opened.packs.stop()
        await storage.close()


async def _preview(
    services: Services, data: bytes = GIFT, name: str = "capitals.gift"
) -> PackPreview:
    preview = await services.packs.preview(GUILD, True, name, data)
    assert isinstance(preview, PackPreview), preview
    return preview


async def _stored(services: Services) -> int:
    rows = await services.storage.db.fetchall("SELECT COUNT(*) FROM packs")
    return int(rows[0][0])


async def test_a_preview_stores_nothing_and_an_import_serves_the_pack_in_its_server_only(
    services: Services,
) -> None:
    preview = await _preview(services)
    assert preview.name == "capitals" and preview.format_label == "Moodle GIFT"
    assert [t.title for t in preview.topics] == ["Capitals"]
    assert [q.id for q in preview.topics[0].questions] == ["paris", "rome", "madrid"]
    assert [p.where for p in preview.problems] == ["line 9"]
    topic_id = preview.topics[0].id
    assert topic_id == id_prefix(GUILD, "capitals") + "capitals" and is_pack_topic(topic_id)
    assert await _stored(services) == 0
    assert services.packs.library_for(GUILD).get(topic_id) is None

    info = await services.packs.confirm(GUILD, True, preview.preview_id)
    assert isinstance(info, PackInfo)
    assert (info.name, info.topic_count, info.question_count) == ("capitals", 1, 3)
    assert await _stored(services) == 1
    assert services.packs.library_for(GUILD).get(topic_id) is not None
    assert services.packs.library_for(OTHER_GUILD).get(topic_id) is None
    assert services.packs.library_for(None).get(topic_id) is None
    with in_guild(GUILD):
        assert services.library.get(topic_id) is not None
        assert len(services.library) == len(services.bundled) + 1
    with in_guild(OTHER_GUILD):
        assert services.library.get(topic_id) is None
    assert await services.packs.confirm(GUILD, True, preview.preview_id) is EXPIRED


async def test_students_are_refused_and_previews_expire_and_stay_in_their_server(
    services: Services, clock: Clock
) -> None:
    assert await services.packs.preview(GUILD, False, "capitals.gift", GIFT) is NOT_INSTRUCTOR
    preview = await _preview(services)
    assert await services.packs.confirm(GUILD, False, preview.preview_id) is NOT_INSTRUCTOR
    assert await services.packs.confirm(OTHER_GUILD, True, preview.preview_id) is EXPIRED
    clock.now += timedelta(minutes=16)
    assert await services.packs.confirm(GUILD, True, preview.preview_id) is EXPIRED
    assert await services.packs.remove(GUILD, False, "capitals") is NOT_INSTRUCTOR
    assert await _stored(services) == 0


async def test_a_file_that_cannot_be_imported_is_refused_with_the_reason(
    services: Services,
) -> None:
    refused = await services.packs.preview(GUILD, True, "noise.gift", b"\xff\xfe\x00garbage")
    assert isinstance(refused, PackRefused)
    assert refused.text.startswith("noise.gift cannot be imported: ")
    assert refused.text.endswith("Nothing was stored.")


async def test_reimporting_replaces_the_pack_and_keeps_the_ids_of_unchanged_questions(
    services: Services,
) -> None:
    first = await _preview(services)
    await services.packs.confirm(GUILD, True, first.preview_id)
    changed = GIFT.replace(b"::madrid::The capital of Spain?", b"::madrid2::The capital of Spain?")
    second = await _preview(services, changed)
    assert second.replaces is not None and second.replaces.question_count == 3
    assert second.kept_questions == 2
    assert second.topics[0].id == first.topics[0].id
    await services.packs.confirm(GUILD, True, second.preview_id)
    assert await _stored(services) == 1
    topic = services.packs.library_for(GUILD).get(first.topics[0].id)
    assert topic is not None and [q.id for q in topic.questions] == ["paris", "rome", "madrid2"]


async def test_removing_a_pack_takes_its_topics_out_of_the_server(services: Services) -> None:
    preview = await _preview(services)
    await services.packs.confirm(GUILD, True, preview.preview_id)
    removed = await services.packs.remove(GUILD, True, "capitals")
    assert isinstance(removed, PackInfo) and removed.name == "capitals"
    assert services.packs.library_for(GUILD).get(preview.topics[0].id) is None
    assert services.packs.names(GUILD) == []
    again = await services.packs.remove(GUILD, True, "capitals")
    assert isinstance(again, PackRefused) and "no pack named 'capitals'" in again.text


async def test_the_server_limits_hold(services: Services) -> None:
    services.packs.limits = PackLimits(packs=1, topics=5, questions=3)
    preview = await _preview(services)
    await services.packs.confirm(GUILD, True, preview.preview_id)
    second = await services.packs.preview(GUILD, True, "more.gift", GIFT)
    assert isinstance(second, PackRefused)
    assert second.text.startswith("This server would hold 2 packs; it may hold 1")
    assert "TUTORBOT_SERVER_MAX_PACKS" in second.text
    replacing = await services.packs.preview(GUILD, True, "capitals.gift", GIFT)
    assert isinstance(replacing, PackPreview)
    bigger = GIFT + b"\n::berlin::The capital of Germany? {=Berlin}\n"
    refused = await services.packs.preview(GUILD, True, "capitals.gift", bigger)
    assert isinstance(refused, PackRefused) and "4 pack questions; it may hold 3" in refused.text


async def test_prerequisites_into_the_course_are_kept_and_others_dropped(
    services: Services,
) -> None:
    topic = (
        "id: counting-on\n"
        "title: Counting On\n"
        "prerequisites: [counting-to-five, not-a-topic]\n"
        "core_idea: Count on from the bigger number.\n"
        "questions:\n"
        "  - id: five-and-two\n"
        "    type: numeric\n"
        "    prompt: Count on from 5 by 2.\n"
        "    answer: 7\n"
        "    check: 5 + 2\n"
        "    explanation: Five, six, seven.\n"
    )
    preview = await _preview(services, topic.encode(), "counting.yaml")
    assert preview.format_label == "TutorBot topic files"
    (placed,) = preview.topics
    assert placed.prerequisites == ("counting-to-five",)
    assert preview.dropped_prerequisites == (("Counting On", "not-a-topic"),)
    await services.packs.confirm(GUILD, True, preview.preview_id)
    library = services.packs.library_for(GUILD)
    assert placed.id in library.graph.leads_to("counting-to-five")
    assert "counting-to-five" in library.graph.ancestors(placed.id)


async def test_a_pack_imported_through_one_process_is_served_by_another(
    course: Library, db_path: Path, clock: Clock, services: Services
) -> None:
    other_storage = await open_storage(db_path)
    other = Services(course, other_storage, clock)
    await other.packs.start()
    try:
        preview = await _preview(services)
        await services.packs.confirm(GUILD, True, preview.preview_id)
        topic_id = preview.topics[0].id
        assert other.packs.library_for(GUILD).get(topic_id) is None
        await other.packs.catch_up()
        assert other.packs.library_for(GUILD).get(topic_id) is not None
        assert other.packs.names(GUILD) == ["capitals"]
        await other.packs.remove(GUILD, True, "capitals")
        await services.packs.catch_up()
        assert services.packs.library_for(GUILD).get(topic_id) is None
    finally:
        await other.packs.stop()
        await other_storage.close()


async def test_a_restarted_process_loads_the_stored_packs(
    course: Library, db_path: Path, clock: Clock, services: Services
) -> None:
    preview = await _preview(services)
    await services.packs.confirm(GUILD, True, preview.preview_id)
    storage = await open_storage(db_path)
    restarted = Services(course, storage, clock)
    await restarted.packs.start()
    try:
        assert restarted.packs.library_for(GUILD).get(preview.topics[0].id) is not None
        exported = await restarted.packs.export(GUILD, True, "capitals", "gift")
        assert isinstance(exported, tuple)
        name, data = exported
        assert name == "capitals.gift" and b"::paris::" in data
    finally:
        await restarted.packs.stop()
        await storage.close()


async def test_a_sharded_process_holds_only_its_own_servers_packs(
    course: Library, db_path: Path, clock: Clock, services: Services
) -> None:
    preview = await _preview(services)
    await services.packs.confirm(GUILD, True, preview.preview_id)
    storage = await open_storage(db_path)
    other = Services(course, storage, clock)
    other.owns_guild = lambda guild_id: guild_id != GUILD
    await other.packs.start()
    try:
        assert other.packs.library_for(GUILD).get(preview.topics[0].id) is None
        again = await _preview(services, GIFT.replace(b"::rome::", b"::roma::"))
        await services.packs.confirm(GUILD, True, again.preview_id)
        await other.packs.catch_up()
        assert other.packs.names(GUILD) == []
    finally:
        await other.packs.stop()
        await storage.close()
