"""Open Trivia DB downloads (the JSON of https://opentdb.com/api.php) as trivia topics.

A file is the API's response, `{"response_code": 0, "results": [...]}`, or the bare list of
results; each result has `type` (multiple or boolean), `difficulty`, `category`, `question`,
`correct_answer` and `incorrect_answers`. The API's three encodings are told apart and decoded:
HTML entities (the default), `encode=url3986` (percent-encoded) and `encode=base64`.

- `multiple` becomes `multiple_choice`: the wrong answers in their order, with the right one put
  at a position derived from the question's text (the same on every import, and spread over the
  letters so that the right answer is not always A);
- `boolean` becomes `true_false`;
- each category becomes a topic titled with it, each difficulty met in it one of its tags; the
  topic's explainer carries the database's CC BY-SA 4.0 attribution, which must travel with the
  questions.

A response with a nonzero response_code (an API error) is refused with its meaning; a result
that cannot be read is a problem naming its item number.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from tutorbot.content.banks.draft import Bank, Draft, ImportRefused, Upload
from tutorbot.content.banks.limits import decode_text
from tutorbot.content.banks.markup import html_to_text
from tutorbot.content.models import LETTERS, MAX_CHOICES, QuestionType, clip, shown

FORMAT = "opentdb"
SNIFF_BYTES = 16 * 1024
"""How much of a file `sniff` looks at."""
ATTRIBUTION = (
    "Questions from the Open Trivia Database (https://opentdb.com) by its contributors, "
    "licensed under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)."
)
"""What each imported topic's explainer says, as the licence asks."""
RESPONSE_CODES = {
    1: "no results: the database has fewer questions than were asked for with these options",
    2: "invalid parameter: the request's options were not valid",
    3: "token not found: the session token does not exist",
    4: "token empty: the session token has returned every question there is; reset it",
    5: "rate limit: too many requests; wait 5 seconds between them",
}
"""The API's response codes other than 0 (success), worded from its documentation."""
_BASE64_TYPES = {"bXVsdGlwbGU=": "multiple", "Ym9vbGVhbg==": "boolean"}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")

Decoder = Callable[[str], str]


def read_opentdb(upload: Upload) -> Bank:
    """The questions of an Open Trivia DB download, one topic per category."""
    results = _results(_json(upload.data))
    if not results:
        raise ImportRefused("the file holds no questions (its results are empty)")
    decode = _decoder(results)
    bank = Bank(FORMAT)
    for number, item in enumerate(results, start=1):
        where = f"item {number}"
        try:
            _read_item(bank, item, decode, where, upload.title("Open Trivia DB"))
        except _BadItem as exc:
            bank.skip(where, str(exc))
    return bank


class _BadItem(Exception):
    """A result that cannot be imported; the message says why."""


def _json(data: bytes) -> Any:
    """The file's JSON value, or ImportRefused saying where it is broken."""
    text = decode_text(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"the file is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # a number of 5,000 digits
        reason = str(exc).split(";")[0]
        raise ImportRefused(
            f"the file's JSON holds a value that cannot be read: {reason}"
        ) from None
    except RecursionError:
        raise ImportRefused("the file's JSON is nested too deeply to be questions") from None


def _results(value: Any) -> list[Any]:
    """The list of results of a response (or of a bare list), refusing an API error."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict) or "results" not in value:
        raise ImportRefused(
            "this is not an Open Trivia DB download: expected an object with 'results' (or a "
            "list of questions)"
        )
    code = value.get("response_code", 0)
    if code != 0:
        meaning = RESPONSE_CODES.get(code) if isinstance(code, int) else None
        raise ImportRefused(
            f"the download is an error from Open Trivia DB, response code {shown(code)}"
            + (f" ({meaning})" if meaning else "")
            + "; it holds no questions"
        )
    results = value["results"]
    if not isinstance(results, list):
        raise ImportRefused("'results' should be a list of questions")
    return results


def _strings(results: list[Any]) -> list[str]:
    """Every text of every result, wrong answers included."""
    texts: list[str] = []
    for item in results:
        if isinstance(item, dict):
            texts += [value for value in item.values() if isinstance(value, str)]
            wrong = item.get("incorrect_answers")
            if isinstance(wrong, list):
                texts += [value for value in wrong if isinstance(value, str)]
    return texts


def _decoder(results: list[Any]) -> Decoder:
    """How the file's texts are decoded, told from them: base64 when every type is one of the
    two types in base64; percent-encoding when no text has a space and some have %XX; else
    HTML entities."""
    types = [item.get("type") for item in results if isinstance(item, dict)]
    if types and all(isinstance(kind, str) and kind in _BASE64_TYPES for kind in types):
        return _from_base64
    texts = _strings(results)
    if not any(" " in text for text in texts) and any(_PERCENT.search(text) for text in texts):
        return _from_url3986
    return _from_html


def _from_html(text: str) -> str:
    """Text with the API's default encoding (HTML entities) decoded."""
    return html_to_text(text)


def _from_url3986(text: str) -> str:
    """Text percent-encoded (`encode=url3986`) decoded."""
    return " ".join(unquote(text, errors="strict").split())


def _from_base64(text: str) -> str:
    """Text in base64 (`encode=base64`) decoded."""
    try:
        raw = base64.b64decode(text, validate=True)
        return " ".join(raw.decode("utf-8").split())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _BadItem(f"{shown(text)} is not base64 text, as the rest of the file is") from None


def _text(item: dict[str, Any], key: str, decode: Decoder) -> str:
    """One field of a result, decoded; `_BadItem` when it is missing or not text."""
    value = item.get(key)
    if not isinstance(value, str):
        state = "is missing" if value is None else f"is {shown(value)}, not text"
        raise _BadItem(f"its {key} {state}")
    return _decoded(value, key, decode)


def _decoded(value: str, key: str, decode: Decoder) -> str:
    """A text decoded; `_BadItem` naming the field when it cannot be."""
    try:
        return decode(value)
    except UnicodeDecodeError:
        raise _BadItem(f"its {key} {shown(value)} cannot be decoded") from None


def _read_item(bank: Bank, item: Any, decode: Decoder, where: str, fallback: str) -> None:
    """Add one result's question to its category's topic; `_BadItem` when it cannot be."""
    if not isinstance(item, dict):
        raise _BadItem(f"it is {shown(item)}, not a question object")
    kind = _text(item, "type", decode)
    question = _text(item, "question", decode)
    correct = _text(item, "correct_answer", decode)
    if not question:
        raise _BadItem("its question is empty")
    if kind == "multiple":
        draft = _multiple(item, question, correct, decode, where)
    elif kind == "boolean":
        draft = _boolean(question, correct, where)
    else:
        raise _BadItem(f"its type {shown(kind)} is neither multiple nor boolean")
    category = _text(item, "category", decode) if "category" in item else ""
    topic = bank.topic(category or fallback or "Open Trivia DB", where)
    topic.explainer = ATTRIBUTION
    if "difficulty" in item:
        difficulty = _text(item, "difficulty", decode)
        if difficulty and difficulty not in topic.tags:
            topic.tags.append(difficulty)
    topic.questions.append(draft)


def _multiple(
    item: dict[str, Any], question: str, correct: str, decode: Decoder, where: str
) -> Draft:
    """A multiple-choice draft with the right answer at its derived position."""
    wrong = item.get("incorrect_answers")
    if not isinstance(wrong, list) or not all(isinstance(text, str) for text in wrong):
        raise _BadItem("its incorrect_answers is not a list of texts")
    choices = [_decoded(text, "incorrect_answers", decode) for text in wrong]
    if not 1 <= len(choices) < MAX_CHOICES:
        raise _BadItem(
            f"it has {len(choices)} incorrect answers; a multiple-choice question has 2 to "
            f"{MAX_CHOICES} choices in all"
        )
    if correct in choices:
        raise _BadItem(f"its correct answer {clip(correct)!r} is also among its incorrect ones")
    position = answer_position(question, len(choices) + 1)
    choices.insert(position, correct)
    return Draft(
        where,
        QuestionType.MULTIPLE_CHOICE,
        prompt=question,
        choices=choices,
        answer=LETTERS[position],
    )


def answer_position(question: str, count: int) -> int:
    """Where the right answer goes among `count` choices: from a hash of the question's text,
    so the same question gets the same letter on every import and questions spread evenly."""
    digest = hashlib.sha256(question.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def _boolean(question: str, correct: str, where: str) -> Draft:
    """A true/false draft."""
    value = {"true": True, "false": False}.get(correct.strip().lower())
    if value is None:
        raise _BadItem(f"its correct_answer {clip(correct)!r} is neither True nor False")
    return Draft(where, QuestionType.TRUE_FALSE, prompt=question, answer=value)


def sniff(upload: Upload) -> bool:
    """Whether the file looks like an Open Trivia DB download: JSON that names its fields."""
    try:
        head = upload.data[:SNIFF_BYTES].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
        if head[:1] not in ("{", "["):
            return False
        return '"correct_answer"' in head or '"response_code"' in head
    except Exception:  # a sniff never raises
        return False
