"""The knowledge map as the front ends ask for it: read the student's state, lay the map out
(`tutorbot.domain.knowledge_map`) and draw it in the renderer's worker.

Both front ends call `student_layout` then `picture_of`; the bot attaches the picture, the
console writes it to a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutorbot.domain import knowledge_map as layout
from tutorbot.domain.days import day_end, zone_or_utc
from tutorbot.pictures.knowledge_map import draw_knowledge_map
from tutorbot.pictures.png import Picture

if TYPE_CHECKING:
    from tutorbot.services import Services

DUE_READ_LIMIT = 1000
"""Due cards read to find the topics due for review (the most overdue first)."""


async def student_state(services: Services, user_id: int) -> layout.StudentState:
    """What the map shows of the student: known, mastered, due for review today, the goal."""
    student = await services.progress.student(user_id)
    settings = await services.review.settings(user_id)
    until = day_end(services.clock(), zone_or_utc(settings.timezone))
    due, _ = await services.storage.memory.due_keys(user_id, until, DUE_READ_LIMIT)
    return layout.StudentState(
        known=student.known,
        mastered=student.mastered,
        due=frozenset(topic for topic, _ in due),
        goal=student.goal,
    )


async def student_layout(
    services: Services, user_id: int, around: str | None = None, page: int | None = None
) -> layout.KnowledgeMap | None:
    """A page of the student's map: around the topic `around` when given, else the way to
    their goal, else around the first topic ready to learn; None when there is nothing to draw
    (a topic no longer in content, or no goal and nothing left to learn). `page` None is the
    page where the student is."""
    library = services.library
    graph = library.graph
    state = await student_state(services, user_id)

    def title(topic_id: str) -> str:
        topic = library.get(topic_id)
        return topic.title if topic is not None else topic_id

    if around is not None:
        return layout.map_around(graph, around, state, title, page) if around in graph else None
    found = layout.goal_map(graph, state, title, page)
    if found is not None:
        return found
    start = next(iter(graph.ready(state.known)), None)
    return None if start is None else layout.map_around(graph, start, state, title, page)


async def picture_of(services: Services, knowledge_map: layout.KnowledgeMap) -> Picture:
    """The page drawn in the renderer's worker (or taken from its cache)."""
    return await services.pictures.render(draw_knowledge_map, knowledge_map)
