"""Benchmark: hostile content against `tutorbot content check` and against a running bot.

Writes the four hostile topic files of issue 12 (a `check:` that never finishes, a YAML alias
bomb, a 200 MB file of 3 million tags, a title that made the fuzzy search backtrack) and measures:

- `check`: the time and peak memory of `tutorbot content check` on a folder holding one hostile
  file (`/usr/bin/time -v`), and of `tutorbot content show` with a 25-letter query on the folder
  with the 40-letter title (that query goes through the fuzzy search). Each run is stopped after
  `--timeout` seconds and reported as such.
- `reload`: `tutorbot run` in its own process against the fake Discord with a round open; the
  hostile file is added to its content folder and an admin runs `/tutoradmin reload` (for the
  search file: the reload, then a 25-letter autocomplete). Meanwhile a student clicks an answer
  every 100 ms: the click latencies (p50, max, how many answered within 3 s) show whether the bot
  kept serving everyone while it read the file.

    python bench/hostile.py check [--timeout 120] [--only NAME]
    python bench/hostile.py reload [--seconds 20] [--only NAME]

`--code DIR` runs another checkout of TutorBot (its `tutorbot` package first on PYTHONPATH),
to measure before and after a change with the same files.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

TOPIC_HEAD = "id: {id}\ntitle: {title}\ncore_idea: A hostile topic written for a benchmark.\n"
if TYPE_CHECKING:
    from fakediscord import FakeMessage

QUERY = "a" * 24 + "b"
"""25 letters: the old fuzzy search tried every way of placing them in the 40-letter title."""


def _check_topic(topic_id: str, expression: str) -> str:
    return TOPIC_HEAD.format(id=topic_id, title="Hostile check") + (
        "questions:\n"
        "  - id: q1\n"
        "    type: free_response\n"
        "    prompt: What is it?\n"
        "    answer: '1'\n"
        "    explanation: Because.\n"
        f"    check: {expression!r}\n"
    )


def _alias_bomb(levels: int = 9) -> str:
    lines = ["id: alias-bomb", "core_idea: A hostile topic written for a benchmark."]
    lines.append("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]")
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    lines.append(f"title: *l{levels - 1}")
    lines.append(f"prerequisites: *l{levels - 1}")
    return "\n".join(lines) + "\n"


def _huge_tags(path: Path, count: int = 3_000_000) -> None:
    with path.open("w") as out:
        out.write(TOPIC_HEAD.format(id="huge-tags", title="Huge tags"))
        out.write("tags:\n")
        tail = "x" * 52
        for i in range(count):
            out.write(f"  - tag-{i:07d}-{tail}\n")


def _big_flow(path: Path) -> None:
    """Just under the 1 MiB file cap: half a million one-letter tags in one flow list, the most
    YAML nodes a file that is not refused unread can hold."""
    head = TOPIC_HEAD.format(id="big-flow", title="Big flow")
    items = (1024 * 1024 - len(head) - 16) // 2
    path.write_text(head + "tags: [" + ",".join(["a"] * items) + "]\n")


def _fuzzy_title() -> str:
    return TOPIC_HEAD.format(id="fuzzy-title", title="a" * 40)


@dataclass(frozen=True)
class Hostile:
    """One hostile topic file and how to write it."""

    name: str
    item: int
    write: Callable[[Path], None]
    show_query: str | None = None


def _text(body: Callable[[], str]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(body())

    return write


HOSTILE = [
    Hostile("check-round", 1, _text(lambda: _check_topic("check-round", "round(1, 10**60)"))),
    Hostile(
        "check-power",
        1,
        _text(lambda: _check_topic("check-power", "((((9**64)**64)**64)**64)**64")),
    ),
    Hostile("alias-bomb", 2, _text(_alias_bomb)),
    Hostile("huge-tags", 3, _huge_tags),
    Hostile("big-flow", 3, _big_flow),
    Hostile("fuzzy-title", 4, _text(_fuzzy_title), show_query=QUERY),
]


def _answer_ids(message: FakeMessage) -> list[str]:
    """The answer buttons of a round question's message (none for free response)."""
    return [
        c["custom_id"]
        for row in message.components
        for c in row["components"]
        if c.get("custom_id", "").startswith("round:answer:")
    ]


def write_all(root: Path, only: str | None) -> dict[str, Path]:
    """One folder per hostile file under root; returns name -> the file."""
    files = {}
    for hostile in HOSTILE:
        if only and hostile.name != only:
            continue
        folder = root / hostile.name
        folder.mkdir(parents=True, exist_ok=True)
        file = folder / f"{hostile.name}.yaml"
        hostile.write(file)
        files[hostile.name] = file
    return files


def _env(code: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env


def _timed(command: list[str], env: dict[str, str], timeout: float) -> tuple[str, int, int, str]:
    """(elapsed, max RSS in MB, output bytes, last output line) of one run under time -v."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as stats:
        started = time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", stats.name, *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
            elapsed = f"{time.perf_counter() - started:.2f} s"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            elapsed = f"> {timeout:.0f} s (stopped)"
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats.read())
        size = out.seek(0, os.SEEK_END)
        out.seek(max(0, size - 400))
        tail = out.read().decode(errors="replace").strip().splitlines()
    return elapsed, int(rss.group(1)) // 1024 if rss else -1, size, tail[-1][:90] if tail else ""


def check(timeout: float, only: str | None, code: Path | None) -> None:
    """`content check` (and `content show` for the search file) on each hostile folder."""
    root = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        files = write_all(root, only)
        print(f"{'file':<14}{'command':<16}{'elapsed':>22}{'peak MB':>10}{'output bytes':>14}")
        for hostile in HOSTILE:
            if hostile.name not in files:
                continue
            folder = files[hostile.name].parent
            runs = [("content check", ["content", "check", str(folder)])]
            if hostile.show_query:
                runs.append(
                    ("content show", ["content", "show", hostile.show_query, "--dir", str(folder)])
                )
            for label, args in runs:
                command = [sys.executable, "-m", "tutorbot", *args]
                elapsed, rss, size, tail = _timed(command, _env(code), timeout)
                print(f"{hostile.name:<14}{label:<16}{elapsed:>22}{rss:>10}{size:>14}   {tail}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def reload_one(hostile: Hostile, seconds: float, code: Path | None) -> str:
    """A round is open; the hostile file arrives and is reloaded; a click every 100 ms."""
    from fakediscord import FakeDiscord
    from interactions import bot_process, tutorbot

    from tutorbot.settings import BUNDLED_CONTENT_DIR

    work = Path(tempfile.mkdtemp(prefix="hostile-reload-"))
    content = work / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, content)
    opened: dict[str, FakeMessage] = {}

    async def prepare(fake: FakeDiscord) -> Callable[[int], object]:
        """Start a one-question round; a free-response question is stopped and started again."""
        for _ in range(20):
            before = len(fake.messages_in(fake.channel))
            start = await fake.slash(
                "round start",
                {"topic": "addition-within-10", "questions": 1, "seconds": 300},
                fake.admin,
            )
            await fake.wait_response(start)
            await fake.wait_until(
                lambda n=before: len(fake.messages_in(fake.channel)) == n + 1, timeout=10
            )
            opened["message"] = fake.messages_in(fake.channel)[-1]
            if _answer_ids(opened["message"]):
                break
            await fake.wait_response(await fake.slash("round stop", {}, fake.admin))
            await fake.wait_until(
                lambda n=before: len(fake.messages_in(fake.channel)) >= n + 2, timeout=10
            )
        return lambda i: None

    def populate(fake: FakeDiscord) -> None:
        for i in range(int(seconds * 10) + 50):
            fake.add_member(fake.guild, f"student{i}")

    scenario = tutorbot(prepare, "hostile", populate, work / "bot.sqlite3")
    env = {**scenario.env, "TUTORBOT_CONTENT_DIR": str(content)}
    scenario = dataclasses.replace(scenario, env=env)
    if code is not None:
        # Ahead of this checkout, which bot_process puts first on PYTHONPATH.
        start = f"import sys; sys.path.insert(0, {str(code)!r}); import tutorbot.__main__"
        scenario = dataclasses.replace(scenario, command=[sys.executable, "-c", start, "run"])
    async with FakeDiscord() as fake:
        scenario.populate(fake)
        async with bot_process(scenario, fake):
            await scenario.prepare(fake)
            message = opened["message"]
            ids = _answer_ids(message)
            if not ids:
                return f"{hostile.name:<14} the round opened on a free-response question; rerun"
            hostile.write(content / f"{hostile.name}.yaml")
            started = time.perf_counter()
            reload = await fake.slash("tutoradmin reload", {}, fake.admin)
            who = [m for m in fake.guild.members.values() if m.user.name.startswith("student")]
            clicks = []
            answered_after: float | None = None
            for i in range(int(seconds * 10)):
                if answered_after is None and fake.followups(reload):
                    answered_after = time.perf_counter() - started
                    if hostile.show_query:
                        await fake.autocomplete("topic", "topic", hostile.show_query, fake.student)
                clicks.append(await fake.click(message, ids[i % len(ids)], who[i]))
                await asyncio.sleep(0.1)
            await asyncio.sleep(3.5)
            acknowledged = (
                f"acknowledged in {reload.latency:.2f} s"
                if reload.latency is not None
                else "never acknowledged"
            )
            if answered_after is None and fake.followups(reload):
                answered_after = time.perf_counter() - started
            verdict = (
                f"answered after {answered_after:.1f} s"
                if answered_after is not None
                else f"no answer in {time.perf_counter() - started:.0f} s"
            )
            reload_s = f"{acknowledged}, {verdict}"
    lat = sorted(c.latency for c in clicks if c.latency is not None and c.latency <= 3.0)
    shutil.rmtree(work, ignore_errors=True)
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    top = lat[-1] * 1000 if lat else float("nan")
    return (
        f"{hostile.name:<14}{f'{len(lat)}/{len(clicks)}':>12}{p50:>10.1f}{top:>10.1f}   "
        f"reload: {reload_s}"
    )


def reload(seconds: float, only: str | None, code: Path | None) -> None:
    """Each hostile file, reloaded into a running bot while students click."""
    print(f"{'file':<14}{'in 3 s':>12}{'p50 ms':>10}{'max ms':>10}")
    for hostile in HOSTILE:
        if only and hostile.name != only:
            continue
        print(asyncio.run(reload_one(hostile, seconds, code)), flush=True)


def cli() -> None:
    """Measure `content check` on each hostile file, or a running bot reloading it."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("mode", choices=["check", "reload"])
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=[h.name for h in HOSTILE])
    parser.add_argument("--code", type=Path, help="another checkout to measure (default: this)")
    args = parser.parse_args()
    if args.mode == "check":
        check(args.timeout, args.only, args.code)
    else:
        reload(args.seconds, args.only, args.code)


if __name__ == "__main__":
    cli()
