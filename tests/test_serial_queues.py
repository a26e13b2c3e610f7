"""SerialQueues: jobs under one key run one at a time in order; keys never wait for each other;
a key's task ends when its queue is empty; a failing job is logged and the next one runs."""

from __future__ import annotations

import asyncio

import pytest

from tutorbot.services.serial import SerialQueues


async def test_one_key_runs_in_order_and_keys_do_not_wait_for_each_other() -> None:
    queues: SerialQueues[str] = SerialQueues("test")
    done: list[str] = []
    gate = asyncio.Event()

    async def job(name: str, wait: bool = False) -> str:
        if wait:
            await gate.wait()
        done.append(name)
        return name

    queues.submit("slow", lambda: job("slow 1", wait=True))
    queues.submit("slow", lambda: job("slow 2"))
    assert await queues.run("fast", lambda: job("fast")) == "fast"
    assert done == ["fast"]  # the slow key's first job still waits; the fast key did not
    assert queues.pending("slow") == 2 and queues.pending("fast") == 0
    gate.set()
    assert await queues.run("slow", lambda: job("slow 3")) == "slow 3"
    assert done == ["fast", "slow 1", "slow 2", "slow 3"]
    await asyncio.sleep(0)
    assert queues.pending("slow") == 0
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("test-")]


async def test_a_failing_job_is_logged_and_the_next_one_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queues: SerialQueues[int] = SerialQueues("test")

    async def fails() -> None:
        raise RuntimeError("discord said no")

    async def works() -> str:
        return "ok"

    queues.submit(1, fails)
    assert await queues.run(1, works) == "ok"
    assert "a queued job failed" in caplog.text and "discord said no" in caplog.text
    with pytest.raises(RuntimeError, match="said no"):
        await queues.run(1, fails)  # a caller that waits gets the exception instead


async def test_settle_waits_for_queued_jobs_then_cancels_the_rest() -> None:
    queues: SerialQueues[int] = SerialQueues("test")
    done: list[int] = []

    async def quick() -> None:
        await asyncio.sleep(0.01)
        done.append(1)

    async def forever() -> None:
        await asyncio.Event().wait()

    queues.submit(1, quick)
    queues.submit(2, forever)
    await queues.settle(0.2)
    assert done == [1]
    assert queues.pending(1) == queues.pending(2) == 0
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("test-")]
