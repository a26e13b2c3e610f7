"""TutorBot's own topic files imported as a pack: one file or a zip of them, their ids and
prerequisites kept, a file with errors skipped with its lines, the archive held to the caps."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banks.helpers import SAMPLES
from banks.strategies import topics
from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import guess_format
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import ImportLimits, NotText, TooBig
from tutorbot.content.banks.topic_files import read_topic_files, sniff
from tutorbot.content.banks.write import topic_yaml
from tutorbot.content.loader import MAX_FILE_BYTES
from tutorbot.content.models import QuestionType, Topic
from tutorbot.content.safe_yaml import load_topic_yaml

FOLDER = SAMPLES / "topic_files"
PACK = FOLDER / "pack"
CONTENT = Path(__file__).parents[2] / "content"
SMALL = ImportLimits(max_file_bytes=64 * 1024, max_unpacked_bytes=64 * 1024, max_entries=20)


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive of these members, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zipped_pack(extra: dict[str, bytes] | None = None) -> bytes:
    """samples/topic_files/pack zipped as an instructor zips a folder (under `pack/`)."""
    members = {
        f"pack/{path.relative_to(PACK).as_posix()}": path.read_bytes()
        for path in sorted(PACK.rglob("*"))
        if path.is_file()
    }
    return zip_of(members | (extra or {}))


def imported(name: str, data: bytes, format_name: str | None = None) -> Imported:
    return import_upload(Upload(name, data), format_name)


def test_a_single_topic_file_keeps_its_id_fields_and_questions() -> None:
    path = PACK / "counting-bears.yaml"
    result = imported(path.name, path.read_bytes())
    assert result.format == "topics"
    assert result.problems == []
    [topic] = result.topics
    assert topic == Topic.model_validate(load_topic_yaml(path.read_bytes()))
    assert topic.id == "counting-bears"
    assert topic.level == "Early Years"
    assert topic.tags == ("counting", "manipulatives")
    assert topic.prerequisites == ("counting-to-five",)
    first, second = topic.questions
    assert (first.id, first.answer, first.check, first.hint) == (
        "five-bears",
        "B",
        "2 + 3",
        "Touch each bear once.",
    )
    assert (second.id, second.type, second.think_seconds) == (
        "last-number",
        QuestionType.TRUE_FALSE,
        20,
    )


def test_a_bundled_topic_file_imports_as_the_same_topic() -> None:
    path = CONTENT / "01-early-number" / "counting-to-five.yaml"
    [topic] = imported(path.name, path.read_bytes()).topics
    written = Topic.model_validate(load_topic_yaml(path.read_bytes()))
    assert topic == written.model_copy(update={"allow_warnings": topic.allow_warnings})


def test_a_zip_of_topic_files_in_folders_keeps_prerequisites_in_the_pack_and_the_course() -> None:
    result = imported("bears.zip", zipped_pack())
    assert result.format == "topics"
    by_id = {topic.id: topic for topic in result.topics}
    assert sorted(by_id) == ["counting-bears", "sharing-bears"]
    assert by_id["counting-bears"].prerequisites == ("counting-to-five",)
    assert by_id["sharing-bears"].prerequisites == ("counting-bears", "counting-to-five")
    assert [q.id for q in by_id["sharing-bears"].questions] == [
        "six-for-two",
        "name-a-share",
        "explain-sharing",
    ]
    assert by_id["sharing-bears"].questions[1].answers == ("fair sharing", "fair", "equal sharing")
    assert result.problems == [
        Problem("pack/README.md", "not a topic file (.yaml or .yml); ignored"),
    ]


def test_hidden_entries_and_folders_in_a_zip_are_skipped_silently() -> None:
    junk = {"__MACOSX/pack/._counting-bears.yaml": b"\x00\x05\x16\x07", "pack/.DS_Store": b"\0"}
    result = imported("bears.zip", zipped_pack(junk))
    assert len(result.topics) == 2
    assert [problem.where for problem in result.problems] == ["pack/README.md"]


def test_a_topic_id_met_again_in_a_zip_is_a_problem_in_the_second_file() -> None:
    again = (PACK / "counting-bears.yaml").read_bytes().replace(b"title: Counting", b"title: More")
    result = imported("bears.zip", zipped_pack({"pack/later/z-copy.yaml": again}))
    assert sorted(topic.title for topic in result.topics) == ["Counting Bears", "Sharing Bears"]
    assert result.problems[1:] == [
        Problem(
            "pack/later/z-copy.yaml, line 1",
            "id: duplicate topic id 'counting-bears': also the id in pack/counting-bears.yaml",
        ),
        Problem(
            "pack/later/z-copy.yaml", "not imported: fix the problem above and import it again"
        ),
    ]


def test_a_file_with_errors_is_skipped_with_each_error_s_line_and_field() -> None:
    broken = (FOLDER / "broken.yaml").read_bytes()
    result = imported("bears.zip", zipped_pack({"pack/broken.yaml": broken}))
    assert len(result.topics) == 2
    assert result.problems[1:] == [
        Problem(
            "pack/broken.yaml, line 1",
            "id: must be a lower-case slug like 'counting-to-10' (letters, digits, single hyphens)",
        ),
        Problem(
            "pack/broken.yaml, line 10",
            "questions[0].answer: answer 'C' is not one of the choice letters A, B",
        ),
        Problem("pack/broken.yaml, line 17", "questions[1].colour: unknown key 'colour'"),
        Problem("pack/broken.yaml", "not imported: fix the 3 problems above and import it again"),
    ]


def test_a_single_file_with_errors_gives_no_topic_and_its_problems() -> None:
    result = imported("broken.yaml", (FOLDER / "broken.yaml").read_bytes())
    assert result.topics == []
    assert [problem.where for problem in result.problems] == [
        "broken.yaml, line 1",
        "broken.yaml, line 10",
        "broken.yaml, line 17",
        "broken.yaml",
    ]


def test_a_check_that_disagrees_with_the_answer_key_skips_the_file() -> None:
    result = imported("wrong_check.yaml", (FOLDER / "wrong_check.yaml").read_bytes())
    assert result.topics == []
    assert result.problems[0] == Problem(
        "wrong_check.yaml, line 10",
        "questions[0].check: check '2 + 3' gives 5, but the answer key accepts 4",
    )


def test_broken_yaml_in_a_zip_is_a_problem_with_its_line() -> None:
    result = imported("bears.zip", zipped_pack({"pack/bad.yaml": b"id: x\ntitle: [unclosed\n"}))
    assert len(result.topics) == 2
    [problem] = [p for p in result.problems if p.where.startswith("pack/bad.yaml")]
    assert problem.where == "pack/bad.yaml, line 3"
    assert problem.why.startswith("YAML syntax error: ")
    assert problem.why.endswith("; the file is skipped")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id: x\ntitle: [unclosed\n", "line 3: YAML syntax error"),
        (
            b"- id: x\n- title: y\n",
            "line 1: a topic file must be a mapping of fields, this is a list",
        ),
        (b"", "line 1: a topic file must be a mapping of fields, this is empty"),
        (b"id: x\nid: y\n", "line 2: key 'id' appears twice"),
        (b"id: \xff\n", "not valid UTF-8 text"),
    ],
)
def test_a_single_file_that_is_not_a_yaml_mapping_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message.replace("[", r"\[")):
        imported("topic.yaml", data, "topics")


def test_a_zip_entry_over_the_topic_file_cap_is_skipped_and_the_others_imported() -> None:
    huge = b"id: huge\n" + b"#" * MAX_FILE_BYTES
    result = imported("bears.zip", zipped_pack({"pack/huge.yaml": huge}))
    assert len(result.topics) == 2
    assert (
        Problem(
            "pack/huge.yaml",
            f"the file is {len(huge):,} bytes, more than the 1,048,576 bytes (1 MiB) a topic file "
            "may have; skipped",
        )
        in result.problems
    )


def test_a_zip_bomb_is_refused_naming_the_cap() -> None:
    bomb = zip_of({"pack/bomb.yaml": b"#" * (SMALL.max_unpacked_bytes + 1)})
    assert len(bomb) < 2048
    for format_name in ("topics", None):
        with pytest.raises(ImportRefused, match="TUTORBOT_IMPORT_MAX_UNPACKED_MB"):
            import_upload(Upload("bomb.zip", bomb, SMALL), format_name)


def test_a_zip_of_too_many_entries_is_refused_naming_the_cap() -> None:
    many = zip_of({f"t{n}.yaml": b"id: t\n" for n in range(SMALL.max_entries + 1)})
    with pytest.raises(ImportRefused, match="TUTORBOT_IMPORT_MAX_ENTRIES"):
        import_upload(Upload("many.zip", many, SMALL), "topics")


def test_a_zip_without_topic_files_is_refused() -> None:
    with pytest.raises(ImportRefused, match="holds no topic files"):
        imported("notes.zip", zip_of({"notes.txt": b"hello"}), "topics")


def test_bytes_named_zip_that_are_not_a_zip_are_refused() -> None:
    with pytest.raises(ImportRefused, match="not a zip archive"):
        imported("bears.zip", b"PK\x03\x04 not really", "topics")


def test_the_guess_takes_topic_files_as_topics_and_a_trivia_list_as_red_trivia() -> None:
    for path in sorted(CONTENT.rglob("*.yaml")):
        assert guess_format(Upload(path.name, path.read_bytes())).name == "topics", path
    assert guess_format(Upload("bears.zip", zipped_pack())).name == "topics"
    assert guess_format(Upload("bears", zipped_pack())).name == "topics"
    trivia = SAMPLES / "red_trivia" / "world_capitals.yaml"
    assert guess_format(Upload(trivia.name, trivia.read_bytes())).name == "red-trivia"


def test_sniff_knows_topic_files_from_other_files() -> None:
    assert sniff(Upload("t.yml", b"title: T\nid: t\ncore_idea: C\n"))
    assert not sniff(Upload("t.yaml", b"id: t\ntitle: T\n"))
    assert not sniff(
        Upload("t.yaml", (SAMPLES / "red_trivia" / "world_capitals.yaml").read_bytes())
    )
    assert not sniff(Upload("x.zip", zip_of({"notes.txt": b"id: t\n"})))
    assert not sniff(Upload("x.zip", b"PK\x03\x04 broken"))


@given(topic=topics(topic_id="round-trip"))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_written_topic_imports_as_the_same_topic(topic: Topic) -> None:
    result = imported("round.yaml", topic_yaml(topic).encode(), "topics")
    assert result.problems == []
    assert result.topics == [topic]


garbage = st.binary(max_size=400) | st.text(max_size=300).map(str.encode)


@given(data=garbage, name=st.sampled_from(["x.yaml", "x.yml", "x.zip", "x"]))
@settings(max_examples=200, deadline=None)
def test_random_bytes_give_a_bank_or_a_refusal(data: bytes, name: str) -> None:
    upload = Upload(name, data, SMALL)
    assert isinstance(sniff(upload), bool)
    try:
        bank = read_topic_files(upload)
    except (ImportRefused, TooBig, NotText):
        return
    assert isinstance(bank, Bank)


@given(members=st.dictionaries(st.sampled_from(["a.yaml", "b/c.yml", "d.txt"]), garbage))
@settings(max_examples=100, deadline=None)
def test_random_zip_members_give_a_bank_or_a_refusal(members: dict[str, bytes]) -> None:
    try:
        bank = read_topic_files(Upload("x.zip", zip_of(members), SMALL))
    except (ImportRefused, TooBig):
        return
    assert {problem.where.split(",")[0] for problem in bank.problems} <= set(members)


def test_lines_are_looked_up_for_the_first_hundred_problems_only() -> None:
    broken = (FOLDER / "broken.yaml").read_bytes()
    result = imported("broken.zip", zip_of({f"t{n:02}.yaml": broken for n in range(40)}))
    assert result.topics == []
    assert len(result.problems) == 160
    assert result.problems[0].where == "t00.yaml, line 1"
    assert result.problems[-2] == Problem("t39.yaml", "questions[1].colour: unknown key 'colour'")


def test_an_entry_s_name_is_shown_printable() -> None:
    result = imported("x.zip", zip_of({"a\nb\x1b.txt": b"", "t.yaml": b"id: t\n"}), "topics")
    assert result.problems[0] == Problem("a?b?.txt", "not a topic file (.yaml or .yml); ignored")
