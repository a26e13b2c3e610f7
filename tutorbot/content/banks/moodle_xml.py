"""Moodle XML: the question bank export of Moodle, read into drafts and written from topics.

The file is parsed by defusedxml with DTDs forbidden, so no entity is expanded and nothing is
fetched: a file that declares a DTD or entities is refused whole. Under `<quiz>`, each
`<question type="...">` maps as follows:

- `category` starts a topic titled with the category's last part (`$course$/top/A/B` → "B",
  `//` a slash in a name); questions before any category go to a topic named after the file;
- `multichoice` with `<single>true` and one answer worth 100% → multiple choice (several right
  answers or a multiple-answer question is skipped); `truefalse` → true/false;
- `shortanswer` → short answer, every answer worth 100% accepted (Moodle's `*` wildcard cannot
  be, and is reported; only fractions of one value, such as 7/12 and 14/24, → numeric: see
  `fractions`); `numerical` → numeric, the 100% answer with its `<tolerance>`;
- `essay` → free response, its model answer from `<graderinfo>` (none: skipped);
- every other type (matching, cloze, description, calculated, drag and drop...) is skipped with
  its type named.

`<name>` is the question's stable name, `<questiontext>` its prompt (HTML, Moodle auto-format,
plain text or Markdown, as Markdown), `<generalfeedback>` its explanation (the right answer's
own feedback folded in before it), the first `<hint>` its hint. Pictures are left out and
reported. A question is found by its place among the file's `<question>` elements and its name
("question 7 (capital-of-france)"): ElementTree keeps no line numbers.

`write_moodle_xml` writes topics back: a category per topic, the question id as `<name>`, text
as HTML showing it as written (a paragraph per blank-line-separated part, `<br>` per newline),
or in Moodle's Markdown format when HTML would not read back as the same text (Markdown's own
`*` and `_` come back escaped from HTML, as any star or underscore in Moodle's HTML does).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from tutorbot.content.banks.categories import CategoryTopics, category_parts, export_paths
from tutorbot.content.banks.draft import Bank, Draft, DraftTopic, ImportRefused, Upload
from tutorbot.content.banks.fractions import exact_fraction, fraction_of
from tutorbot.content.banks.limits import decode_text
from tutorbot.content.banks.markup import PICTURE, has_picture, html_to_markdown, html_to_text
from tutorbot.content.models import (
    LETTERS,
    MAX_CHOICES,
    Question,
    QuestionType,
    Topic,
    clip,
    normalise,
    number_text,
    number_value,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

FORMAT = "moodle-xml"
SNIFF_BYTES = 4096
"""How much of a file `sniff` looks at: Moodle's exports open with `<quiz>` at once."""
FULL_CREDIT = 100.0
_WILDCARD = re.compile(r"(?<!\\)\*")
_QUIZ_ROOT = re.compile(r"<quiz[\s>/]")
_SKIPPED_TYPES = {
    "matching": "matching questions are not supported",
    "match": "matching questions are not supported",
    "cloze": "cloze (embedded answers) questions are not supported",
    "multianswer": "cloze (embedded answers) questions are not supported",
    "description": "a description is text without a question; it is not imported",
    "calculated": "calculated questions are not supported",
    "calculatedsimple": "calculated questions are not supported",
    "calculatedmulti": "calculated multichoice questions are not supported",
    "random": "random questions draw from a category; they are not imported",
    "randomsamatch": "random short-answer matching questions are not supported",
    "ddwtos": "drag and drop into text questions are not supported",
    "gapselect": "select missing words questions are not supported",
    "ddimageortext": "drag and drop onto image questions are not supported",
    "ddmarker": "drag and drop markers questions are not supported",
    "ordering": "ordering questions are not supported",
}
_BARE_PRAISE = frozenset(
    normalise(text)
    for text in (
        "Correct",
        "Correct!",
        "Right",
        "Yes",
        "Well done",
        "Correct, well done",
        "Good job",
        "Great",
        "Excellent",
        "That's right",
        "That's correct",
        "Your answer is correct.",
    )
)
"""Feedback on a right answer that says nothing an explanation needs."""


class _Skip(Exception):
    """A question that is not imported; the message says why."""


def sniff(upload: Upload) -> bool:
    """Whether the file looks like Moodle XML: markup whose first element is `<quiz>`."""
    try:
        head = upload.data[:SNIFF_BYTES]
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = head.decode("utf-16", errors="ignore")
        else:
            text = head.decode("utf-8", errors="ignore")
        text = text.lstrip("\ufeff \t\r\n")
        return text.startswith("<") and _QUIZ_ROOT.search(text) is not None
    except Exception:  # a sniff never raises
        return False


def read_moodle_xml(upload: Upload) -> Bank:
    """The questions of a Moodle XML file, one topic per category."""
    root = _parse(upload)
    bank = Bank(FORMAT)
    stem = upload.title("Moodle questions")
    categories = CategoryTopics(bank, stem)
    topic: DraftTopic | None = None
    for number, element in enumerate(root.findall("question"), start=1):
        where = f"question {number}"
        try:
            where = _where(number, element)
            kind = (element.get("type") or "").strip().lower()
            if kind == "category":
                topic = _category(categories, element, where)
                continue
            draft = _question(kind, element, where, bank)
        except _Skip as exc:
            bank.skip(where, str(exc))
            continue
        except RecursionError:
            bank.skip(where, "its text is nested too deeply to be read")
            continue
        if topic is None:
            topic = categories.topic((), where)
        topic.questions.append(draft)
    if not bank.topics and not bank.problems:
        raise ImportRefused("the Moodle XML file holds no questions")
    return bank


def _parse(upload: Upload) -> Element:
    """The file's `<quiz>` element, or ImportRefused: not XML, a DTD, another root."""
    upload.limits.check_file(len(upload.data))
    # Text, not bytes, goes to the parser: Moodle writes UTF-8, and a declared encoding such as
    # "rot13" or "utf-7" must not pick a codec.
    text = decode_text(upload.data)
    try:
        root = SafeTree.fromstring(
            text, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise ImportRefused(
            "the file declares a DTD/entities (<!DOCTYPE ...>), which an import never reads; "
            "Moodle's own exports have none"
        ) from None
    except SafeTree.ParseError as exc:
        raise ImportRefused(f"the file is not well-formed XML ({exc})") from None
    if root.tag != "quiz":
        raise ImportRefused(
            f"the file is XML but not Moodle XML: it starts with <{clip(str(root.tag))}>, "
            "not <quiz>"
        )
    return root


def _where(number: int, element: Element) -> str:
    name = _text(element, "name")
    return f"question {number} ({clip(' '.join(name.split()))})" if name else f"question {number}"


# Text ------------------------------------------------------------------------------------------


def _text(element: Element | None, path: str | None = None) -> str:
    """The `<text>` of a field (`<questiontext><text>...</text></questiontext>`), stripped; a
    field whose text holds elements (HTML written without CDATA) gives them back as markup."""
    field = element if path is None or element is None else element.find(path)
    if field is None:
        return ""
    text = field.find("text")
    if text is None:
        return (field.text or "").strip() if len(field) == 0 else ""
    inner = (text.text or "") + "".join(
        SafeTree.tostring(child, encoding="unicode") for child in text
    )
    return inner.strip()


def _format(field: Element | None, default: str) -> str:
    if field is None:
        return default
    return (field.get("format") or default).strip().lower()


def _as_html(text: str, text_format: str) -> str:
    """A field's text as HTML, whatever its Moodle format (Markdown kept for markdown)."""
    if text_format == "plain_text":
        return _plain_html(text)
    return text


def _markdown(element: Element, path: str, default: str, where: str, bank: Bank) -> str:
    """A field's text as Markdown (prompt, feedback, hint, model answer); a picture in it is
    reported and left out."""
    text, picture = _field_markdown(element.find(path), default)
    if picture:
        _picture(bank, where)
    return text


def _field_markdown(field: Element | None, default: str) -> tuple[str, bool]:
    """A field's text as Markdown, and whether it shows a picture."""
    if field is None:
        return "", False
    text = _text(field)
    text_format = _format(field, default)
    markdown = text if text_format == "markdown" else html_to_markdown(_as_html(text, text_format))
    return markdown, _has_files(field, text)


def _plain(field: Element | None, default: str) -> str:
    """A choice's text as plain text: HTML's tags dropped and spaces collapsed; plain text and
    Markdown as they are."""
    text = _text(field)
    if _format(field, default) in ("plain_text", "markdown"):
        return text
    return html_to_text(text)


def _has_files(field: Element, text: str) -> bool:
    return field.find("file") is not None or "@@PLUGINFILE@@" in text or has_picture(text)


def _picture(bank: Bank, where: str) -> None:
    """Report once per question that a picture is left out."""
    problem = "has a picture, which is not imported"
    for earlier in reversed(bank.problems):  # this question's problems are the last ones
        if earlier.where != where:
            break
        if earlier.why == problem:
            return
    bank.skip(where, problem)


def _only_picture(text: str) -> bool:
    return not text.replace(PICTURE, "").strip()


# Categories ------------------------------------------------------------------------------------


def _category(categories: CategoryTopics, element: Element, where: str) -> DraftTopic:
    """The topic a category question starts; its `<info>` becomes the topic's core idea."""
    topic = categories.topic(category_parts(_text(element, "category")), where)
    if topic.core_idea is None:
        info, _ = _field_markdown(element.find("info"), "moodle_auto_format")
        topic.core_idea = info.replace(PICTURE, "").strip() or None
    return topic


# Questions -------------------------------------------------------------------------------------


def _question(kind: str, element: Element, where: str, bank: Bank) -> Draft:
    reader = _READERS.get(kind)
    if reader is None:
        if not kind:
            raise _Skip("the question has no type")
        raise _Skip(_SKIPPED_TYPES.get(kind, f"{clip(kind, 40)} questions are not supported"))
    return reader(element, where, bank)


def _base(element: Element, where: str, bank: Bank, kind: QuestionType) -> Draft:
    """A draft with what every type has: prompt, name, explanation, hint."""
    question_text = element.find("questiontext")
    default = _format(question_text, "html")
    prompt, picture = _field_markdown(question_text, "html")
    if _only_picture(prompt):
        raise _Skip(
            "the question text is only a picture, which is not imported"
            if picture
            else "the question has no text"
        )
    if picture or (element.findtext("image") or "").strip():  # `<image>`: Moodle 1.x's picture
        _picture(bank, where)
    hint_field = element.find("hint")
    hint = _markdown(element, "hint", default, where, bank) if hint_field is not None else ""
    explanation = _markdown(element, "generalfeedback", default, where, bank)
    return Draft(
        where=where,
        type=kind,
        prompt=prompt,
        explanation=explanation or None,
        hint=hint.replace(PICTURE, "").strip() or None,
        name=" ".join(_text(element, "name").split()) or None,
    )


def _answers(element: Element) -> list[tuple[float, Element]]:
    """Each `<answer>` with its credit in percent (`fraction`; 0 when missing or unreadable)."""
    answers: list[tuple[float, Element]] = []
    for answer in element.findall("answer"):
        value = number_value(answer.get("fraction") or "0")
        answers.append((float(value) if value is not None else 0.0, answer))
    return answers


def _full(credit: float) -> bool:
    return abs(credit - FULL_CREDIT) < 1e-6


def _fold_feedback(draft: Draft, answer: Element, element: Element, bank: Bank) -> None:
    """Put the right answer's own feedback before the general feedback, unless it only says
    "Correct!" or repeats it."""
    default = _format(element.find("questiontext"), "html")
    feedback = _markdown(answer, "feedback", default, draft.where, bank)
    if not feedback or normalise(feedback) in _BARE_PRAISE:
        return
    if draft.explanation and normalise(feedback) in normalise(draft.explanation):
        return
    draft.explanation = "\n\n".join(part for part in (feedback, draft.explanation) if part)


def _multichoice(element: Element, where: str, bank: Bank) -> Draft:
    single = _text(element, "single").lower() if element.find("single") is not None else "true"
    if single in ("false", "0", ""):
        raise _Skip(
            "a multiple-answer question (several choices to tick): TutorBot's multiple choice "
            "has one right answer"
        )
    answers = _answers(element)
    right = [index for index, (credit, _) in enumerate(answers) if _full(credit)]
    if len(right) != 1:
        raise _Skip(
            f"{len(right)} answers are worth 100%: TutorBot's multiple choice has exactly one"
            if right
            else "no answer is worth 100%: TutorBot's multiple choice needs one right answer"
        )
    if len(answers) > MAX_CHOICES:
        raise _Skip(f"{len(answers)} choices: TutorBot's multiple choice has at most {MAX_CHOICES}")
    default = _format(element.find("questiontext"), "html")
    draft = _base(element, where, bank, QuestionType.MULTIPLE_CHOICE)
    draft.choices = [
        _choice(answer, default, where, bank, i) for i, (_, answer) in enumerate(answers)
    ]
    draft.answer = LETTERS[right[0]]
    _fold_feedback(draft, answers[right[0]][1], element, bank)
    return draft


def _choice(answer: Element, default: str, where: str, bank: Bank, index: int) -> str:
    text = _plain(answer, default)
    if _has_files(answer, _text(answer)):
        _picture(bank, where)
        if _only_picture(text):
            raise _Skip(f"choice {LETTERS[index]} is only a picture, which is not imported")
    return text


def _truefalse(element: Element, where: str, bank: Bank) -> Draft:
    answers = _answers(element)
    if len(answers) != 2:
        raise _Skip(
            f"a true/false question needs two answers, true and false; it has {len(answers)}"
        )
    sides: dict[bool, tuple[float, Element]] = {}
    for index, (credit, answer) in enumerate(answers):
        said = _text(answer).lower()
        value = said == "true" if said in ("true", "false") else index == 0
        sides[value] = (credit, answer)
    if len(sides) != 2:
        raise _Skip("a true/false question needs one answer true and one false")
    right = [value for value, (credit, _) in sides.items() if _full(credit)]
    if len(right) != 1:
        raise _Skip("exactly one of true and false must be worth 100%")
    draft = _base(element, where, bank, QuestionType.TRUE_FALSE)
    draft.answer = right[0]
    _fold_feedback(draft, sides[right[0]][1], element, bank)
    return draft


def _shortanswer(element: Element, where: str, bank: Bank) -> Draft:
    accepted: list[tuple[str, Element]] = []
    wildcards: list[str] = []
    partial: list[str] = []
    for credit, answer in _answers(element):
        text = " ".join(_text(answer).split())
        if text and not _full(credit):
            partial.extend([f"{clip(text, 40)!r} ({credit:g}%)"] if credit > 0 else [])
        elif text and _WILDCARD.search(text):
            wildcards.append(clip(text, 40))
        elif text:
            accepted.append((text.replace("\\*", "*"), answer))
    if not accepted:
        reason = "no answer worth 100% can be accepted"
        if wildcards:
            reason += f" (Moodle's * wildcard in {', '.join(map(repr, wildcards))})"
        raise _Skip(reason + (f" (partial credit only: {', '.join(partial)})" if partial else ""))
    draft = _base(element, where, bank, QuestionType.SHORT_ANSWER)
    value = fraction_of([text for text, _ in accepted])
    if value is None:
        draft.answers = [text for text, _ in accepted]
    else:  # fractions of one value (see `fractions`)
        draft.type, draft.answer = QuestionType.NUMERIC, number_text(value)
    _fold_feedback(draft, accepted[0][1], element, bank)
    for wildcard in wildcards:
        bank.skip(
            where,
            f"accepted answer {wildcard!r} uses Moodle's * wildcard, which TutorBot does not "
            "match; it is left out",
        )
    if _text(element, "usecase") == "1":
        bank.skip(where, "case-sensitive matching is not kept: TutorBot ignores case")
    return draft


def _numerical(element: Element, where: str, bank: Bank) -> Draft:
    right = [answer for credit, answer in _answers(element) if _full(credit)]
    if not right:
        raise _Skip("no answer is worth 100%")
    answer = right[0]
    said = _text(answer)
    if said == "*":
        raise _Skip("the answer worth 100% is *, which accepts any number")
    value = number_value(said)
    if value is None:
        raise _Skip(f"the answer {clip(said, 40)!r} is not a number")
    tolerance_text = (answer.findtext("tolerance") or "").strip()
    tolerance = number_value(tolerance_text) if tolerance_text else Fraction(0)
    if tolerance is None:
        raise _Skip(f"the tolerance {clip(tolerance_text, 40)!r} is not a number")
    draft = _base(element, where, bank, QuestionType.NUMERIC)
    draft.answer = _number(value, said)
    draft.tolerance = abs(float(tolerance)) or None
    _fold_feedback(draft, answer, element, bank)
    if len(right) > 1:
        others = ", ".join(clip(_text(other), 20) for other in right[1:])
        bank.skip(where, f"other answers worth 100% ({others}) are left out: TutorBot takes one")
    units = [" ".join((u.findtext("unit_name") or "").split()) for u in element.iter("unit")]
    if any(units):
        bank.skip(
            where,
            f"units ({', '.join(clip(u, 20) for u in units if u)}) are not imported: students "
            "type the number only",
        )
    return draft


def _number(value: Fraction, said: str) -> int | float | str:
    """A numeric answer as a topic file holds it: an integer, a float that is exactly the
    number, or else the text as written (more digits than a float keeps)."""
    if value.denominator == 1:
        return value.numerator
    if Fraction(repr(float(value))) == value:
        return float(value)
    return said


def _essay(element: Element, where: str, bank: Bank) -> Draft:
    default = _format(element.find("questiontext"), "html")
    model = (
        _markdown(element, "graderinfo", default, where, bank)
        if element.find("graderinfo") is not None
        else ""
    )
    if not model.replace(PICTURE, "").strip():
        raise _Skip(
            "an essay without information for graders: TutorBot's free response shows a model "
            "answer, written in the essay's <graderinfo>"
        )
    draft = _base(element, where, bank, QuestionType.FREE_RESPONSE)
    draft.answer = model
    return draft


_READERS: dict[str, Callable[[Element, str, Bank], Draft]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "essay": _essay,
}


# Writing ---------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def write_moodle_xml(topics: Sequence[Topic]) -> str:
    """Moodle XML for topics: a category per topic (`$course$/top/<title>`, its core idea as the
    category's description), then its questions, each named with its id.

    - multiple choice as `multichoice` (one answer worth 100%, letters ABCD, not shuffled);
    - true/false as `truefalse`; short answer as `shortanswer` (every accepted answer worth 100%,
      `*` escaped); numeric as `numerical` (a range as its midpoint with a tolerance of half its
      width; one exact number without a finite decimal, such as 7/12, as a `shortanswer` taking
      the fraction: see `fractions`); free response as `essay`, the model answer as information
      for graders;
    - the prompt as the question text, the explanation as general feedback, the hint as a hint,
      in HTML (`<br>` for a newline, a paragraph for each blank-line-separated part), or in
      Markdown when HTML would not read back as the same text.

    Two topics of the same title get two categories: the second under a parent named with its
    id (`$course$/top/<id>/<title>`), since Moodle merges categories of the same path.

    Think times and `check` expressions have no place in Moodle and are left out. Raises
    ValueError for text holding a control character, which XML cannot carry.
    """
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for topic, path in export_paths(topics):
        where = f"topic {topic.id!r}"
        try:
            parts.append(_write_category(topic, path))
            for question in topic.questions:
                where = f"topic {topic.id!r}, question {question.id!r}"
                parts.append(_write_question(question))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    parts.append("</quiz>")
    return "\n".join(parts) + "\n"


def _xml(text: str) -> str:
    """Text escaped for XML content or an attribute."""
    _check_xml(text)
    return html.escape(text, quote=True).replace("\r", "&#13;")


def _cdata(markup: str) -> str:
    """HTML in a CDATA section, as Moodle writes it (`]]>` split across two sections)."""
    _check_xml(markup)
    return "<![CDATA[" + markup.replace("]]>", "]]]]><![CDATA[>") + "]]>" if markup else ""


def _check_xml(text: str) -> None:
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueError(
            f"{clip(text)!r} holds the control character {bad.group()!r}, which XML cannot carry"
        )


def _plain_html(text: str) -> str:
    """Text (Markdown or plain) as HTML that shows it as written: each part between blank lines
    a paragraph, each newline `<br>`."""
    paragraphs = [part for part in text.split("\n\n") if part.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line, quote=False) for line in part.split("\n")) + "</p>"
        for part in paragraphs
    )


def _text_field(tag: str, text: str) -> str:
    """A text field as HTML when that reads back as the same Markdown, else as Markdown (text
    with Markdown's own marks, `**bold**` or `a_b`, which HTML would bring back escaped)."""
    markup = _plain_html(text)
    if html_to_markdown(markup) == text:
        return f'<{tag} format="html"><text>{_cdata(markup)}</text></{tag}>'
    return f'<{tag} format="markdown"><text>{_xml(text)}</text></{tag}>'


def _write_category(topic: Topic, path: str) -> str:
    return (
        '  <question type="category">\n'
        f"    <category><text>{_xml(path)}</text></category>\n"
        f"    {_text_field('info', topic.core_idea)}\n"
        "  </question>"
    )


def _write_question(question: Question) -> str:
    kind, body = _WRITERS[question.type](question)
    lines = [
        f'  <question type="{kind}">',
        f"    <name><text>{_xml(question.id)}</text></name>",
        f"    {_text_field('questiontext', question.prompt)}",
        f"    {_text_field('generalfeedback', question.explanation)}",
        "    <defaultgrade>1</defaultgrade>",
        "    <penalty>0.3333333</penalty>",
        "    <hidden>0</hidden>",
        *(f"    {line}" for line in body),
    ]
    if question.hint:
        lines.append(f"    {_text_field('hint', question.hint)}")
    lines.append("  </question>")
    return "\n".join(lines)


def _answer(fraction: int, text: str, text_format: str, *more: str) -> str:
    body = _cdata(text) if text_format == "html" else _xml(text)
    return (
        f'<answer fraction="{fraction}" format="{text_format}"><text>{body}</text>'
        f'{"".join(more)}<feedback format="html"><text></text></feedback></answer>'
    )


def _write_multichoice(question: Question) -> tuple[str, list[str]]:
    right = question.correct_index
    answers = [
        _write_choice(100 if index == right else 0, choice)
        for index, choice in enumerate(question.choices or ())
    ]
    head = [
        "<single>true</single>",
        "<shuffleanswers>false</shuffleanswers>",
        "<answernumbering>ABCD</answernumbering>",
    ]
    return "multichoice", head + answers


def _write_choice(fraction: int, choice: str) -> str:
    """A choice as HTML when that reads back as the same text, else as Markdown."""
    markup = _plain_html(choice)
    if html_to_text(markup) == choice:
        return _answer(fraction, markup, "html")
    return _answer(fraction, choice, "markdown")


def _write_truefalse(question: Question) -> tuple[str, list[str]]:
    return "truefalse", [
        _answer(100 if question.answer else 0, "true", "moodle_auto_format"),
        _answer(0 if question.answer else 100, "false", "moodle_auto_format"),
    ]


def _write_shortanswer(question: Question) -> tuple[str, list[str]]:
    answers = [
        _answer(100, answer.replace("*", "\\*"), "moodle_auto_format")
        for answer in question.accepted
    ]
    return "shortanswer", ["<usecase>0</usecase>", *answers]


def _write_numerical(question: Question) -> tuple[str, list[str]]:
    fraction = exact_fraction(question)
    if fraction is not None:
        answer = _answer(100, number_text(fraction), "moodle_auto_format")
        return "shortanswer", ["<usecase>0</usecase>", answer]
    low, high = question.bounds
    if question.range is not None:
        value, tolerance = (low + high) / 2, (high - low) / 2
    else:
        value, tolerance = question.number or Fraction(0), high - (question.number or Fraction(0))
    answer = _answer(
        100, _decimal(value), "moodle_auto_format", f"<tolerance>{_decimal(tolerance)}</tolerance>"
    )
    units = [
        "<unitgradingtype>0</unitgradingtype>",
        "<unitpenalty>0.1000000</unitpenalty>",
        "<showunits>3</showunits>",
        "<unitsleft>0</unitsleft>",
    ]
    return "numerical", [answer, *units]


def _decimal(value: Fraction) -> str:
    """A number as Moodle reads it: a decimal (a fraction such as 7/3 to 17 digits)."""
    text = number_text(value)
    return repr(float(value)) if "/" in text else text


def _write_essay(question: Question) -> tuple[str, list[str]]:
    return "essay", [
        "<responseformat>editor</responseformat>",
        "<responserequired>1</responserequired>",
        "<responsefieldlines>10</responsefieldlines>",
        "<attachments>0</attachments>",
        "<attachmentsrequired>0</attachmentsrequired>",
        _text_field("graderinfo", str(question.answer)),
        '<responsetemplate format="html"><text></text></responsetemplate>',
    ]


_WRITERS: dict[QuestionType, Callable[[Question], tuple[str, list[str]]]] = {
    QuestionType.MULTIPLE_CHOICE: _write_multichoice,
    QuestionType.TRUE_FALSE: _write_truefalse,
    QuestionType.SHORT_ANSWER: _write_shortanswer,
    QuestionType.NUMERIC: _write_numerical,
    QuestionType.FREE_RESPONSE: _write_essay,
}
