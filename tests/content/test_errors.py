"""Every kind of content error gives one clear line naming file, field and line; nothing loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.errors import ContentError
from tutorbot.content.loader import load_library

from .conftest import FIXTURES, Pack, topic_yaml

CASES = {
    "answer_letter": "answer_letter/topic.yaml:13: questions[0].answer: "
    "answer 'D' is not one of the choice letters A, B, C",
    "check_fails": "check_fails/topic.yaml:14: questions[0].check: "
    "check '7 * 8' gives 56, which is in B, not in the answer key A",
    "cycle": "cycle/b.yaml:4: prerequisites[0]: prerequisite cycle: "
    "a-topic -> b-topic -> c-topic -> a-topic (each is a prerequisite of the next)",
    "duplicate_id": "duplicate_id/two/same.yaml:1: id: duplicate topic id 'same-topic': "
    f"also the id in {FIXTURES / 'duplicate_id/one/same.yaml'}",
    "empty_prompt": "empty_prompt/topic.yaml:8: questions[0].prompt: must not be empty",
    "non_utf8": "non_utf8/topic.yaml:2: not valid UTF-8 text",
    "not_mapping": "not_mapping/topic.yaml:1: a topic file must be a mapping of fields, "
    "this is a list",
    "repeated_question_id": "repeated_question_id/topic.yaml:11: questions[1].id: "
    "question id 'twice' appears more than once in this topic",
    "unknown_key": "unknown_key/topic.yaml:5: explainr: unknown key 'explainr'; "
    "did you mean 'explainer'?",
    "unknown_prerequisite": "unknown_prerequisite/beta.yaml:4: prerequisites[0]: "
    "unknown prerequisite 'alpha-topc'; did you mean alpha-topic",
    "yaml_syntax": "yaml_syntax/topic.yaml:4: YAML syntax error: while parsing a flow sequence "
    "did not find expected ',' or ']'",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_error_kind_is_one_clear_line(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ContentError) as caught:
        load_library(FIXTURES / kind)
    assert len(caught.value.issues) == 1
    assert str(caught.value.issues[0]).startswith(str(FIXTURES) + "/" + CASES[kind])

    assert run_check(FIXTURES / kind) == 1
    out = capsys.readouterr().out
    assert CASES[kind] in out
    assert "1 error; nothing was loaded." in out
    assert "Traceback" not in out


def test_every_error_of_a_run_is_reported_sorted(pack: Pack) -> None:
    root = pack(
        {
            "b.yaml": topic_yaml("b-topic", ["a-topic"]) + "bogus: 1\n",
            "a.yaml": topic_yaml("a-topic", ["missing-two"]),
            "c.yaml": "id: [unclosed\n",
        }
    )
    with pytest.raises(ContentError) as caught:
        load_library(root)
    lines = [str(issue) for issue in caught.value.issues]
    assert lines == [
        f"{root}/a.yaml:4: prerequisites[0]: unknown prerequisite 'missing-two'; "
        "no topic has a close id",
        f"{root}/b.yaml:6: bogus: unknown key 'bogus'",
        f"{root}/c.yaml:2: YAML syntax error: while parsing a flow sequence "
        "did not find expected ',' or ']'",
    ]


def test_missing_and_empty_folders_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="content folder not found"):
        load_library(tmp_path / "nope")
    with pytest.raises(ContentError, match=r"no topic files \(\*.yaml, \*.yml\) in this folder"):
        load_library(tmp_path)


def test_hidden_underscore_and_readme_files_are_skipped(pack: Pack) -> None:
    root = pack(
        {
            "a.yml": topic_yaml("a-topic"),
            "_draft.yaml": "not: [valid",
            ".hidden.yaml": "not: [valid",
            "README.md": "# notes",
        }
    )
    assert list(load_library(root).topics) == ["a-topic"]


@pytest.mark.parametrize(
    "text",
    ["", "\x00", "a: b: c", "- - - -", "id: 5\ntitle: [1]\n", "!!python/object:os.system {}", "["],
)
def test_no_input_gives_a_traceback(
    pack: Pack,
    text: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = pack({"t.yaml": text})
    assert run_check(root) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "nothing was loaded" in captured.out


def test_mistyped_prerequisites_in_a_big_pack_suggest_the_closest_ids(pack: Pack) -> None:
    words = ["linear", "bayesian", "spectral", "kernel", "sparse", "robust", "causal", "convex"]
    things = ["regression", "inference", "clustering", "sampling", "codes", "games", "flows"]
    ids = [f"{a}-{b}-{n}" for a in words for b in things for n in range(8)]
    files: dict[str, str | bytes] = {f"{tid}.yaml": topic_yaml(tid) for tid in ids}
    typos = {"spectral-clusterng-3": "spectral-clustering-3", "kernal-games-5": "kernel-games-5"}
    for n, typo in enumerate(typos):
        files[f"needs-{n}.yaml"] = topic_yaml(f"needs-{n}", [typo])
    with pytest.raises(ContentError) as caught:
        load_library(pack(files))
    messages = [issue.message for issue in caught.value.issues]
    assert len(messages) == len(typos)
    for message, (typo, meant) in zip(messages, typos.items(), strict=True):
        assert message.startswith(f"unknown prerequisite {typo!r}; did you mean {meant}, ")


def test_a_topic_id_shaped_like_a_server_pack_s_is_refused(pack: Pack) -> None:
    root = pack({"t.yaml": topic_yaml("p0123456789ab-capitals")})
    with pytest.raises(ContentError) as refused:
        load_library(root)
    assert "reserved for packs" in str(refused.value.issues[0])
