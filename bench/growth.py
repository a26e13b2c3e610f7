"""Benchmark: how every user action's time, and the database's size, grow with the database.

Issue 14 ("Fast at any size"). Builds databases through the project's own code (a real
`Services` over `open_storage`, the bundled content; see `bench/_growth_build.py` for how) at
about 10 thousand, 1 million and (with `--large`) 10 million answers: many users across many
servers (about 60 answers per user, one server per 2,000 answers), most answers in private
quizzes, a tenth in rounds, a big server of up to 16,000 members, a small one of 40, and heavy
users (10,000 answers each from 1 M answers up; a fiftieth of the database below). Then it
times, on random users of the right kind (median and p95 over `--repeats`), every user action
at the service level: a quiz answer click, a round answer click, /stats (in a server and in a
DM), /leaderboard (big and small server), /progress, a topic lookup (a mistyped title through
`resolve_topic` and `library.search`), /mydata (an ordinary and the heaviest user), /forgetme
(an ordinary and a fresh heavy user each time) and `/round results` (a 30-student round).

Printed, with the goals it makes checkable:

- every action at each size, and its median at the largest size over the smallest (goal:
  within 2x from 10 k to 10 M answers);
- database size per million answers (file plus WAL after a checkpoint), and per table when
  sqlite has dbstat (goal: at most half of today's);
- round end and the CSV for 100, 1,000 and 5,000 students (`bench/round_end.py`'s
  `measure_round_end`, skipped if that is missing);
- a round click and a quiz click timed one after another while a heavy /mydata and a heavy
  /forgetme run in the same event loop, as in production, beside the same clicks without
  (goal: at most 20 ms more at p50 and p95).

    python bench/growth.py [--sizes 10k,1m] [--large] [--keep DIR] [--repeats 50]
                           [--forgets 5] [--students 100,1000,5000] [--code DIR]

`--keep DIR` keeps each database (one per size and schema) and reuses it in later runs;
measuring adds a few fresh heavy users and forgets them again. `--code DIR` measures another
checkout (`git archive <commit> | tar -x -C DIR`): its `tutorbot` comes first on sys.path.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

SIZES = {"10k": 10_000, "1m": 1_000_000, "10m": 10_000_000}
GOAL_RATIO = 2.0
GOAL_EXTRA_MS = 20.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f}"


def _report_size(g: Any, label: str, built: Any, reused: bool) -> None:
    plan = built.plan
    how = "reused" if reused else f"built in {built.build_seconds:,.0f} s"
    print(
        f"\n== {label}: {built.answers:,} answers ({built.quiz_answers:,} in {built.quizzes:,} "
        f"quizzes, {built.round_answers:,} in {built.rounds:,} rounds), {plan.users:,} users, "
        f"{plan.servers:,} servers, big server {plan.big_members:,} members; {how}"
    )
    if built.retries or built.given_up:
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(built.refused.items()))
        print(
            f"   service steps refused and retried while building: {built.retries:,} ({kinds}); "
            f"given up: {built.given_up:,}"
        )


def _per_million(built: Any) -> float:
    return float(built.db_bytes) / built.answers * 1e6 / 1e6


def _print_sizes(results: dict[str, Any]) -> None:
    print("\n-- database size (file + WAL after a checkpoint)")
    print(f"{'size':<6} {'answers':>12} {'MB':>10} {'bytes/answer':>13} {'MB per 1M answers':>18}")
    for label, (built, _, _, _) in results.items():
        print(
            f"{label:<6} {built.answers:>12,} {built.db_bytes / 1e6:>10,.1f} "
            f"{built.db_bytes / built.answers:>13,.0f} {_per_million(built):>18,.1f}"
        )
    tables = sorted({t for built, *_ in results.values() for t in built.tables})
    if not tables:
        print("(no dbstat in this sqlite: no per-table sizes)")
        return
    print("\nMB per 1M answers, per table (its indexes included; dbstat):")
    labels = list(results)
    print(f"{'table':<20}" + "".join(f"{label:>10}" for label in labels))
    for table in tables:
        cells = []
        for label in labels:
            built = results[label][0]
            cells.append(f"{built.tables.get(table, 0) / built.answers:>10,.1f}")
        print(f"{table:<20}" + "".join(cells))


def _print_actions(g: Any, results: dict[str, Any]) -> None:
    labels = list(results)
    names: list[str] = []
    for _, times, _, _ in results.values():
        names += [n for n in times if n not in names]
    print("\n-- user actions, ms (median / p95)")
    head = f"{'action':<36}" + "".join(
        f"{label + ' p50':>12}{label + ' p95':>12}" for label in labels
    )
    if len(labels) > 1:
        head += f"{labels[-1] + '/' + labels[0]:>12}  goal <= {GOAL_RATIO:g}x"
    print(head)
    for name in names:
        row = f"{name:<36}"
        meds: list[float | None] = []
        for label in labels:
            values = results[label][1].get(name)
            if not values:
                row += f"{'-':>12}{'-':>12}"
                meds.append(None)
                continue
            meds.append(g.p50(values))
            row += f"{_ms(g.p50(values)):>12}{_ms(g.p95(values)):>12}"
        if len(labels) > 1 and meds[0] and meds[-1] is not None:
            ratio = meds[-1] / meds[0]
            row += f"{ratio:>11.1f}x  {'ok' if ratio <= GOAL_RATIO else 'GROWS'}"
        print(row)
    for label in labels:
        notes = results[label][2]
        if notes:
            print(f"   {label}: " + "; ".join(f"{k}: {v}" for k, v in notes.items()))
    if len(labels) > 1:
        plans = [results[label][0].plan for label in labels]
        members = " / ".join(f"{p.big_members:,}" for p in plans)
        heavy = " / ".join(f"{p.heavy:,}" for p in plans)
        print(
            f"   Not like for like across sizes: the big server has {members} members and a heavy "
            f"user {heavy} answers ({' / '.join(labels)}; the heaviest twice that), so those "
            "rows' ratios mix the server's or the person's size with the database's; "
            "ordinary users (about 60 answers each) and the small server (40 members) are "
            "the same at every size."
        )


def _print_interference(g: Any, results: dict[str, Any]) -> None:
    print(
        "\n-- a click while heavy work runs in the same event loop, ms "
        f"(goal: at most {GOAL_EXTRA_MS:g} ms more at p50 and p95)"
    )
    print(
        f"{'size':<6} {'case':<40} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}"
        f" {'alone p50':>10} {'alone p95':>10} {'+p50':>8} {'+p95':>8}"
    )
    for label, (_, _, _, inter) in results.items():
        for case, (alone, during) in inter.rows.items():
            extra50 = g.p50(during) - g.p50(alone)
            extra95 = g.p95(during) - g.p95(alone)
            ok = max(extra50, extra95) * 1000 <= GOAL_EXTRA_MS
            print(
                f"{label:<6} {case:<40} {len(during):>5} {_ms(g.p50(during)):>8} "
                f"{_ms(g.p95(during)):>8} {_ms(max(during)):>8} {_ms(g.p50(alone)):>10} "
                f"{_ms(g.p95(alone)):>10} {_ms(extra50):>8} {_ms(extra95):>8}"
                f"  {'ok' if ok else 'WAITS'}"
            )


def _print_round_end(g: Any, section: Any) -> None:
    print("\n-- round end and /round results CSV (bench/round_end.py), ms")
    if isinstance(section, str):
        print(section)
        return
    print(f"{'students':>9} {'step':<12} {'p50':>10} {'p95':>10}")
    for students, timings in section.items():
        for step, values in timings.items():
            print(f"{students:>9,} {step:<12} {_ms(g.p50(values)):>10} {_ms(g.p95(values)):>10}")


async def _one_size(g: Any, label: str, answers: int, args: argparse.Namespace) -> Any:
    plan = g.Plan.for_size(label, answers)
    with tempfile.TemporaryDirectory(prefix="tutorbot-growth-") as tmp:
        path, built, reused = await g.prepared(Path(tmp) / "x.sqlite3", plan, args.keep)
        _report_size(g, label, built, reused)
        times, notes, inter = await g.measure(path, built, args.repeats, args.forgets)
    return built, times, notes, inter


def main(args: argparse.Namespace) -> None:
    """Build (or reuse), measure and print every size, then round end."""
    g = importlib.import_module("_growth_build")
    print(g.code_line())
    results: dict[str, Any] = {}
    for label in args.sizes:
        results[label] = asyncio.run(_one_size(g, label, SIZES[label], args))
    _print_sizes(results)
    _print_actions(g, results)
    _print_interference(g, results)
    if args.students:
        _print_round_end(g, g.round_end_section(args.students, 5))


def cli() -> None:
    """Parse the options, put `--code` first on sys.path, run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10k,1m", help="comma-separated: 10k, 1m, 10m")
    parser.add_argument("--large", action="store_true", help="add 10m (10 million answers)")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the databases in this folder")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--forgets", type=int, default=5, help="heavy users forgotten per size")
    parser.add_argument(
        "--students", default="100,1000,5000", help="round end class sizes ('' to skip)"
    )
    parser.add_argument("--code", type=Path, help="another checkout to measure (default: this)")
    args = parser.parse_args()
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.large and "10m" not in args.sizes:
        args.sizes.append("10m")
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}: use {', '.join(SIZES)}")
    args.students = [int(s) for s in args.students.split(",") if s.strip()]
    if args.code is not None:
        sys.path.insert(0, str(args.code.resolve()))
    main(args)


if __name__ == "__main__":
    cli()
