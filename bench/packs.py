"""Benchmark: server packs at the default limits (issue 18).

- **Preview and import** of a pack at the server's question limit (`--questions`, 5,000 by
  default, in topics of 100) in GIFT and in Moodle XML: the time `PackService.preview` and
  `confirm` take, through a real database.
- **The event loop while a preview runs**: the preview reads the file in a worker thread; a
  task on the loop sleeps 10 ms over and over meanwhile, and the worst and 99th-percentile lag
  (how late it woke) is what a click would wait for on top of its own work.
- **Memory**: the Python allocations a server's library (course + pack) adds (tracemalloc).
- **Polling**: the time of one look for changed packs (`catch_up`) while nothing changed, and
  the time another process takes to serve a newly imported pack after one look.

    python bench/packs.py [--questions 5000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from question_banks import ALL, topics

from tutorbot.content.banks.formats import export_topics
from tutorbot.content.loader import load_library
from tutorbot.domain.packs import PackLimits
from tutorbot.services import Services
from tutorbot.services.packs import PackPreview
from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage import open_storage

GUILD = 1


async def _lag_while(work: asyncio.Future[Any]) -> list[float]:
    """How late (ms) a 10 ms sleep wakes, over and over, until `work` is done."""
    lags: list[float] = []
    while not work.done():
        start = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append((time.perf_counter() - start - 0.01) * 1000)
    return lags


async def _services(db: Path) -> Services:
    services = Services(load_library(BUNDLED_CONTENT_DIR), await open_storage(db))
    services.packs.limits = PackLimits(packs=100, topics=10_000, questions=100_000)
    await services.packs.start()
    return services


async def bench_import(questions: int, repeats: int) -> None:
    """Preview and import a pack of `questions` questions in GIFT and Moodle XML."""
    made = topics(questions, ALL)
    print(
        f"{'format':<11} {'file':>8} {'preview':>9} {'import':>9} {'loop lag p99':>13} {'worst':>8}"
    )
    for fmt, suffix in (("gift", ".gift"), ("moodle-xml", ".xml")):
        data = export_topics(made, fmt).encode()
        previews, imports, lags = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            services = await _services(Path(folder) / "bench.sqlite3")
            for _ in range(repeats):
                start = time.perf_counter()
                work = asyncio.ensure_future(
                    services.packs.preview(GUILD, True, f"bank{suffix}", data)
                )
                lags.extend(await _lag_while(work))
                preview = work.result()
                previews.append(time.perf_counter() - start)
                if not isinstance(preview, PackPreview):
                    raise SystemExit(f"refused: {preview.text}")
                start = time.perf_counter()
                await services.packs.confirm(GUILD, True, preview.preview_id)
                imports.append(time.perf_counter() - start)
            await services.packs.stop()
            await services.storage.close()
        lags.sort()
        p99 = lags[int(len(lags) * 0.99)] if lags else 0.0
        print(
            f"{fmt:<11} {len(data) / 1024 / 1024:>6.1f}MB {statistics.median(previews):>8.2f}s "
            f"{statistics.median(imports):>8.2f}s {p99:>11.1f}ms {max(lags, default=0):>6.1f}ms"
        )


async def bench_memory_and_polling(questions: int) -> None:
    """A server library's allocations; one idle poll; another process catching up."""
    data = export_topics(topics(questions, ALL), "gift").encode()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        one, two = await _services(db), await _services(db)
        preview = await one.packs.preview(GUILD, True, "bank.gift", data)
        if not isinstance(preview, PackPreview):
            raise SystemExit(f"refused: {preview.text}")
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        await one.packs.confirm(GUILD, True, preview.preview_id)
        held = (tracemalloc.get_traced_memory()[0] - before) / 1024 / 1024
        tracemalloc.stop()
        start = time.perf_counter()
        await two.packs.catch_up()
        caught = time.perf_counter() - start
        idle = []
        for _ in range(200):
            start = time.perf_counter()
            await two.packs.catch_up()
            idle.append((time.perf_counter() - start) * 1000)
        print(f"\nmemory held for one server's pack of {questions:,} questions: {held:.1f} MB")
        print(f"another process serves it after one look: {caught:.2f} s")
        print(f"one look while nothing changed: median {statistics.median(idle):.2f} ms")
        for services in (one, two):
            await services.packs.stop()
            await services.storage.close()


def main() -> None:
    """Parse the options and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(bench_import(args.questions, args.repeats))
    asyncio.run(bench_memory_and_polling(args.questions))


if __name__ == "__main__":
    main()
