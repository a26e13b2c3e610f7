"""Server packs: instructors' own question banks, imported in Discord, served in their server.

`preview` reads an upload with the importers (`content/banks`), off the event loop, and holds
the result in memory for `PREVIEW_MINUTES` without storing anything; `confirm` stores it. Each
server with packs has a library of its own, the bundled course and its packs' topics, built
when its packs change; `library_for` returns it (the bundled library for every other server).
Every process on the database polls the packs' revision every `POLL_SECONDS` and rebuilds the
libraries of the servers whose packs changed, so a pack imported through one process is served
by all of them without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import graphlib
import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tutorbot.content.banks.draft import ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import EXPORT_FORMATS, export_topics, format_named
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import ImportLimits
from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.library import Library
from tutorbot.content.models import Topic
from tutorbot.domain.packs import (
    PackLimits,
    PackRefused,
    PackTotals,
    id_prefix,
    over_limits,
    pack_name,
    place_topics,
    question_keys,
)
from tutorbot.domain.refusals import Refusal
from tutorbot.storage.packs import PackSummary

if TYPE_CHECKING:
    from tutorbot.services import Services
    from tutorbot.settings import Settings

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
"""How often a process looks for packs changed through another process."""
PREVIEW_MINUTES = 15
"""How long a preview's Import button works."""
PREVIEW_ID_BITS = 62
"""Previews are numbered at random, so an Import button from before a restart never names a
preview made after it."""
MAX_PREVIEWS = 50
"""Previews held at once in a process; the oldest is dropped past this."""
PACK_SOURCE_DIR = Path("packs")
"""Where a pack topic's file would be, as `Library.source` reports it."""

NOT_INSTRUCTOR = PackRefused(
    "Only instructors can manage this server's packs: that takes the Manage Server permission "
    "or this server's instructor role (see /tutoradmin settings)."
)
EXPIRED = PackRefused(
    "This preview has expired or was already imported. Run /pack import again to upload the file."
)


@dataclass(frozen=True, slots=True)
class PackInfo:
    """A stored pack, as /pack list shows it."""

    name: str
    source: str
    format_label: str
    topic_count: int
    question_count: int
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class PackPreview:
    """What an upload would become, before anything is stored.

    `replaces` is the server's pack of the same name, which importing replaces; `kept_questions`
    how many of its questions are still there (their answers and reviews keep counting).
    `dropped_prerequisites` lists (topic title, prerequisite id) left out because neither the
    pack nor the course has them."""

    preview_id: int
    guild_id: int
    name: str
    source: str
    format_name: str
    format_label: str
    topics: tuple[Topic, ...]
    problems: tuple[Problem, ...]
    replaces: PackInfo | None
    kept_questions: int
    dropped_prerequisites: tuple[tuple[str, str], ...]
    made_at: datetime

    @property
    def question_count(self) -> int:
        """Questions in all the preview's topics."""
        return sum(len(topic.questions) for topic in self.topics)


@dataclass(frozen=True, slots=True)
class _Pack:
    summary: PackSummary
    topics: tuple[Topic, ...]


def _info(summary: PackSummary) -> PackInfo:
    try:
        label = format_named(summary.format).label
    except ImportRefused:
        label = summary.format
    return PackInfo(
        summary.name,
        summary.source,
        label,
        summary.topic_count,
        summary.question_count,
        summary.imported_at,
    )


def topics_json(topics: Sequence[Topic]) -> str:
    """A pack's topics as stored."""
    return json.dumps([topic.model_dump(mode="json", exclude_none=True) for topic in topics])


def topics_of(text: str) -> tuple[Topic, ...]:
    """A stored pack's topics, validated again."""
    return tuple(Topic.model_validate(data) for data in json.loads(text))


def merged_library(course: Library, packs: Sequence[_Pack]) -> Library:
    """The course with the packs' topics beside it. A pack topic whose id the course has, or a
    prerequisite no longer in either (the course was reloaded), is left out."""
    topics: dict[str, Topic] = dict(course.topics)
    sources: dict[str, Path] = {tid: course.source(tid) for tid in topics}
    for pack in packs:
        for topic in pack.topics:
            if topic.id in topics:
                log.warning("pack %r topic %r has a course topic's id", pack.summary.name, topic.id)
                continue
            topics[topic.id] = topic
            sources[topic.id] = PACK_SOURCE_DIR / pack.summary.name / f"{topic.id}.yaml"
    for tid, topic in topics.items():
        if any(p not in topics for p in topic.prerequisites):
            kept = tuple(p for p in topic.prerequisites if p in topics)
            topics[tid] = topic.model_copy(update={"prerequisites": kept})
    return Library(course.root, topics, sources)


class PackService:
    """Every server's packs: held previews, stored packs, and each server's library."""

    def __init__(self, services: Services) -> None:
        self._s = services
        self.limits = PackLimits()
        self.import_limits = ImportLimits()
        self._packs: dict[int, dict[str, _Pack]] = {}
        self._libraries: dict[int, Library] = {}
        self._seen: dict[int, int] = {}
        self._borrowed: set[int] = set()
        """Servers of other processes' shards whose packs this process holds because it runs
        some of their work (a timer taken over from a dead process), kept up to date."""
        self._revision = 0
        self._previews: OrderedDict[int, PackPreview] = OrderedDict()
        self._poller: asyncio.Task[None] | None = None
        self._refreshing = asyncio.Lock()

    def configure(self, settings: Settings) -> None:
        """Take the limits an admin set (TUTORBOT_SERVER_MAX_*, TUTORBOT_IMPORT_MAX_*)."""
        self.limits = PackLimits(
            settings.server_max_packs,
            settings.server_max_pack_topics,
            settings.server_max_pack_questions,
        )
        self.import_limits = ImportLimits.of(settings)

    # Libraries -----------------------------------------------------------------------------

    def library_for(self, guild_id: int | None) -> Library:
        """The server's library: the course and its packs (the course alone without packs)."""
        if guild_id is None:
            return self._s.bundled
        return self._libraries.get(guild_id, self._s.bundled)

    async def hold(self, guild_id: int) -> None:
        """Make sure this process holds the server's packs before it runs work for it: a
        server of this process's shards has them already; another's (a timer taken over from
        a dead process) are read now, once, and then kept up to date like its own."""
        if self._s.owns_guild(guild_id) or guild_id in self._borrowed:
            return
        await self._refresh(guild_id, self._revision)
        self._borrowed.add(guild_id)

    def names(self, guild_id: int) -> list[str]:
        """The server's pack names, for autocomplete."""
        return sorted(self._packs.get(guild_id, {}))

    async def start(self) -> None:
        """Load every server's packs, then look for changes from other processes."""
        self._revision = await self._s.storage.packs.revision()
        for guild_id in await self._s.storage.packs.guilds():
            if self._s.owns_guild(guild_id):
                await self._refresh(guild_id, self._revision)
        self._poller = asyncio.create_task(self._poll(), name="tutorbot-packs")

    async def stop(self) -> None:
        """Stop looking for changes."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.catch_up()
            except Exception:  # a lost database is reported by the click that needs it
                log.exception("looking for changed packs failed")

    async def catch_up(self) -> None:
        """Rebuild the libraries of the servers whose packs changed since last looked (through
        any process)."""
        for guild_id, revision in await self._s.storage.packs.changed_since(self._revision):
            held = self._s.owns_guild(guild_id) or guild_id in self._borrowed
            if self._seen.get(guild_id, 0) < revision and held:
                await self._refresh(guild_id, revision)
            self._revision = max(self._revision, revision)

    async def _refresh(self, guild_id: int, revision: int) -> None:
        """Read the server's packs again and rebuild its library."""
        async with self._refreshing:
            stored = await self._s.storage.packs.of_guild(guild_id)
            packs = {p.summary.name: _Pack(p.summary, topics_of(p.topics)) for p in stored}
            await self._install(guild_id, packs)
            self._seen[guild_id] = max(self._seen.get(guild_id, 0), revision)

    async def _install(self, guild_id: int, packs: dict[str, _Pack]) -> None:
        if not packs:
            self._packs.pop(guild_id, None)
            self._libraries.pop(guild_id, None)
            return
        course = self._s.bundled
        library = await asyncio.to_thread(merged_library, course, list(packs.values()))
        self._packs[guild_id] = packs
        self._libraries[guild_id] = library

    async def rebuild_all(self) -> None:
        """Rebuild every server's library over a reloaded course."""
        for guild_id, packs in list(self._packs.items()):
            await self._install(guild_id, packs)

    # Import --------------------------------------------------------------------------------

    @property
    def max_upload_bytes(self) -> int:
        """The largest file an upload may be (TUTORBOT_IMPORT_MAX_FILE_MB)."""
        return self.import_limits.max_file_bytes

    async def preview(
        self,
        guild_id: int,
        is_instructor: bool,
        file_name: str,
        data: bytes,
        format_name: str | None = None,
    ) -> PackPreview | Refusal:
        """What the upload would become in this server, held for `confirm`; nothing stored.
        Refuses a student, a file that cannot be imported, and a pack past the server's
        limits."""
        if not is_instructor:
            return NOT_INSTRUCTOR
        upload = Upload(file_name, data, self.import_limits)
        try:
            imported = await asyncio.to_thread(import_upload, upload, format_name)
        except ImportRefused as exc:
            return PackRefused(f"{file_name} cannot be imported: {exc}. Nothing was stored.")
        name = pack_name(file_name)
        course = self._s.bundled.topics
        placed = place_topics(imported.topics, id_prefix(guild_id, name), course)
        cycle = _cycle(placed.topics)
        if cycle is not None:
            return PackRefused(
                f"{file_name} cannot be imported: its topics' prerequisites go round in a "
                f"circle ({cycle}). Nothing was stored."
            )
        old = self._packs.get(guild_id, {}).get(name)
        refused = over_limits(
            self._totals(guild_id),
            _totals_of(old),
            PackTotals(1, len(placed.topics), sum(len(t.questions) for t in placed.topics)),
            self.limits,
        )
        if refused is not None and placed.topics:
            return refused
        kept = question_keys(old.topics) & question_keys(placed.topics) if old else set()
        preview = PackPreview(
            secrets.randbits(PREVIEW_ID_BITS),
            guild_id,
            name,
            file_name,
            imported.format,
            format_named(imported.format).label,
            placed.topics,
            tuple(imported.problems),
            None if old is None else _info(old.summary),
            len(kept),
            placed.dropped,
            self._s.clock(),
        )
        if preview.topics:
            self._hold(preview)
        return preview

    def _hold(self, preview: PackPreview) -> None:
        self._previews[preview.preview_id] = preview
        while len(self._previews) > MAX_PREVIEWS:
            self._previews.popitem(last=False)

    def _totals(self, guild_id: int) -> PackTotals:
        packs = self._packs.get(guild_id, {}).values()
        return PackTotals(
            len(packs),
            sum(p.summary.topic_count for p in packs),
            sum(p.summary.question_count for p in packs),
        )

    def discard(self, guild_id: int, preview_id: int) -> None:
        """Forget a held preview (Cancel), so its Import can do nothing."""
        preview = self._previews.get(preview_id)
        if preview is not None and preview.guild_id == guild_id:
            del self._previews[preview_id]

    async def confirm(
        self, guild_id: int, is_instructor: bool, preview_id: int
    ) -> PackInfo | Refusal:
        """Store a held preview as the server's pack (replacing the pack of its name). The
        preview is taken before anything is awaited, so two clicks store it once; it is held
        again when the server's limits refuse it."""
        if not is_instructor:
            return NOT_INSTRUCTOR
        preview = self._previews.get(preview_id)
        now = self._s.clock()
        if (
            preview is None
            or preview.guild_id != guild_id
            or now - preview.made_at > timedelta(minutes=PREVIEW_MINUTES)
        ):
            return EXPIRED
        del self._previews[preview_id]
        await self.catch_up()
        old = self._packs.get(guild_id, {}).get(preview.name)
        adding = PackTotals(1, len(preview.topics), preview.question_count)
        refused = over_limits(self._totals(guild_id), _totals_of(old), adding, self.limits)
        if refused is not None:
            self._hold(preview)
            return refused
        summary = PackSummary(
            guild_id,
            preview.name,
            preview.source,
            preview.format_name,
            len(preview.topics),
            preview.question_count,
            now,
        )
        revision = await self._s.storage.packs.save(summary, topics_json(preview.topics))
        await self._refresh(guild_id, revision)
        return _info(summary)

    # List, remove, export ---------------------------------------------------------------

    async def packs(self, guild_id: int) -> list[PackInfo]:
        """The server's packs, by name."""
        return [_info(s) for s in await self._s.storage.packs.summaries(guild_id)]

    async def info(self, guild_id: int, is_instructor: bool, name: str) -> PackInfo | Refusal:
        """One of the server's packs (for an instructor), or why not."""
        if not is_instructor:
            return NOT_INSTRUCTOR
        stored = await self._s.storage.packs.get(guild_id, name.strip())
        return _unknown(name) if stored is None else _info(stored.summary)

    async def remove(self, guild_id: int, is_instructor: bool, name: str) -> PackInfo | Refusal:
        """Delete the server's pack of this name. Students' past answers stay in their stats;
        its topics leave the server's progress and review with its library."""
        if not is_instructor:
            return NOT_INSTRUCTOR
        stored = await self._s.storage.packs.get(guild_id, name)
        if stored is None:
            return _unknown(name)
        revision = await self._s.storage.packs.remove(guild_id, name)
        if revision is None:
            return _unknown(name)
        await self._refresh(guild_id, revision)
        return _info(stored.summary)

    async def export(
        self, guild_id: int, is_instructor: bool, name: str, format_name: str = "gift"
    ) -> tuple[str, bytes] | Refusal:
        """The pack written as GIFT or Moodle XML: a file name and its bytes."""
        if not is_instructor:
            return NOT_INSTRUCTOR
        stored = await self._s.storage.packs.get(guild_id, name)
        if stored is None:
            return _unknown(name)
        suffix = EXPORT_FORMATS.get(format_name)
        if suffix is None:
            return PackRefused(f"Packs export as {' or '.join(EXPORT_FORMATS)}.")
        text = await asyncio.to_thread(export_topics, topics_of(stored.topics), format_name)
        return f"{name}{suffix}", text.encode()


def _totals_of(pack: _Pack | None) -> PackTotals:
    if pack is None:
        return PackTotals()
    return PackTotals(1, pack.summary.topic_count, pack.summary.question_count)


def _unknown(name: str) -> PackRefused:
    return PackRefused(f"This server has no pack named {name!r}. /pack list shows its packs.")


def _cycle(topics: Sequence[Topic]) -> str | None:
    """The first prerequisite cycle among a pack's topics, as "a -> b -> a", or None."""
    own: Mapping[str, Sequence[str]] = {t.id: t.prerequisites for t in topics}
    try:
        KnowledgeGraph(own)
    except graphlib.CycleError as exc:
        titles = {t.id: t.title for t in topics}
        return " -> ".join(titles.get(tid, tid) for tid in exc.args[1])
    return None
