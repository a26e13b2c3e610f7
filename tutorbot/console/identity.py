"""Who the console user is: a name typed on the command line, mapped to a stable user id."""

from __future__ import annotations

import getpass
import hashlib

_ID_BYTES = 7


def console_user_id(name: str) -> int:
    """A stable id for a console user name, the same in every session and on every machine.

    Discord user ids are snowflakes, always positive, so a negative id can never be a Discord
    user's: the console shares the bot's database without ever touching a Discord user's rows.
    Names are compared after trimming and case-folding, so "Alice" and "alice " are one student.
    The hash keeps 56 bits, well inside SQLite's signed 64-bit INTEGER.
    """
    key = " ".join(name.split()).casefold()
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return -(int.from_bytes(digest[:_ID_BYTES], "big") + 1)


def default_user_name() -> str:
    """The operating system's user name, or "student" where there is none."""
    try:
        return getpass.getuser() or "student"
    except (KeyError, OSError):
        return "student"
