"""`tutorbot content import` and `export` as an admin uses them: what they print, what they
write, what they refuse; and the bundled course through an LMS format and back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutorbot.cli import main
from tutorbot.content.loader import load_library
from tutorbot.content.models import Question, Topic
from tutorbot.settings import BUNDLED_CONTENT_DIR

GIFT = """\
// Capitals, with one question TutorBot cannot take
$CATEGORY: $course$/top/Counting to Five

::five::How many fingers are on one hand? {#5}

::paris::The capital of France is {=Paris ~Lyon ~Nice}.

::match::Match the capitals. {
  =France -> Paris
  =Spain -> Madrid
}
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with the bundled content configured and no .env."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TUTORBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TUTORBOT_CONTENT_DIR", str(BUNDLED_CONTENT_DIR))
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_import_prints_what_it_made_and_what_it_left_and_writes_a_pack_that_checks(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "capitals.gift").write_text(GIFT)
    code, out = _run(capsys, "content", "import", "capitals.gift")
    assert code == 0, out
    assert out.splitlines()[:5] == [
        "Imported capitals.gift (Moodle GIFT): 1 topic, 2 questions.",
        "  counting-to-five-2: Counting to Five (1 numeric, 1 multiple choice)",
        "",
        "Not imported (1):",
        f"  {out.splitlines()[4].strip()}",
    ]
    assert out.splitlines()[4].startswith("  line 8")
    assert "match" in out.splitlines()[4].lower()
    assert out.rstrip().endswith(
        f"Wrote 1 topic file to capitals{os.sep}. Check with: tutorbot content check capitals"
    )
    topic = load_library(workdir / "capitals").get("counting-to-five-2")
    assert topic is not None
    assert [q.id for q in topic.questions] == ["five", "paris"]
    code, out = _run(capsys, "content", "check", "capitals")
    assert code == 0 and "Valid:" in out


def test_import_never_writes_over_a_folder(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "capitals.gift").write_text(GIFT)
    (workdir / "capitals").mkdir()
    (workdir / "capitals" / "notes.txt").write_text("mine")
    code, out = _run(capsys, "content", "import", "capitals.gift")
    assert code == 1
    assert out.strip() == (
        "Cannot import capitals.gift: capitals already exists and is not an empty folder. "
        "Nothing was written."
    )
    assert [p.name for p in (workdir / "capitals").iterdir()] == ["notes.txt"]
    code, out = _run(capsys, "content", "import", "capitals.gift", "--out", "elsewhere")
    assert code == 0 and (workdir / "elsewhere").is_dir()


def test_refusals_name_the_reason_and_write_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "noise.bin").write_bytes(bytes(range(256)) * 8)
    code, out = _run(capsys, "content", "import", "noise.bin")
    assert code == 1
    assert out.startswith("Cannot import noise.bin: ")
    assert out.rstrip().endswith("Nothing was written.")

    (workdir / "big.gift").write_text(GIFT * 20_000)
    monkeypatch.setenv("TUTORBOT_IMPORT_MAX_FILE_MB", "1")
    code, out = _run(capsys, "content", "import", "big.gift")
    assert code == 1
    assert "files of at most 1 MB are imported (setting TUTORBOT_IMPORT_MAX_FILE_MB)" in out

    (workdir / "only-matching.gift").write_text("::m::Match. {=a -> b =c -> d}\n")
    code, out = _run(capsys, "content", "import", "only-matching.gift")
    assert code == 1
    assert "line 1" in out and out.rstrip().endswith("Nothing was written.")

    code, out = _run(capsys, "content", "import", "missing.gift")
    assert code == 1 and out.startswith("Cannot read missing.gift: ")
    assert sorted(p.name for p in workdir.iterdir()) == [
        "big.gift",
        "noise.bin",
        "only-matching.gift",
    ]


def test_quizlet_separator_by_name(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "words.txt").write_text("la pomme,the apple\nle chat,the cat\n")
    code, out = _run(
        capsys, "content", "import", "words.txt", "--format", "quizlet", "--separator", "comma"
    )
    assert code == 0, out
    topic = load_library(workdir / "words").get("words")
    assert topic is not None
    assert [(q.prompt, q.accepted) for q in topic.questions] == [
        ("the apple", ("la pomme",)),
        ("the cat", ("le chat",)),
    ]


def _same(exported: Topic, imported: Topic, *, hints: bool) -> None:
    assert imported.title == exported.title
    fields = {"id", "type", "prompt", "choices", "answer", "answers", "explanation"}
    fields |= {"hint"} if hints else set()
    for before, after in zip(exported.questions, imported.questions, strict=True):
        assert _kept(after, fields) == _kept(before, fields), before.id
        if before.number is not None or before.range is not None:
            assert after.bounds == before.bounds


def _kept(question: Question, fields: set[str]) -> dict[str, object]:
    data = question.model_dump(include=fields)
    if question.type.value == "numeric":
        data.pop("answer")
    return data


@pytest.mark.parametrize(("fmt", "suffix"), [("gift", ".gift"), ("moodle-xml", ".xml")])
def test_the_bundled_course_goes_out_and_comes_back_the_same(
    workdir: Path, capsys: pytest.CaptureFixture[str], fmt: str, suffix: str
) -> None:
    library = load_library(BUNDLED_CONTENT_DIR)
    ids = sorted(library.topics)
    out_file = workdir / f"course{suffix}"
    code, out = _run(capsys, "content", "export", *ids, "--format", fmt, "--out", str(out_file))
    assert code == 0, out
    assert out.startswith(f"Wrote {len(ids)} topics, ")
    code, out = _run(capsys, "content", "import", str(out_file), "--out", "again")
    assert code == 0, out
    assert "Not imported" not in out
    again = load_library(workdir / "again")
    by_title = {topic.title: topic for topic in again.topics.values()}
    assert len(again) == len(library)
    for topic_id in ids:
        exported = library.topics[topic_id]
        twins = [t for t in again.topics.values() if t.title == exported.title]
        imported = next(
            t for t in twins if [q.id for q in t.questions] == [q.id for q in exported.questions]
        )
        _same(exported, imported, hints=fmt == "moodle-xml")
    assert by_title


def test_export_to_standard_output_and_unknown_topics(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "content", "export", "counting-to-five", "--format", "gift")
    assert code == 0
    assert "$CATEGORY:" in out and "Counting to Five" in out and "::fingers-on-a-hand::" in out
    code, out = _run(capsys, "content", "export", "counting-to-fiv", "--format", "gift")
    assert code == 1
    assert out.strip() == (
        "No topic with id 'counting-to-fiv'. Did you mean: counting-to-five, counting-to-10, "
        "counting-to-20? Nothing was written."
    )


def test_the_real_command_line(workdir: Path) -> None:
    (workdir / "capitals.gift").write_text(GIFT)
    result = subprocess.run(
        [sys.executable, "-m", "tutorbot", "content", "import", "capitals.gift", "--out", "pack"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=workdir,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert (workdir / "pack" / "counting-to-five-2.yaml").is_file()
