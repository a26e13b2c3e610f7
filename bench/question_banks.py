"""Benchmark: importing and exporting question banks at size, and refusing hostile files.

Per format, a bank of `--questions` questions (every type the format can hold, prompts of about
200 characters, explanations of about 300, in topics of 100) is made from generated topics: GIFT
and Moodle XML by our own exporters, the others written the way their tools write them (an Anki
package by the `anki` library itself, a Kahoot spreadsheet by openpyxl, Quizlet, Aiken and Open
Trivia DB as text). Then `import_upload` reads it back (with caps roomy enough for the bank),
and the time (median of `--repeats`) and the peak of Python allocations (tracemalloc, a separate
run) are printed with the file's size.

Hostile files are refused at the default caps: a zip bomb whose entries declare 4 GB, one whose
headers lie (declare 1 KB, would inflate to 200 MB), 20,000 tiny entries, a zstd frame inflating to
200 MB, an XML billion-laughs and an external entity. Printed: how long the refusal took, the
peak of allocations, and the message.

    python bench/banks.py [--questions 10000] [--anki-notes 5000] [--repeats 3] [--only NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import statistics
import struct
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import zstandard

from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.draft import ImportRefused, Upload
from tutorbot.content.banks.gift import write_gift
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.kahoot import TEMPLATE_HEADER
from tutorbot.content.banks.limits import MB, ImportLimits
from tutorbot.content.banks.moodle_xml import write_moodle_xml
from tutorbot.content.models import LETTERS, Question, QuestionType, Topic

WORDS = [
    "graph",
    "prerequisite",
    "fraction",
    "derivative",
    "gradient",
    "matrix",
    "vector",
    "limit",
    "series",
    "proof",
    "theorem",
    "lemma",
    "number",
    "integer",
    "ratio",
    "angle",
    "triangle",
    "circle",
    "area",
    "volume",
    "probability",
    "variance",
    "mean",
    "model",
    "training",
    "loss",
    "entropy",
    "kernel",
    "margin",
    "sample",
    "estimate",
    "bias",
    "error",
]


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize()


def _question(rng: random.Random, n: int, kinds: tuple[QuestionType, ...]) -> Question:
    kind = kinds[n % len(kinds)]
    base: dict[str, object] = {
        "id": f"q{n}",
        "type": kind,
        "prompt": _text(rng, 200) + "?",
        "explanation": _text(rng, 300) + ".",
    }
    if kind is QuestionType.MULTIPLE_CHOICE:
        base |= {"choices": [_text(rng, 30) + f" {i}" for i in range(4)], "answer": LETTERS[n % 4]}
    elif kind is QuestionType.TRUE_FALSE:
        base["answer"] = n % 3 == 0
    elif kind is QuestionType.SHORT_ANSWER:
        base["answers"] = [f"{rng.choice(WORDS)} {n}", f"{rng.choice(WORDS)}-{n}"]
    elif kind is QuestionType.NUMERIC:
        base |= {"answer": n / 4, "tolerance": 0.5}
    else:
        base["answer"] = _text(rng, 250) + "."
    return Question.model_validate(base)


def topics(count: int, kinds: tuple[QuestionType, ...], seed: int = 7) -> list[Topic]:
    """`count` questions of the given kinds in topics of 100."""
    rng = random.Random(seed)
    questions = [_question(rng, n, kinds) for n in range(count)]
    return [
        Topic(
            id=f"topic-{i // 100}",
            title=f"Topic {i // 100}",
            core_idea="Generated.",
            questions=tuple(questions[i : i + 100]),
        )
        for i in range(0, count, 100)
    ]


ALL = tuple(QuestionType)
CHOICES = (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE)


def gift_bank(count: int) -> Upload:
    """A GIFT file of every type, written by our exporter."""
    return Upload("bank.gift", write_gift(topics(count, ALL)).encode())


def moodle_bank(count: int) -> Upload:
    """A Moodle XML file of every type, written by our exporter."""
    return Upload("bank.xml", write_moodle_xml(topics(count, ALL)).encode())


def aiken_bank(count: int) -> Upload:
    """An Aiken file of four-option questions."""
    parts = []
    for topic in topics(count, (QuestionType.MULTIPLE_CHOICE,)):
        for q in topic.questions:
            options = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(q.choices or ()))
            parts.append(f"{q.prompt}\n{options}\nANSWER: {q.answer}\n")
    return Upload("bank.txt", "\n".join(parts).encode())


def quizlet_bank(count: int) -> Upload:
    """A Quizlet export: term, tab, definition."""
    rng = random.Random(3)
    lines = [f"{rng.choice(WORDS)} {n}\t{_text(rng, 150)}" for n in range(count)]
    return Upload("bank.txt", "\n".join(lines).encode())


def opentdb_bank(count: int) -> Upload:
    """An Open Trivia DB response with HTML entities, multiple and boolean."""
    results = []
    for topic in topics(count, CHOICES):
        for q in topic.questions:
            if q.type is QuestionType.TRUE_FALSE:
                right, wrong = ("True", ["False"]) if q.answer else ("False", ["True"])
                kind = "boolean"
            else:
                choices = list(q.choices or ())
                right = choices.pop(q.correct_index or 0)
                wrong, kind = choices, "multiple"
            results.append(
                {
                    "type": kind,
                    "difficulty": "easy",
                    "category": topic.title,
                    "question": q.prompt.replace("a", "&quot;a&quot;", 1),
                    "correct_answer": right,
                    "incorrect_answers": wrong,
                }
            )
    return Upload("bank.json", json.dumps({"response_code": 0, "results": results}).encode())


def kahoot_bank(count: int) -> Upload:
    """A Kahoot quiz spreadsheet of four-answer questions, written by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if sheet is None:
        raise RuntimeError("openpyxl made a workbook without a sheet")
    sheet.append(["Quiz template"])
    sheet.append(["", *TEMPLATE_HEADER])
    rng = random.Random(5)
    for n in range(count):
        answers = [_text(rng, 20)[:70] for _ in range(4)]
        sheet.append([n + 1, _text(rng, 100)[:115] + "?", *answers, 20, n % 4 + 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return Upload("bank.xlsx", buffer.getvalue())


def anki_bank(count: int) -> Upload:
    """An Anki package (current layout) of Basic notes in ten decks, written by Anki."""
    from anki.collection import Collection, ExportAnkiPackageOptions

    rng = random.Random(9)
    with tempfile.TemporaryDirectory() as folder:
        col = Collection(str(Path(folder) / "bench.anki2"))
        basic = col.models.by_name("Basic")
        if basic is None:
            raise RuntimeError("this Anki has no Basic note type")
        made = (col.decks.id(f"Bench::Deck {i}") for i in range(10))
        decks = [deck for deck in made if deck is not None]
        for n in range(count):
            note = col.new_note(basic)
            note["Front"] = f"<b>{_text(rng, 150)}</b> {n}?"
            note["Back"] = _text(rng, 200)
            col.add_note(note, decks[n % len(decks)])
        out = Path(folder) / "bench.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
        )
        col.export_anki_package(out_path=str(out), options=options, limit=None)
        col.close()
        return Upload("bench.apkg", out.read_bytes())


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def declared_bomb() -> Upload:
    """A package whose collection declares 4 GB (refused from the central directory)."""
    data = bytearray(_zip([("collection.anki21b", b"\0" * 1024)]))
    directory = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, directory + 24, 0xFFFFFFF0)
    return Upload("bomb.apkg", bytes(data))


def lying_bomb() -> Upload:
    """A package whose collection declares 1 KB but inflates to 200 MB."""
    data = bytearray(_zip([("collection.anki21", b"\0" * (200 * 1024 * 1024))]))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        struct.pack_into("<I", data, at + offset, 1024)
    return Upload("bomb.apkg", bytes(data))


def many_entries() -> Upload:
    """A package of 20,000 empty entries."""
    return Upload("many.apkg", _zip([(f"{n}", b"") for n in range(20_000)]))


def zstd_bomb() -> Upload:
    """A current-layout package whose zstd collection inflates to 200 MB."""
    frame = zstandard.ZstdCompressor(level=19).compress(b"\0" * (200 * 1024 * 1024))
    return Upload("zstd.apkg", _zip([("collection.anki21b", frame), ("collection.anki2", b"")]))


def laughs() -> Upload:
    """Moodle XML with a billion-laughs entity."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    return Upload(
        "laughs.xml", f'<?xml version="1.0"?><!DOCTYPE q [{entities}]><quiz>&a9;</quiz>'.encode()
    )


def external() -> Upload:
    """Moodle XML naming an external entity."""
    return Upload(
        "external.xml",
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<quiz><question type='truefalse'><questiontext><text>&x;</text></questiontext>"
        b"</question></quiz>",
    )


BANKS: dict[str, Callable[[int], Upload]] = {
    "gift": gift_bank,
    "moodle-xml": moodle_bank,
    "aiken": aiken_bank,
    "quizlet": quizlet_bank,
    "opentdb": opentdb_bank,
    "kahoot": kahoot_bank,
    "anki": anki_bank,
}
HOSTILE: dict[str, Callable[[], Upload]] = {
    "zip declaring 4 GB": declared_bomb,
    "zip lying (1 KB → 200 MB)": lying_bomb,
    "zip of 20,000 entries": many_entries,
    "zstd → 200 MB": zstd_bomb,
    "XML billion laughs": laughs,
    "XML external entity": external,
}


ROOMY = ImportLimits(max_file_bytes=64 * MB, max_unpacked_bytes=512 * MB)
"""Caps for the size runs, which measure speed: 10,000 questions of Moodle XML are 12 MB, over the
default 10 MB file cap (which holds about 8,000)."""


def _import(upload: Upload, fmt: str | None) -> Imported:
    return import_upload(Upload(upload.name, upload.data, ROOMY, upload.separator), fmt)


def _peak_mb(call: Callable[[], object]) -> float:
    tracemalloc.start()
    with contextlib.suppress(ImportRefused):
        call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def _seconds(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_banks(questions: int, anki_notes: int, repeats: int, only: str | None) -> None:
    """Import each format's bank; print size, time, rate and peak allocations."""
    print(f"{'format':<11} {'questions':>9} {'file':>9} {'import':>9} {'per 1k q':>9} {'peak':>9}")
    for name, make in BANKS.items():
        if only and only != name:
            continue
        count = anki_notes if name == "anki" else questions
        upload = make(count)
        fmt = "quizlet" if name == "quizlet" else None
        imported = _import(upload, fmt)

        def again(u: Upload = upload, f: str | None = fmt) -> Imported:
            return _import(u, f)

        seconds = _seconds(again, repeats)
        peak = _peak_mb(again)
        made = imported.question_count
        print(
            f"{name:<11} {made:>9,} {len(upload.data) / 1024 / 1024:>7.1f}MB {seconds:>8.2f}s "
            f"{seconds / made * 1000 * 1000:>7.0f}ms {peak:>7.0f}MB"
            + (f"  ({len(imported.problems)} problems)" if imported.problems else "")
        )


def bench_hostile(repeats: int) -> None:
    """Refuse each hostile file at the default caps; print the time, peak and message."""
    print(f"\n{'hostile file':<26} {'file':>8} {'refused in':>10} {'peak':>8}  message")
    for name, make in HOSTILE.items():
        upload = make()

        def attempt(u: Upload = upload) -> str:
            try:
                import_upload(u)
            except ImportRefused as exc:
                return str(exc)
            return "NOT REFUSED"

        message = attempt()
        seconds = _seconds(attempt, repeats)
        peak = _peak_mb(attempt)
        size = f"{len(upload.data) / 1024:.0f}KB"
        print(f"{name:<26} {size:>8} {seconds * 1000:>8.0f}ms {peak:>6.1f}MB  {message[:90]}")


def main() -> None:
    """Parse the options and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--anki-notes", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=[*BANKS, "hostile"])
    args = parser.parse_args()
    if args.only != "hostile":
        bench_banks(args.questions, args.anki_notes, args.repeats, args.only)
    if args.only in (None, "hostile"):
        bench_hostile(args.repeats)


if __name__ == "__main__":
    main()
