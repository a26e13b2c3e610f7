"""Hard-wrapped text: the breaks `soft_breaks` finds are the ones to join, and no others; the
linter warns about them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.models import WarningCode
from tutorbot.content.textflow import soft_breaks

from .conftest import Pack, topic_yaml

KEPT = """A sentence that ends here.
Next sentence on its own line.

**Worked example**
Step 1: add the ones.
Step 2: add the tens.

- an item that wraps
  onto a second line
- 3 + 4 = 7

```
code that
wraps
```
A hard break\\
kept"""


def reflow(text: str) -> str:
    """The text with every break `soft_breaks` finds joined into a space."""
    joins = set(soft_breaks(text))
    out: list[str] = []
    for number, line in enumerate(text.split("\n")):
        if number in joins:
            out[-1] = out[-1].rstrip() + " " + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def test_breaks_inside_a_sentence_are_joined() -> None:
    text = "The numbers 12 ÷ 2 = 6 and\n60 ÷ 10 = 6 are facts\nof division."
    assert soft_breaks(text) == [1, 2]
    assert reflow(text) == "The numbers 12 ÷ 2 = 6 and 60 ÷ 10 = 6 are facts of division."


def test_meant_line_breaks_are_kept() -> None:
    assert reflow(KEPT) == KEPT.replace("that wraps\n  onto", "that wraps onto")


@given(st.text(st.sampled_from("ab .:-*#`\n12"), max_size=200))
def test_reflow_keeps_every_word_and_finds_nothing_more(text: str) -> None:
    flowed = reflow(text)
    assert flowed.split() == text.split()
    assert soft_breaks(flowed) == []


def test_the_linter_warns_about_hard_wrapped_text(pack: Pack) -> None:
    wrapped = (
        "explainer: |\n  A paragraph wrapped at eighty columns\n  in the YAML file.\n"
        "questions:\n- id: q\n  type: true_false\n  prompt: Two plus two\n    is four.\n"
        "  answer: true\n  explanation: |\n    Count two\n    and two more.\n"
    )
    root = pack({"a.yaml": topic_yaml("a-topic") + wrapped})
    warnings = [w for w in lint(load_library(root)) if w.code is WarningCode.HARD_WRAPPED_TEXT]
    assert [w.message.split(" breaks")[0] for w in warnings] == [
        "explainer",
        "questions[0].explanation",
    ]
    assert "(line 2)" in warnings[0].message
