"""Run a bot process with cProfile switched on and off by signals (the benchmarks' --profile).

    python bench/profiled.py OUT.pstats -m tutorbot run
    python bench/profiled.py OUT.pstats bench/bare_bot.py

Runs the module or script as `python -m ...` or `python script` would, with nothing profiled
until SIGUSR1; SIGUSR2 stops profiling and writes the statistics to OUT.pstats. The benchmark
sends them just before its burst and just after the last answer, so startup, login and the
members' arrival are left out. cProfile sees the main thread only (the event loop: discord.py
and every handler); the database's writer thread is not in the file.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
from pathlib import Path
from types import FrameType


def install(out: Path) -> cProfile.Profile:
    """A profiler that SIGUSR1 enables and SIGUSR2 disables and writes to `out`."""
    profiler = cProfile.Profile()

    def start(signum: int, frame: FrameType | None) -> None:
        profiler.enable()

    def stop(signum: int, frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    return profiler


def main(argv: list[str]) -> None:
    """Profile on signal, then run `-m module args...` or `script args...` as __main__."""
    if len(argv) < 2 or (argv[1] == "-m" and len(argv) < 3):
        raise SystemExit("usage: profiled.py OUT.pstats (-m module | script) [args...]")
    install(Path(argv[0]))
    if argv[1] == "-m":
        sys.argv = [argv[2], *argv[3:]]
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv[1:]
        sys.path[0] = str(Path(argv[1]).resolve().parent)
        runpy.run_path(argv[1], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
