"""One bot per database: an advisory lock on `<database>.lock`, held for the process's life.

Two `tutorbot run`s on one database both answer Discord's clicks, each with its own timers and
in-memory view of what is open, so students are told "already counted" or "time is up" for
clicks that were recorded. `tutorbot run` therefore takes this lock before it opens the
database, and a second one is refused with a message naming the first (pid, host, since when).

The lock is `flock` on a file beside the database. The kernel drops it when the process ends,
however it ends (SIGKILL, the OOM killer, a container stopped hard), so a crashed bot never
blocks the next start and there is no stale pid to guess about. The holder writes its pid, host
and start time into the file after locking, only so that a refused start can say who holds it;
the file itself is never deleted (deleting it would let a third process lock a new file while
the first still holds the old one).

Only `tutorbot run` takes the lock. `tutorbot console`, `db backup`, `db check`, `healthcheck`
and `sync` do not: they are meant to run beside the bot, on the same file (WAL and the busy
timeout make that safe), and an admin trying a quiz in the console while the bot serves Discord
is expected. What goes wrong with two bots is two Discord front ends answering the same buttons,
which none of these does.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from tutorbot.storage.diagnosis import check_db_path, explain_open_failure
from tutorbot.storage.errors import DatabaseInUseError, DatabaseUnusableError


def lock_path(db_path: Path) -> Path:
    """The lock file of a database: its name plus `.lock`, in the same folder."""
    return db_path.with_name(db_path.name + ".lock")


class DatabaseLock:
    """An exclusive hold on one database for this process; `release()` or process exit ends it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db_path: Path) -> DatabaseLock:
        """Lock `db_path` for this process, or raise `DatabaseInUseError` naming the holder.

        Creates the database's folder if needed (as opening the database would). Never waits.
        """
        check_db_path(db_path)
        path = lock_path(db_path)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise DatabaseUnusableError(explain_open_failure(db_path, exc)) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise DatabaseInUseError(
                f"another TutorBot ({holder}) is already running on the database {db_path}. "
                "Two bots on one database answer each other's buttons wrongly: stop the other "
                "one first, or give this one its own database with TUTORBOT_DB_PATH."
            ) from None
        _write_holder(fd)
        return cls(path, fd)

    def release(self) -> None:
        """Give the database up (idempotent); the holder details are cleared first."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the only descriptor releases the flock

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _write_holder(fd: int) -> None:
    """Record who holds the lock; best effort (on a full disk the database open says so)."""
    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    record = {"pid": os.getpid(), "host": socket.gethostname(), "since": since}
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)


def _read_holder(fd: int) -> str:
    """'pid 12 on host h, since ...' from the lock file, or what is known of it."""
    try:
        record = json.loads(os.pread(fd, 4096, 0).decode())
        return f"pid {int(record['pid'])} on host {record['host']}, since {record['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "details unknown: it has only just started, or is an older TutorBot"
