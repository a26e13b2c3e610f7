"""Benchmark: a 10,000-topic course, from startup to every kind of topic lookup and /progress.

Generates a valid course into a temp folder (a branching graph of realistic titles such as
"Spectral Clustering on Graphs", each topic with an explainer and a few questions, in the format
of content/), then prints the median and p95 of:

- startup, in a fresh process each time: `python -c` until the library is loaded, and until the
  bot would be ready to serve (what `tutorbot run` does before it connects: import the command,
  load and validate content, open the database, build the bot and load its extensions). The
  processes keep their compiled bytecode in the temp folder, as an installed package has it,
  even where PYTHONDONTWRITEBYTECODE is set (else every start compiles every edited module);
- each kind of topic lookup, in this process: `Library.get` (an exact id), `resolve_topic` of an
  exact title, `Library.search` as a title is typed letter by letter, for long queries (a whole
  title, 100 characters) and for queries that match nothing, `resolve_topic` of a mistyped name
  (the refusal with its "Did you mean"), and `Library.closest_ids`;
- `/progress`: `services.progress.overview` and the embed, for a student who mastered many
  topics, with and without a goal deep in the graph.

The goal: every lookup under 20 ms and startup under 2.5 s. Measure another checkout by putting
its package first: `PYTHONPATH=/tmp/other python bench/big_course.py` (the line "code:" says
which `tutorbot` ran).

    python bench/big_course.py [--topics 10000] [--questions 3] [--layers 120] [--repeat 5]
                               [--mastered 3000] [--only startup|lookups|progress]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from content_load import block, prose, question

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from content.course_words import slug, titles

import tutorbot
from tutorbot.bot.errors import UserFacingError
from tutorbot.bot.exts.progress.render import progress_embed
from tutorbot.bot.topic_option import resolve_topic
from tutorbot.content.library import MAX_QUERY, Library
from tutorbot.content.loader import load_library
from tutorbot.domain import progress as progress_rules
from tutorbot.services import Services
from tutorbot.storage.progress import upsert_topic_state

LIBRARY_READY = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from tutorbot.content.loader import load_library\n"
    "load_library(Path(sys.argv[1]))\n"
    "print('ready', time.process_time(), flush=True)\n"
)
BOT_READY = (
    "import asyncio, time\n"
    "from tutorbot.cli import build_parser\n"
    "from tutorbot.cli.bot import run\n"
    "from tutorbot.bot import runner\n"
    "from tutorbot.bot.client import EXTENSIONS, TutorBot, _feature_buttons\n"
    "from tutorbot.bot.components import unknown_button_class\n"
    "from tutorbot.services import Services\n"
    "from tutorbot.settings import load_settings\n"
    "async def main():\n"
    "    build_parser()\n"
    "    settings = load_settings()\n"
    "    runner.configure_logging('WARNING')\n"
    "    services = await Services.open(settings.content_dir, settings.db_path)\n"
    "    bot = TutorBot(settings, services=services)\n"
    "    for extension in EXTENSIONS:\n"
    "        await bot.load_extension(extension)\n"
    "    features = [cls.feature for cls in _feature_buttons()]\n"
    "    bot.add_dynamic_items(*_feature_buttons(), unknown_button_class(features))\n"
    "    print('ready', time.process_time(), flush=True)\n"
    "    await services.close()\n"
    "asyncio.run(main())\n"
)
"""What `tutorbot run` does before it connects (`bot.runner._serve_locked` and the bot's
`setup_hook` up to the command sync, which needs Discord)."""
PARTS = ("startup", "lookups", "progress")


def generate(root: Path, topics: int, questions: int, layers: int, seed: int = 11) -> list[str]:
    """Write the course under `root` and return its titles. Topic i sits in layer i * layers //
    topics; each one past the first layer needs one topic of the layer before and up to two of
    any earlier layer, so the graph branches and is `layers` deep."""
    rng = random.Random(seed)
    names = titles(topics, rng)
    layer_of = [i * layers // topics for i in range(topics)]
    by_layer: list[list[int]] = [[] for _ in range(layers)]
    for i, layer in enumerate(layer_of):
        by_layer[layer].append(i)
    for i, title in enumerate(names):
        prereqs = _prerequisites(rng, by_layer, layer_of[i])
        explainer = "\n\n".join(prose(rng, 60) for _ in range(4))
        parts = [
            f"id: {slug(title)}",
            f"title: {title}",
            "level: University",
            f"tags: [{slug(title).split('-')[1]}]",
            "prerequisites:" + ("" if prereqs else " []"),
            *(f"- {slug(names[p])}" for p in prereqs),
            f"core_idea: {block(prose(rng, 40), '  ')}",
            f"explainer: {block(explainer, '  ')}",
            "questions:",
            *(question(rng, i, n) for n in range(questions)),
        ]
        folder = root / f"part-{layer_of[i] * 10 // layers:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{slug(title)}.yaml").write_text("\n".join(parts) + "\n", encoding="utf-8")
    return names


def _prerequisites(rng: random.Random, by_layer: list[list[int]], layer: int) -> list[int]:
    """One topic of the layer below and up to two of any earlier layer (none in layer 0)."""
    if layer == 0:
        return []
    found = [rng.choice(by_layer[layer - 1])]
    for _ in range(rng.randint(0, 2)):
        other = rng.choice(by_layer[rng.randrange(layer)])
        if other not in found:
            found.append(other)
    return found


def mistype(rng: random.Random, text: str) -> str:
    """`text` with one or two typing slips: a letter dropped, doubled, swapped or replaced."""
    chars = list(text)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(1, len(chars) - 1)
        slip = rng.randrange(4)
        if slip == 0:
            del chars[i]
        elif slip == 1:
            chars.insert(i, chars[i])
        elif slip == 2:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def timed(call: Callable[[str], object], inputs: Iterable[str]) -> list[float]:
    """Milliseconds `call` took on each input."""
    spent = []
    for text in inputs:
        start = time.perf_counter()
        call(text)
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def refused(library: Library, text: str) -> str:
    """The refusal `resolve_topic` gives for `text` ("" if it found a topic)."""
    try:
        resolve_topic(library, text)
    except UserFacingError as exc:
        return str(exc)
    return ""


def lookups(library: Library, names: list[str], rng: random.Random) -> dict[str, list[float]]:
    """Milliseconds per call for each kind of lookup."""
    ids = rng.sample(list(library.topics), 200)
    picked = rng.sample(names, 40)
    typed = [title[:n] for title in picked[:8] for n in range(1, len(title) + 1)]
    long_queries = picked[:20] + [((title + " ") * 5)[:MAX_QUERY] for title in picked[20:40]]
    misses = ["".join(rng.choice("qxzjv ") for _ in range(n)) for n in range(5, MAX_QUERY + 1, 5)]
    slips = [mistype(rng, title) for title in picked]
    return {
        "get (exact id)": timed(library.get, ids),
        "resolve_topic (exact title)": timed(partial(resolve_topic, library), picked),
        "search as typed (1 letter up)": timed(library.search, typed),
        "search long (title, 100 chars)": timed(library.search, long_queries),
        "search no match (5-100 chars)": timed(library.search, misses),
        "resolve_topic (mistyped)": timed(partial(refused, library), slips),
        "closest_ids (mistyped)": timed(library.closest_ids, slips),
    }


async def progress_times(
    root: Path, db: Path, mastered: int, repeat: int
) -> dict[str, list[float]]:
    """Milliseconds for /progress's overview and embed, for a student who mastered `mastered`
    topics (the first ones in learning order) and marked a few more, without and with a goal;
    and, apart, the overview's two steps: reading the student's marks (storage) and the rules
    (domain)."""
    services = await Services.open(root, db)
    gc.freeze()  # as `tutorbot run` does once ready
    try:
        library = services.library
        order = library.graph.learning_order()
        now = datetime(2026, 1, 1, tzinfo=UTC)
        deepest = max(order, key=library.graph.depth)

        def seed(conn: sqlite3.Connection) -> None:
            for n, topic_id in enumerate(order[:mastered]):
                upsert_topic_state(conn, "mastered_at", 1, topic_id, now + timedelta(minutes=n))
            for topic_id in order[mastered : mastered + 50 : 5]:
                upsert_topic_state(conn, "known_at", 1, topic_id, now)

        await services.storage.db.write(seed)
        results: dict[str, list[float]] = {}
        for goal in (None, deepest):
            if goal is None:
                await services.progress.clear_goal(1)
            else:
                await services.progress.set_goal(1, goal)
            label = "with a deep goal" if goal else "no goal"
            overview, embed, read, rules = [], [], [], []
            for _ in range(repeat):
                start = time.perf_counter()
                shown = await services.progress.overview(1)
                middle = time.perf_counter()
                progress_embed(library, shown)
                end = time.perf_counter()
                overview.append((middle - start) * 1000)
                embed.append((end - middle) * 1000)
                start = time.perf_counter()
                states = await services.storage.progress.all_for(1)
                middle = time.perf_counter()
                marked = [s.topic_id for s in states if s.known_at is not None]
                times = {s.topic_id: s.mastered_at for s in states if s.mastered_at}
                progress_rules.progress(library.graph, marked, times, goal)
                end = time.perf_counter()
                read.append((middle - start) * 1000)
                rules.append((end - middle) * 1000)
            results[f"overview, {label}"] = overview
            results[f"  storage read, {label}"] = read
            results[f"  domain rules, {label}"] = rules
            results[f"embed, {label}"] = embed
            results[f"both, {label}"] = [a + b for a, b in zip(overview, embed, strict=True)]
        return results
    finally:
        await services.close()


def startup(script: str, args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from starting `python -c script` until it prints "ready": wall-clock, and the CPU
    time the process had used by then (which other processes on a busy machine do not stretch).
    """
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    ) as child:
        if child.stdout is None:
            raise RuntimeError("no pipe to the child")
        line = child.stdout.readline().split()
        elapsed = time.perf_counter() - start
        _, errors = child.communicate()
    if len(line) != 2 or line[0] != b"ready":
        tail = errors.decode(errors="replace").strip()[-2000:]
        raise RuntimeError(f"the child did not get ready (exit {child.returncode}):\n{tail}")
    return elapsed, float(line[1])


def report(name: str, values: list[float], unit: str) -> None:
    """Print one line: median and p95 (the nearest rank) of `values`."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    print(
        f"  {name:36} median {statistics.median(ordered):8.2f} {unit}   p95 {p95:8.2f} {unit}"
        f"   (n={len(values)})"
    )


def startups(root: Path, env: dict[str, str], cwd: Path, repeat: int) -> None:
    """Print the startup figures: `repeat` fresh processes of each kind, taking turns."""
    print("startup (fresh process, goal < 2.5 s):")
    runs: dict[str, list[tuple[float, float]]] = {"library": [], "bot": []}
    for _ in range(repeat):
        runs["library"].append(startup(LIBRARY_READY, [str(root)], env, cwd))
        runs["bot"].append(startup(BOT_READY, [], env, cwd))
    for key, name in (("library", "library ready"), ("bot", "bot ready (tutorbot run)")):
        report(f"python -c to {name}", [wall for wall, _ in runs[key]], "s ")
        report("  CPU time of it", [cpu for _, cpu in runs[key]], "s ")


def main() -> int:
    """Generate the course, then measure and print startup, lookups and /progress."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--layers", type=int, default=120)
    parser.add_argument("--mastered", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=PARTS, action="append", help="measure only this part")
    args = parser.parse_args()
    parts = args.only or PARTS
    print(f"code: {Path(tutorbot.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="tutorbot-big-") as tmp:
        root, db = Path(tmp) / "course", Path(tmp) / "bench.sqlite3"
        root.mkdir()
        start = time.perf_counter()
        names = generate(root, args.topics, args.questions, args.layers)
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        print(
            f"generated {args.topics:,} topics, {args.topics * args.questions:,} questions, "
            f"{size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        code = str(Path(tutorbot.__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")])),
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "bytecode"),
            "TUTORBOT_CONTENT_DIR": str(root),
            "TUTORBOT_DB_PATH": str(db),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Creates the database, warms the file cache and compiles the bytecode once.
        startup(BOT_READY, [], env, Path(tmp))
        if "startup" in parts:
            startups(root, env, Path(tmp), args.repeat)
        library = load_library(root)
        gc.freeze()  # as `tutorbot run` does once ready (bot.runner), so full collections skip it
        if "lookups" in parts:
            depth = max(map(library.graph.depth, library.topics))
            print(f"topic lookups (goal < 20 ms; max depth {depth}):")
            for name, values in lookups(library, names, random.Random(5)).items():
                report(name, values, "ms")
            slip = mistype(random.Random(3), names[0])
            print(f"  e.g. {slip!r}: {refused(library, slip)}")
        if "progress" in parts:
            print(f"/progress, {args.mastered:,} topics mastered:")
            times = asyncio.run(progress_times(root, db, args.mastered, max(20, args.repeat)))
            for name, values in times.items():
                report(name, values, "ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
