"""A quiz on the seed topic driven through a pipe: every question type, the delayed reveal, the
self-assessment, the summary, and the answers the database holds afterwards."""

from __future__ import annotations

import re
from pathlib import Path

from tutorbot.content.loader import load_library
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .console_helpers import SEED, answers, piped, run_script

KIND = r"Answer with a letter \(A–D\)\.|Answer true or false\.|Type reveal"


def test_every_question_type_with_delayed_reveal_and_self_assessment(db_path: Path) -> None:
    topic = load_library(BUNDLED_CONTENT_DIR).topics[SEED]
    by_prompt = {q.prompt.strip().splitlines()[0]: q for q in topic.questions}
    console = piped(db_path)
    console.sendline(f"/quiz {SEED}")
    seen = []
    for number in range(1, 5):
        console.expect(f"Question {number} of 4\n")
        console.expect(KIND)
        prompt = str(console.before).strip().splitlines()[0]
        question = by_prompt[prompt]
        seen.append(question.type.value)
        if question.type.value == "free_response":
            console.sendline("A")
            console.expect("That does not fit this kind of question.")
            console.sendline("got it")
            console.expect("Type reveal to see the model answer before judging your own.")
            console.sendline("reveal")
            console.expect(r"Not yet: think it through first\. The model answer opens in 20 s\.")
            console.sendline("write A task that needs semantics, not pixel statistics")
            console.expect("Saved your answer.")
            console.sendline("/wait 30")
            console.expect(r"Skipped ahead 30 s \(this console's clock only\)\.")
            console.sendline("reveal")
            console.expect("Your answer\nA task that needs semantics, not pixel statistics\n")
            console.expect("Model answer\nAn effective SSL task")
            console.sendline("got it")
            console.expect("You said: Got it")
        elif question.type.value == "multiple_choice":
            console.sendline("true")
            console.expect("That is not one of this question's options.")
            console.sendline("next")
            console.expect("Answer this question first, then type next.")
            console.sendline(str(question.answer))
            console.expect("✅ Correct!")
            console.expect(f"Correct answer: {question.answer}. ")
            console.sendline(str(question.answer))
            console.expect(re.escape(f"You already answered this question ({question.answer})."))
        else:
            console.sendline("E")
            console.expect("That is not one of this question's options.")
            console.sendline("true")
            console.expect("✅ Correct!\nYou answered True.\nCorrect answer: True\nWhy\n")
        console.sendline("next")
    console.expect("Quiz complete: Self-Supervised Learning Theory\nScore: 4 / 4 \\(100%\\)\n")
    console.expect("🏆 You have mastered Self-Supervised Learning Theory.")
    console.sendline("/stats")
    console.expect("Answered: 4\nCorrect: 4 \\(100%\\)\nPoints: 400\nTopics practised: 1")
    console.sendline("/quit")
    console.expect("Bye")
    assert console.wait() == 0
    assert sorted(seen) == ["free_response", "multiple_choice", "multiple_choice", "true_false"]
    assert sorted(answers(db_path)) == [
        ("contrastive-vs-masked", "True", 1),
        ("effective-ssl-task", "got_it", 1),
        ("few-label-fine-tuning", "B", 1),
        ("information-theoretic-principle", "A", 1),
    ]
    again = run_script(db_path, ["/progress", f"/topic {SEED}"])
    assert "Recently mastered\n  • Self-Supervised Learning Theory" in again
    assert "✅ You know this topic" in again


def test_an_unfinished_quiz_is_picked_up_in_the_next_session(db_path: Path) -> None:
    first = run_script(db_path, [f"/quiz {SEED} 2"])
    assert "Question 1 of 2" in first
    resumed = run_script(db_path, ["stop"])
    assert "Picking up your quiz on Self-Supervised Learning Theory where you left it." in resumed
    assert "Question 1 of 2" in resumed
    assert "Score: 0 / 2 (0%)" in resumed
    assert "2 question(s) left unanswered count as missed." in resumed
    assert answers(db_path) == []
