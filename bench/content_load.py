"""Benchmark: load a generated pack of 10,000 topics and 50,000 questions.

Prints the time to load, validate and compute every topic's card figures, the peak memory, and,
measured in the same run on the same files, the time for only parsing them with the C YAML loader.
The goal: the full load at most 1.3 times the parse alone, and under 500 MB.

    python bench/content_load.py [--topics 10000] [--questions 5] [--layers 250] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tutorbot.content.card import figures
from tutorbot.content.loader import load_library, topic_files

_VOCABULARY = (
    "learning structure model data theory function value gradient representation signal "
    "sample estimate error bound proof kernel space vector matrix linear convex optimal "
    "random variable probability entropy information compression feature layer network "
    "training inference label task prior posterior likelihood risk loss margin class "
    "distribution measure integral limit derivative series sum product ratio fraction"
)
WORDS = tuple(_VOCABULARY.split())


def prose(rng: random.Random, words: int) -> str:
    """Sentences of random words from the vocabulary, `words` words in all."""
    sentences = []
    while words > 0:
        n = min(words, rng.randint(8, 20))
        sentence = " ".join(rng.choice(WORDS) for _ in range(n))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        words -= n
    return " ".join(sentences)


def block(text: str, indent: str) -> str:
    """A YAML literal block (`|`) holding `text`, its lines indented by `indent`."""
    return "|\n" + "\n".join(indent + line for line in text.split("\n"))


def question(rng: random.Random, topic: int, n: int) -> str:
    """The YAML of question `n` (an item of `questions:`): the kinds in turn, some checked."""
    kind = ("multiple_choice", "multiple_choice", "true_false", "free_response")[n % 4]
    lines = [
        f"- id: q{n}",
        f"  type: {kind}",
        f"  prompt: {block(prose(rng, 30), '    ')}",
    ]
    if kind == "multiple_choice":
        answer = rng.randrange(4)
        if n % 10 == 0:
            a, b = rng.randint(2, 12), rng.randint(2, 12)
            values = [a * b, a * b + 1, a * b + 2, a * b + 3]
            rng.shuffle(values)
            right = values.index(a * b)
            values[answer], values[right] = values[right], values[answer]
            choices = [f"{v} {prose(rng, 4)}" for v in values]
            lines.append(f'  check: "{a} * {b}"')
        else:
            choices = [prose(rng, 14) for _ in range(4)]
        lines.append("  choices:")
        lines += [f"  - {choice}" for choice in choices]
        lines.append(f"  answer: {'ABCD'[answer]}")
    elif kind == "true_false":
        lines.append(f"  answer: {rng.choice(['true', 'false'])}")
    else:
        lines.append(f"  answer: {block(prose(rng, 80), '    ')}")
        lines.append("  think_seconds: 20")
    lines.append(f"  explanation: {block(prose(rng, 70), '    ')}")
    return "\n".join(lines)


def generate(root: Path, topics: int, questions: int, layers: int, seed: int = 7) -> None:
    """Write a layered pack: every topic of layer k needs one of layer k-1, so depth >= layers-1."""
    rng = random.Random(seed)
    layer_of = [i * layers // topics for i in range(topics)]
    by_layer: list[list[int]] = [[] for _ in range(layers)]
    for i, layer in enumerate(layer_of):
        by_layer[layer].append(i)
    for i in range(topics):
        layer = layer_of[i]
        prereqs: list[int] = []
        if layer > 0:
            prereqs.append(rng.choice(by_layer[layer - 1]))
            for _ in range(rng.randint(0, 2)):
                other = rng.choice(by_layer[rng.randrange(layer)])
                if other not in prereqs:
                    prereqs.append(other)
        explainer = "\n\n".join(prose(rng, 90) for _ in range(5))
        parts = [
            f"id: topic-{i}",
            f"title: {prose(rng, 5)[:-1]} {i}",
            "level: Research",
            "tags:",
            *(f"- tag-{rng.randrange(200)}" for _ in range(3)),
            "prerequisites:" + ("" if prereqs else " []"),
            *(f"- topic-{p}" for p in prereqs),
            f"core_idea: {block(prose(rng, 100), '  ')}",
            f"explainer: {block(explainer, '  ')}",
            "questions:",
            *(question(rng, i, n) for n in range(questions)),
        ]
        folder = root / f"pack-{layer_of[i] * 20 // layers:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"topic-{i}.yaml").write_text("\n".join(parts) + "\n", encoding="utf-8")


def parse_only(root: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to find, read and parse every file with the C loader, nothing else."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in topic_files(root):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start, time.process_time() - cpu


def full_load(root: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to load and validate the library and compute every topic's card
    figures."""
    start, cpu = time.perf_counter(), time.process_time()
    library = load_library(root)
    for topic_id in library.topics:
        figures(library.graph, topic_id)
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    del library
    return elapsed


def main() -> int:
    """Generate a pack of the given shape, load it `--repeat` times and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--layers", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not yaml.__with_libyaml__:
        print("PyYAML has no libyaml here: the C loader is missing", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="tutorbot-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        generate(root, args.topics, args.questions, args.layers)
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        print(
            f"generated {args.topics} topics, {args.topics * args.questions} questions, "
            f"{size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        parse_times, load_times, parse_cpu, load_cpu = [], [], [], []
        for _ in range(args.repeat):
            gc.collect()
            wall, cpu = parse_only(root)
            parse_times.append(wall)
            parse_cpu.append(cpu)
            gc.collect()
            wall, cpu = full_load(root)
            load_times.append(wall)
            load_cpu.append(cpu)
        library = load_library(root)
        depth = max(library.graph.depth(t) for t in library.topics)
        del library
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        parse, load = min(parse_times), min(load_times)
        print(f"max depth:                     {depth}")
        print(f"parse only (C YAML loader):    {parse:.2f} s   (runs: {_fmt(parse_times)})")
        print(f"load + validate + figures:     {load:.2f} s   (runs: {_fmt(load_times)})")
        print(f"ratio:                         {load / parse:.2f}x   (goal <= 1.30x)")
        # CPU time is not stretched by other processes on a busy machine; a check on the above.
        print(f"ratio of CPU times:            {min(load_cpu) / min(parse_cpu):.2f}x")
        print(
            f"peak memory (max RSS):         {peak_mb:.0f} MB   (goal < 500 MB; "
            f"{rss_before / 1024:.0f} MB before loading)"
        )
    return 0


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    sys.exit(main())
