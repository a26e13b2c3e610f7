"""Hostile topic files and folders: refused with one clear line each, quickly, and nothing loads.

Permission tests drop root's privileges in a subprocess (root ignores file permissions, and CI
runs as root), so they exercise the failure as any user would meet it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.errors import MAX_SHOWN_ERRORS, ContentError
from tutorbot.content.loader import MAX_FILE_BYTES, load_library

from .conftest import Pack, topic_yaml

NOBODY = 65534
_CHECK = """
import os, resource, sys
from tutorbot.cli.content import run_check
folder, memory, user = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if memory:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
if user >= 0:
    os.setgroups([])
    os.setgid(user)
    os.setuid(user)
sys.exit(run_check(folder))
"""


def check_lines(
    folder: Path, *, memory: int = 0, user: int = -1, timeout: float = 60
) -> tuple[int, list[str]]:
    """Run `run_check(folder)` in a fresh process (optionally with a memory limit or as another
    user, after the imports); return its exit code and its output lines."""
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, str(folder), str(memory), str(user)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stdout.splitlines()


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A temp folder every user can enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="tutorbot-hostile-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def write(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root (folders world-readable) and return root."""
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def refused(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines `content check` prints for a folder that must not load."""
    with pytest.raises(ContentError):
        load_library(root)
    assert run_check(root) == 1
    return capsys.readouterr().out.splitlines()


def alias_bomb(levels: int = 9) -> str:
    lines = ["id: alias-bomb", "core_idea: An idea."]
    lines.append("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]")
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    lines.append(f"title: *l{levels - 1}")
    lines.append(f"prerequisites: *l{levels - 1}")
    return "\n".join(lines) + "\n"


# Item 2: an alias bomb is refused while parsing, and no input value is printed unclipped.


def test_alias_bomb_is_refused_while_parsing_within_a_memory_limit(open_dir: Path) -> None:
    root = write(open_dir, {"bomb.yaml": alias_bomb()})
    code, lines = check_lines(root, memory=1 << 30)
    assert lines == [
        f"{root}/bomb.yaml:11: aliases (*name) repeat more than 1,000 values in this file "
        "(the last one repeats the value anchored here); refused",
        "1 error; nothing was loaded.",
    ]
    assert code == 1


@pytest.mark.parametrize("field", ["title", "prerequisites"])
def test_alias_bomb_in_one_field_is_refused(
    field: str, pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = alias_bomb(levels=5).replace(f"{field}: *l4", f"{field}: *l4\nx: *l4")
    root = pack({"bomb.yaml": bomb})
    lines = refused(root, capsys)
    assert lines == [
        f"{root}/bomb.yaml:7: aliases (*name) repeat more than 1,000 values in this file "
        "(the last one repeats the value anchored here); refused",
        "1 error; nothing was loaded.",
    ]


def test_recursive_alias_is_refused(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    root = pack({"loop.yaml": topic_yaml("loop") + "tags: &me [a, *me]\n"})
    assert refused(root, capsys) == [
        f"{root}/loop.yaml:5: aliases (*name) repeat more than 1,000 values in this file "
        "(the last one repeats the value anchored here); refused",
        "1 error; nothing was loaded.",
    ]


def test_merge_key_bomb_is_refused(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: v" for i in range(9)) + "}"]
    for level in range(1, 9):
        lines.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 40)}]}}")
    root = pack({"merge.yaml": topic_yaml("merge") + "\n".join(lines) + "\n"})
    out = refused(root, capsys)
    assert out[-1] == "1 error; nothing was loaded."
    assert "refused" in out[0]


def test_ordinary_anchors_still_load(pack: Pack) -> None:
    question = (
        "- id: q{n}\n  type: true_false\n  prompt: Is {n} even?\n  answer: {even}\n"
        "  explanation: {explanation}\n"
    )
    root = pack(
        {
            "anchors.yaml": topic_yaml("anchors")
            + "tags: &tags [counting, parity]\n"
            + "questions:\n"
            + question.format(n=2, even="true", explanation="&why Even numbers split in two.")
            + question.format(n=4, even="true", explanation="*why")
        }
    )
    library = load_library(root)
    topic = library.topics["anchors"]
    assert topic.tags == ("counting", "parity")
    assert topic.questions[1].explanation == "Even numbers split in two."


def test_a_long_input_value_is_clipped_in_the_message(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    long_key = "k" * 5000
    root = pack(
        {
            "long.yaml": "id: long\ntitle: [" + "x" * 5000 + "]\ncore_idea: An idea.\n"
            f"? {long_key}\n: 1\n"
        }
    )
    assert refused(root, capsys) == [
        f"{root}/long.yaml:2: title: must be text, not ['" + "x" * 57 + "…",
        f"{root}/long.yaml:4: {'k' * 59}…: unknown key '" + "k" * 59 + "…'",
        "2 errors; nothing was loaded.",
    ]


# Item 3: file size, list lengths and the number of errors printed are capped.


def test_a_file_over_the_size_cap_is_refused_without_reading_it(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    root = pack({"ok.yaml": topic_yaml("ok-topic")})
    with (root / "huge.yaml").open("wb") as huge:
        huge.truncate(200 * 1024 * 1024)  # sparse: reading it would take 200 MB and seconds
    assert refused(root, capsys) == [
        f"{root}/huge.yaml: the file is 209,715,200 bytes, more than the 1,048,576 bytes (1 MiB) "
        "a topic file may have",
        "1 error; nothing was loaded.",
    ]


def test_the_size_cap_leaves_room_for_the_biggest_topic_the_models_allow() -> None:
    assert MAX_FILE_BYTES == 1024 * 1024


def test_a_long_list_is_one_error_not_one_per_item(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = "- BAD\n" * 100_000
    root = pack({"tags.yaml": topic_yaml("many-tags") + "tags:\n" + tags})
    assert refused(root, capsys) == [
        f"{root}/tags.yaml:6: tags: has more than 20 items (100,000 given)",
        "1 error; nothing was loaded.",
    ]


def test_long_lists_and_mappings_inside_questions_are_capped(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    choices = "".join(f"  - choice {i}\n" for i in range(5000))
    keys = "".join(f"  key{i}: 1\n" for i in range(5000))
    root = pack(
        {
            "q.yaml": topic_yaml("questions")
            + "questions:\n"
            + "- id: many-choices\n  type: multiple_choice\n  prompt: P\n  answer: A\n"
            + "  explanation: E\n  choices:\n"
            + choices
            + "- id: many-keys\n"
            + keys
        }
    )
    assert refused(root, capsys) == [
        f"{root}/q.yaml:12: questions[0].choices: has more than 10 items (5,000 given)",
        f"{root}/q.yaml:5012: questions[1]: has more than 50 keys (5,001 given)",
        "2 errors; nothing was loaded.",
    ]


def many_errors(pack: Pack, count: int) -> Path:
    return pack({f"t{n:03d}.yaml": "- not a mapping\n" for n in range(count)})


def test_check_prints_at_most_the_capped_number_of_errors(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    root = many_errors(pack, MAX_SHOWN_ERRORS + 50)
    lines = refused(root, capsys)
    assert lines[:2] == [
        f"{root}/t000.yaml:1: a topic file must be a mapping of fields, this is a list",
        f"{root}/t001.yaml:1: a topic file must be a mapping of fields, this is a list",
    ]
    assert len(lines) == MAX_SHOWN_ERRORS + 2
    assert lines[-2:] == [
        "… and 50 more errors",
        f"{MAX_SHOWN_ERRORS + 50} errors; nothing was loaded.",
    ]


def test_content_error_holds_a_bounded_list_for_every_consumer(pack: Pack) -> None:
    root = many_errors(pack, MAX_SHOWN_ERRORS + 50)
    with pytest.raises(ContentError) as caught:
        load_library(root)
    error = caught.value
    assert (len(error.issues), error.count, error.more) == (
        MAX_SHOWN_ERRORS,
        MAX_SHOWN_ERRORS + 50,
        50,
    )
    text = str(error)  # what `tutorbot run` and the console print at startup
    assert text.splitlines()[0] == f"{MAX_SHOWN_ERRORS + 50} content errors:"
    assert text.splitlines()[-1] == "… and 50 more errors"
    assert len(text.splitlines()) == MAX_SHOWN_ERRORS + 2
    from tutorbot.bot.exts.admin import errors_text  # the /tutoradmin reload reply

    reply = errors_text(error)
    assert reply.startswith(f"The content has {MAX_SHOWN_ERRORS + 50} errors;")
    shown = reply.split("```\n", 1)[1].removesuffix("\n```").splitlines()
    assert shown[-1] == f"… and {MAX_SHOWN_ERRORS + 50 - (len(shown) - 1)} more"


# Items 6 and 18: a folder the bot cannot read or enter is an error naming it.


def unreadable(open_dir: Path, mode: int) -> Path:
    root = write(
        open_dir,
        {"ok.yaml": topic_yaml("ok-topic"), "locked/inside.yaml": topic_yaml("inside-topic")},
    )
    (root / "locked").chmod(mode)
    return root


def test_a_folder_without_read_permission_is_an_error_naming_it(open_dir: Path) -> None:
    root = unreadable(open_dir, 0o311)
    code, lines = check_lines(root, user=NOBODY)
    assert lines == [
        f"{root}/locked: cannot read this folder: read (r) permission is missing "
        "for the user running TutorBot",
        "1 error; nothing was loaded.",
    ]
    assert code == 1


def test_a_folder_without_execute_permission_is_an_error_naming_it(open_dir: Path) -> None:
    root = unreadable(open_dir, 0o644)
    code, lines = check_lines(root, user=NOBODY)
    assert lines == [
        f"{root}/locked: cannot read this folder: execute (x) permission is missing "
        "for the user running TutorBot",
        "1 error; nothing was loaded.",
    ]
    assert code == 1


def test_a_folder_without_any_permission_names_both(open_dir: Path) -> None:
    root = unreadable(open_dir, 0o000)
    code, lines = check_lines(root, user=NOBODY)
    assert lines == [
        f"{root}/locked: cannot read this folder: read (r) and execute (x) permission are "
        "missing for the user running TutorBot",
        "1 error; nothing was loaded.",
    ]
    assert code == 1


def test_an_unreadable_file_is_an_error_naming_it(open_dir: Path) -> None:
    root = write(open_dir, {"ok.yaml": topic_yaml("ok-topic"), "secret.yaml": topic_yaml("s")})
    (root / "secret.yaml").chmod(0o200)
    code, lines = check_lines(root, user=NOBODY)
    assert lines == [
        f"{root}/secret.yaml: cannot read the file: read (r) permission is missing "
        "for the user running TutorBot",
        "1 error; nothing was loaded.",
    ]
    assert code == 1


def test_hidden_folders_are_not_read_at_all(open_dir: Path) -> None:
    root = unreadable(open_dir, 0o000)
    (root / "locked").rename(root / "_locked")
    code, lines = check_lines(root, user=NOBODY)
    assert code == 0
    assert lines[-1].startswith("Valid:")


# Item 16: a key repeated in one mapping is an error naming both lines.


def test_a_repeated_key_is_an_error_with_both_lines(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    root = pack({"twice.yaml": topic_yaml("twice") + "title: Second Title\n"})
    assert refused(root, capsys) == [
        f"{root}/twice.yaml:5: key 'title' appears twice in one mapping (lines 2 and 5); "
        "YAML would keep only the last",
        "1 error; nothing was loaded.",
    ]


def test_a_repeated_key_inside_a_question_is_an_error(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    question = (
        "questions:\n- id: q1\n  type: true_false\n  prompt: P\n  answer: true\n"
        "  answer: false\n  explanation: E\n"
    )
    root = pack({"q.yaml": topic_yaml("twice") + question})
    assert refused(root, capsys) == [
        f"{root}/q.yaml:10: key 'answer' appears twice in one mapping (lines 9 and 10); "
        "YAML would keep only the last",
        "1 error; nothing was loaded.",
    ]


def test_a_merge_key_may_still_be_overridden(pack: Pack) -> None:
    base = "- &base\n  id: q1\n  type: true_false\n  prompt: P\n  answer: true\n  explanation: E\n"
    override = "- <<: *base\n  id: q2\n  answer: false\n"
    root = pack({"m.yaml": topic_yaml("merged") + "questions:\n" + base + override})
    topic = load_library(root).topics["merged"]
    assert [(q.id, q.answer) for q in topic.questions] == [("q1", True), ("q2", False)]


# Item 17: a symlink out of the content folder is refused by name; one inside is followed.


def test_a_symlink_to_a_file_outside_is_refused(
    pack: Pack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(topic_yaml("outside-topic"))
    root = pack({"ok.yaml": topic_yaml("ok-topic")})
    (root / "link.yaml").symlink_to(outside)
    assert refused(root, capsys) == [
        f"{root}/link.yaml: a symbolic link to outside the content folder; refused",
        "1 error; nothing was loaded.",
    ]


def test_a_symlink_to_a_folder_outside_is_refused(
    pack: Pack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "t.yaml").write_text(topic_yaml("outside-topic"))
    root = pack({"ok.yaml": topic_yaml("ok-topic")})
    (root / "more").symlink_to(outside, target_is_directory=True)
    assert refused(root, capsys) == [
        f"{root}/more: a symbolic link to outside the content folder; refused",
        "1 error; nothing was loaded.",
    ]


def test_a_broken_symlink_is_an_error(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    root = pack({"ok.yaml": topic_yaml("ok-topic")})
    (root / "gone.yaml").symlink_to(root / "nothing-here.yaml")
    assert refused(root, capsys) == [
        f"{root}/gone.yaml: a symbolic link to nothing (its target does not exist)",
        "1 error; nothing was loaded.",
    ]


def test_symlinks_inside_the_folder_are_followed_once(pack: Pack) -> None:
    root = pack({"_shared/a.yaml": topic_yaml("a-topic"), "topics/b.yaml": topic_yaml("b-topic")})
    (root / "topics" / "a.yaml").symlink_to(Path("../_shared/a.yaml"))
    (root / "topics" / "again").symlink_to(Path(".."), target_is_directory=True)
    (root / "aaa").symlink_to(Path("topics"), target_is_directory=True)
    library = load_library(root)
    assert sorted(library.topics) == ["a-topic", "b-topic"]
    assert library.source("a-topic") == root / "topics" / "a.yaml"
    assert library.source("b-topic") == root / "topics" / "b.yaml"


_RUN = """
import os, sys
import tutorbot.bot.runner
from tutorbot.cli import main
os.setgroups([])
os.setgid(int(sys.argv[1]))
os.setuid(int(sys.argv[1]))
sys.exit(main(["run"]))
"""


def test_run_names_a_folder_it_cannot_enter_instead_of_blaming_the_network(
    open_dir: Path,
) -> None:
    root = unreadable(open_dir / "content", 0o644)
    data = open_dir / "data"
    data.mkdir(mode=0o777)
    data.chmod(0o777)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DISCORD_TOKEN="not-a-real-token",
        TUTORBOT_CONTENT_DIR=str(root),
        TUTORBOT_DB_PATH=str(data / "bot.sqlite3"),
        TUTORBOT_DISCORD_API_URL="http://127.0.0.1:9/api/v10",  # nothing listens there
    )
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(NOBODY)],
        env=env, cwd=open_dir, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert (
        done.stderr.splitlines()[-2:]
        == [
            "The content folder has errors; fix them and start again:",
            "1 content error:",
            f"{root}/locked: cannot read this folder: execute (x) permission is missing "
            "for the user running TutorBot",
        ][-2:]
    )
    assert "network" not in done.stderr


def test_a_number_too_long_for_python_is_a_content_error(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    root = pack({"n.yaml": topic_yaml("big-number") + "level: 1" + "0" * 5000 + "\n"})
    lines = refused(root, capsys)
    assert lines == [
        f"{root}/n.yaml: YAML value error: Exceeds the limit (4300 digits) for integer string "
        "conversion: value has 5001 digits",
        "1 error; nothing was loaded.",
    ]
