"""Red-DiscordBot trivia lists (YAML mapping each question to its accepted answers) as typed
questions.

A list is a YAML mapping: each key a question, its value the list of answers Red accepts
(text or numbers). Each becomes a `short_answer` question accepting those answers as they are
written in the file (`- 1969` is the text "1969", `- Yes` stays "Yes", not YAML's true). Two
keys are not questions: `AUTHOR` (who wrote the list) becomes the attribution "Trivia list by
..." in the topic's explainer, and `CONFIG` (Red's settings for a session: points to win, delay,
bot plays...) is ignored, since TutorBot's rounds have their own. The file becomes one topic
titled from its name ("world_capitals.yaml" gives "World Capitals").

The YAML is read by the topic loader's own safe YAML (aliases bounded, a repeated key refused);
an entry whose value is not a list, an empty list, or an answer that is not text is a problem
naming the entry's line.
"""

from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutorbot.content.banks.draft import Bank, Draft, DraftTopic, ImportRefused, Upload
from tutorbot.content.banks.limits import decode_text
from tutorbot.content.models import QuestionType, clip
from tutorbot.content.safe_yaml import Refused, TopicLoader, load_topic_yaml

FORMAT = "red-trivia"
AUTHOR = "AUTHOR"
CONFIG = "CONFIG"
SNIFF_BYTES = 16 * 1024
"""How much of a file `sniff` looks at."""
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_ENTRY = re.compile(r"^[^\s#\-][^\n]*:[ \t]*\n[ \t]*- (?![\w ]+:\s)", re.MULTILINE)
"""A top-level key followed by a list item that is not a mapping ("Question?:" then "- answer")."""


def read_red_trivia(upload: Upload) -> Bank:
    """The questions of a Red trivia list, as one topic named after the file."""
    root = _document(upload.data)
    bank = Bank(FORMAT)
    topic = bank.topic(upload.title("Trivia"), "line 1")
    for key, value in root.value:
        _entry(bank, topic, key, value)
    return bank


def _document(data: bytes) -> MappingNode:
    """The file's top-level mapping node, checked by the safe loader first; ImportRefused for
    YAML that is broken, hostile or not a mapping."""
    text = decode_text(data)
    try:
        load_topic_yaml(text.encode("utf-8"))
        root = yaml.compose(text, Loader=TopicLoader)
    except Refused as exc:
        at = f"line {exc.line}: " if exc.line else ""
        raise ImportRefused(f"{at}{exc.message}") from None
    except yaml.YAMLError as exc:
        raise ImportRefused(_yaml_error(exc)) from None
    except ValueError as exc:  # a value YAML cannot build: the date 2024-02-30, !!int abc
        reason = str(exc).split(";")[0]
        raise ImportRefused(
            f"the file holds a value YAML cannot read ({reason}); put quotes around it"
        ) from None
    if not isinstance(root, MappingNode) or not root.value:
        raise ImportRefused(
            "this is not a Red trivia list: the file should map each question to the list of "
            "its answers ('Question?:' then '- answer' lines)"
        )
    return root


def _yaml_error(exc: yaml.YAMLError) -> str:
    """A YAML error as the person importing reads it: the line and the problem."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    at = f" on line {mark.line + 1}" if mark is not None else ""
    return f"the file is not valid YAML{at}: {problem}"


def _line(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _entry(bank: Bank, topic: DraftTopic, key: Node, value: Node) -> None:
    """Read one top-level entry: the author, the ignored settings, or a question."""
    where = _line(key)
    if not isinstance(key, ScalarNode) or key.tag in (_NULL, _MERGE):
        bank.skip(where, "this entry's key is not a question's text")
    elif key.value == AUTHOR:
        author = _author(value)
        if author:
            topic.explainer = f"Trivia list by {author}."
        else:
            bank.skip(where, "AUTHOR should be the name of the list's author")
    elif key.value != CONFIG:
        draft = _question(bank, key.value.strip(), value, where)
        if draft is not None:
            topic.questions.append(draft)


def _author(value: Node) -> str:
    """The AUTHOR entry's names ("" when it is not text or a list of texts)."""
    if isinstance(value, ScalarNode) and value.tag != _NULL:
        return " ".join(value.value.split())
    if isinstance(value, SequenceNode) and all(
        isinstance(item, ScalarNode) for item in value.value
    ):
        return ", ".join(" ".join(item.value.split()) for item in value.value if item.value)
    return ""


def _question(bank: Bank, prompt: str, value: Node, where: str) -> Draft | None:
    """The short-answer draft of one question and its answers, or None with a problem."""
    shown_prompt = repr(clip(prompt))
    if not prompt:
        bank.skip(where, "the question is empty")
        return None
    if not isinstance(value, SequenceNode) and not _is_empty(value):
        bank.skip(where, f"{shown_prompt}: its answers should be a list ('- answer' lines)")
        return None
    if not isinstance(value, SequenceNode) or not value.value:
        bank.skip(where, f"{shown_prompt} has no answers")
        return None
    answers = [item.value.strip() for item in value.value if _is_text(item)]
    answers = [answer for answer in answers if answer]
    left_out = len(value.value) - len(answers)
    if not answers:
        bank.skip(where, f"{shown_prompt}: none of its answers is text")
        return None
    if left_out:
        bank.skip(
            where,
            f"{shown_prompt}: {left_out} of its answers {'is' if left_out == 1 else 'are'} not "
            "text (a list, a mapping or empty) and left out; the others are imported",
        )
    return Draft(where, QuestionType.SHORT_ANSWER, prompt=prompt, answers=answers)


def _is_empty(node: Node) -> bool:
    """Whether a value is left empty (`Question?:` with nothing after it, or `~`)."""
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _is_text(node: Node) -> bool:
    """Whether a list item is an answer's text (a scalar that is not null)."""
    return isinstance(node, ScalarNode) and node.tag != _NULL


def sniff(upload: Upload) -> bool:
    """Whether the file looks like a Red trivia list: a key line followed by a '- answer'
    line, near its start."""
    try:
        text = upload.data[:SNIFF_BYTES].decode("utf-8", errors="ignore").replace("\r\n", "\n")
        return "\t" not in text.split("\n", 1)[0] and bool(_ENTRY.search(text))
    except Exception:  # a sniff never raises
        return False
