"""The console's command words and help, shared by the dispatcher and the completer."""

from __future__ import annotations

import difflib

SLASH_COMMANDS = (
    "/topic",
    "/quiz",
    "/progress",
    "/map",
    "/goal set",
    "/goal clear",
    "/stats",
    "/class",
    "/review",
    "/review settings",
    "/review settings limit",
    "/review settings timezone",
    "/placement",
    "/wait",
    "/help",
    "/quit",
)
TOPIC_COMMANDS = ("/topic", "/quiz", "/goal set", "/placement", "/map")
"""Commands whose argument is a topic (completed by id and title)."""
ZONE_COMMAND = "/review settings timezone"
"""The command whose argument is a time zone (completed by IANA name)."""
CARD_WORDS = ("explainer", "more", "chain", "card", "known", "goal", "practice", "map")
QUIZ_WORDS = ("reveal", "write", "got it", "partly", "missed", "next", "stop", "hint", "idk")
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
    ("/progress", "your goal with a progress bar, reviews due, what to learn next"),
    ("/map [TOPIC]", "writes your knowledge map: the way to your goal, or around TOPIC"),
    ("/goal set TOPIC", "make a topic your goal"),
    ("/goal clear", "drop your goal"),
    ("/stats", "your answers, accuracy, points and review streak; writes your activity chart"),
    ("/class ROUND", "the class at a glance of a round (run in Discord): writes the picture"),
    ("/review", "today's review: the questions you are about to forget, weakest first"),
    ("/review settings", "your daily limit and time zone; change them with:"),
    ("/review settings limit N", "at most N reviews a day (1 to 200, default 20)"),
    ("/review settings timezone NAME", "where your day starts, e.g. Europe/Paris"),
    ("/placement [GOAL]", "a short private test of what you already know, toward GOAL"),
    ("", "(Tab completes topics) or over the whole course; it sets where you start"),
    ("/wait DURATION", "skip ahead: 30 (seconds), 10m, 12h, 1d, 2d12h (at most 365 days);"),
    ("", "moves this console's clock, to see think times pass or a day of forgetting"),
    ("/quit", "leave (Ctrl-D and Ctrl-C too); everything is already saved"),
    ("", ""),
    ("After /topic", "explainer · more (or Enter) · chain · known · goal · practice · card"),
    ("", "· map (writes the map around the topic)"),
    ("In a quiz", "A, B, C... · true / false · reveal · write TEXT · got it / partly / missed"),
    ("", "a short answer or number: type it (= TEXT when it is also a command word)"),
    ("", "next · hint · stop (a review takes the same words)"),
    ("In a placement", "the same answers, and idk for “I don't know” (fine: not known yet)"),
    ("", "· stop ends it with what it found so far"),
    ("", ""),
    ("/remind", "daily reminders are Discord direct messages: use /remind in Discord"),
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
