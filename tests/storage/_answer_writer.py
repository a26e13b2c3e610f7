"""Helper process for the SIGKILL test: records answers forever, printing each id once committed."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from tutorbot.storage import open_storage


async def main(path: Path, workers: int) -> None:
    storage = await open_storage(path)
    print("ready", flush=True)

    async def worker(user_id: int) -> None:
        n = 0
        while True:
            n += 1
            answer = await storage.answers.record(
                user_id=user_id,
                guild_id=1,
                topic_id="t",
                question_id=f"q{n}",
                answer="A",
                correct=True,
                seconds=1.0,
                source="quiz",
                points=1,
                now=datetime.now(UTC),
            )
            sys.stdout.write(f"{answer.id}\n")
            sys.stdout.flush()

    await asyncio.gather(*(worker(u) for u in range(1, workers + 1)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
