"""The console's command words and help, shared by the dispatcher and the completer."""

from __future__ import annotations

import difflib

SLASH_COMMANDS = (
    "/topic",
    "/quiz",
    "/progress",
    "/goal set",
    "/goal clear",
    "/stats",
    "/wait",
    "/help",
    "/quit",
)
TOPIC_COMMANDS = ("/topic", "/quiz", "/goal set")
"""Commands whose argument is a topic (completed by id and title)."""
CARD_WORDS = ("explainer", "more", "chain", "card", "known", "goal", "practice")
QUIZ_WORDS = ("reveal", "write", "got it", "partly", "missed", "next", "stop", "hint")
OTHER_WORDS = ("help", "quit")
ASSESSMENTS = {
    "got it": "got_it",
    "got_it": "got_it",
    "gotit": "got_it",
    "partly": "partly",
    "missed": "missed",
    "missed it": "missed",
}

HELP = (
    ("/topic TOPIC", "show a topic card (Tab completes ids and titles)"),
    ("/quiz TOPIC [N]", "a private quiz on a topic, N questions (default all)"),
    ("/progress", "your goal with a progress bar, what to learn next"),
    ("/goal set TOPIC", "make a topic your goal"),
    ("/goal clear", "drop your goal"),
    ("/stats", "your answers, accuracy and points"),
    ("/wait SECONDS", "skip ahead (for authors checking think times); moves this console's clock"),
    ("/quit", "leave (Ctrl-D and Ctrl-C too); everything is already saved"),
    ("", ""),
    ("After /topic", "explainer · more (or Enter) · chain · known · goal · practice · card"),
    ("In a quiz", "A, B, C... · true / false · reveal · write TEXT · got it / partly / missed"),
    ("", "next · hint · stop"),
)


def help_lines() -> list[str]:
    """The help screen, one command a line."""
    width = max(len(usage) for usage, _ in HELP)
    return [f"  {usage:<{width}}  {what}".rstrip() for usage, what in HELP]


def suggest_command(word: str) -> list[str]:
    """Known commands that look like a mistyped one."""
    if word.startswith("/"):
        known = sorted({c.split()[0] for c in SLASH_COMMANDS})
    else:
        known = sorted({*CARD_WORDS, *QUIZ_WORDS, *OTHER_WORDS} - {"got it"})
    return difflib.get_close_matches(word.lower(), known, n=2, cutoff=0.6)


def clean(line: str) -> str:
    """The line with control characters dropped and spaces collapsed, safe to echo back."""
    printable = "".join(c if c.isprintable() else " " for c in line)
    return " ".join(printable.split())
