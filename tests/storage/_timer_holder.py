"""Helper process for the lease test: claims the due "job" timer, says so, and never finishes."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from tutorbot.scheduler import Scheduler
from tutorbot.storage import open_storage
from tutorbot.storage.timers import Timer


async def main(path: Path, lease_seconds: float) -> None:
    storage = await open_storage(path)
    scheduler = Scheduler(storage.timers, lease=timedelta(seconds=lease_seconds))

    async def hold(timer: Timer) -> None:
        print(f"fired {timer.payload['name']}", flush=True)
        await asyncio.Event().wait()

    scheduler.register("job", hold)
    await scheduler.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2])))
