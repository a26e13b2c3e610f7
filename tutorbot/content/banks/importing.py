"""One import, start to end: the file's format (named or guessed), its bank, its topics.

Every refusal a reader or a cap can raise becomes `ImportRefused` with a message for the person
importing; nothing here writes anything (see `write.py`).
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Collection

import zstandard

from tutorbot.content.banks.build import Imported, build_topics
from tutorbot.content.banks.draft import ImportRefused, Upload
from tutorbot.content.banks.formats import format_named, guess_format
from tutorbot.content.banks.limits import NotText, TooBig


def import_upload(
    upload: Upload, format_name: str | None = None, taken: Collection[str] = ()
) -> Imported:
    """The topics an upload holds, with every item not imported; `taken` are topic ids the new
    ones must avoid. Raises ImportRefused when the file cannot be imported at all; a file none of
    whose items could be imported gives no topics and a problem for each item."""
    try:
        upload.limits.check_file(len(upload.data))
        fmt = format_named(format_name) if format_name else guess_format(upload)
        bank = fmt.read(upload)
    except (TooBig, NotText) as exc:
        raise ImportRefused(str(exc)) from None
    except zipfile.BadZipFile:
        raise ImportRefused("the file is not a zip archive that can be read") from None
    except zstandard.ZstdError:
        raise ImportRefused("a compressed part of the file cannot be read") from None
    except sqlite3.DatabaseError:
        raise ImportRefused("the database inside the file cannot be read") from None
    return build_topics(bank, upload.name, taken)
