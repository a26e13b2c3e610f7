"""Tab completion for the interactive console: command names, then topics by id and title."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from tutorbot.content.library import Library
from tutorbot.domain.days import zones_containing

from .commands import (
    CARD_WORDS,
    OTHER_WORDS,
    QUIZ_WORDS,
    SLASH_COMMANDS,
    TOPIC_COMMANDS,
    ZONE_COMMAND,
)

TOPIC_CHOICES = 25
ZONE_CHOICES = 25


class ConsoleCompleter(Completer):
    """Completes `/com` to a command and `/topic que` to topic ids, showing their titles.

    The library is read through a callable so a content reload would be seen at once.
    """

    def __init__(self, library: Callable[[], Library]) -> None:
        self._library = library

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """Topic ids after a topic command (titles shown beside them), time zone names after
        /review settings timezone, else the words to type."""
        text = document.text_before_cursor
        if text.lower().startswith(ZONE_COMMAND + " "):
            yield from self._zones(text[len(ZONE_COMMAND) + 1 :])
            return
        for command in TOPIC_COMMANDS:
            if text.lower().startswith(command + " "):
                yield from self._topics(text[len(command) + 1 :])
                return
        words = SLASH_COMMANDS if text.startswith("/") else (*CARD_WORDS, *QUIZ_WORDS, *OTHER_WORDS)
        lowered = text.lower()
        for word in words:
            if word.startswith(lowered) and word != lowered:
                yield Completion(word, start_position=-len(text))

    def _topics(self, query: str) -> Iterable[Completion]:
        found = self._library().search(query, TOPIC_CHOICES)
        repeated = {t for t, n in Counter(t.title for t in found).items() if n > 1}
        for topic in found:
            meta = f"{topic.title} ({topic.id})" if topic.title in repeated else topic.title
            yield Completion(topic.id, start_position=-len(query), display_meta=meta)

    @staticmethod
    def _zones(query: str) -> Iterable[Completion]:
        """IANA names containing what was typed (spaces as underscores, any case), those whose
        city starts with it first."""
        for name in zones_containing(query)[:ZONE_CHOICES]:
            yield Completion(name, start_position=-len(query))
