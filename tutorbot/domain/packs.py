"""Server packs: a server's own question banks, as pure rules.

A pack is the topics one uploaded file made, stored for one server under a name taken from the
file's name (re-importing a file of that name replaces the pack). Its topics live beside the
bundled course in that server only, so their ids must never meet another server's or the
course's: each is prefixed with `p` and twelve hex digits of a hash of the server and the pack
name (`p3f9a0c12be07-capitals-of-europe`). The prefix is the same on every import of the same
pack in the same server, so question ids, and the answers and reviews that name them, stay put
when a pack is replaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tutorbot.content.banks.build import slug, unique
from tutorbot.content.models import MAX_ID, PACK_ID_DIGITS, PACK_TOPIC_ID, Topic
from tutorbot.domain.refusals import Refusal

MAX_PACK_NAME = 40
"""Characters of a pack's name (a slug of the file's name)."""


@dataclass(frozen=True, slots=True)
class PackLimits:
    """What one server may hold in all its packs (settings `TUTORBOT_SERVER_MAX_*`)."""

    packs: int = 20
    topics: int = 200
    questions: int = 5000


@dataclass(frozen=True, slots=True)
class PackTotals:
    """What a server holds in its packs now."""

    packs: int = 0
    topics: int = 0
    questions: int = 0


def pack_name(file_name: str) -> str:
    """A pack's name from its file's name: the slug of the stem ("World capitals.gift" gives
    "world-capitals"), at most MAX_PACK_NAME characters; "pack" when nothing is left."""
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] if "." in file_name else file_name
    return slug(stem, MAX_PACK_NAME) or "pack"


def id_prefix(guild_id: int, name: str) -> str:
    """The prefix of every topic id of the pack `name` in this server: `p` and twelve hex
    digits, the same on every import."""
    digest = hashlib.sha256(f"{guild_id}/{name}".encode()).hexdigest()
    return f"p{digest[:PACK_ID_DIGITS]}-"


def is_pack_topic(topic_id: str) -> bool:
    """Whether a topic id is a pack's (see id_prefix)."""
    return PACK_TOPIC_ID.match(topic_id) is not None


@dataclass(frozen=True, slots=True)
class Placed:
    """A pack's topics with their server-wide ids, and the prerequisites left out (named by
    topic title and prerequisite id), which were neither in the pack nor in the course."""

    topics: tuple[Topic, ...]
    dropped: tuple[tuple[str, str], ...] = ()


def place_topics(topics: Iterable[Topic], prefix: str, course: Mapping[str, Topic]) -> Placed:
    """A pack's topics with ids under `prefix` (each topic's own id made unique in the room
    left) and prerequisites mapped: another topic of the pack by its new id, a topic of the
    course as it is; any other prerequisite is dropped and reported."""
    listed = list(topics)
    used: set[str] = set()
    new_ids = {t.id: unique(prefix + slug(t.id, MAX_ID - len(prefix)), used) for t in listed}
    placed: list[Topic] = []
    dropped: list[tuple[str, str]] = []
    for topic in listed:
        kept: list[str] = []
        for prerequisite in topic.prerequisites:
            mapped = new_ids.get(prerequisite) or (prerequisite if prerequisite in course else None)
            if mapped is None:
                dropped.append((topic.title, prerequisite))
            elif mapped not in kept:
                kept.append(mapped)
        update = {"id": new_ids[topic.id], "prerequisites": tuple(kept)}
        placed.append(topic.model_copy(update=update))
    return Placed(tuple(placed), tuple(dropped))


def question_keys(topics: Iterable[Topic]) -> set[tuple[str, str]]:
    """Every (topic id, question id) of some topics: what answers and reviews refer to."""
    return {(t.id, q.id) for t in topics for q in t.questions}


class PackRefused(Refusal):
    """A pack that cannot be imported, removed or exported; `text` says why."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    @property
    def text(self) -> str:
        """What the instructor is told."""
        return self._text


def over_limits(
    totals: PackTotals, replaced: PackTotals, adding: PackTotals, limits: PackLimits
) -> PackRefused | None:
    """Why a server cannot take a pack (`adding`, in place of `replaced`, beside `totals`), or
    None when it fits the server's limits."""
    after = PackTotals(
        totals.packs - replaced.packs + adding.packs,
        totals.topics - replaced.topics + adding.topics,
        totals.questions - replaced.questions + adding.questions,
    )
    for count, limit, what, setting in (
        (after.packs, limits.packs, "packs", "TUTORBOT_SERVER_MAX_PACKS"),
        (after.topics, limits.topics, "pack topics", "TUTORBOT_SERVER_MAX_PACK_TOPICS"),
        (after.questions, limits.questions, "pack questions", "TUTORBOT_SERVER_MAX_PACK_QUESTIONS"),
    ):
        if count > limit:
            return PackRefused(
                f"This server would hold {count:,} {what}; it may hold {limit:,} (the bot's "
                f"admin sets {setting}). Remove a pack with /pack remove, or import a smaller "
                "file."
            )
    return None
