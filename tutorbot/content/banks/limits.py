"""Caps on what an import may read, and the only ways readers get at bytes: a file read to its
size cap, text decoded with a clear message, an archive opened with its entries counted and
every member's size bounded, a zstd stream inflated up to a cap.

A zip bomb (a small archive that inflates to gigabytes, or thousands of entries, or entries that
overlap) is refused from its central directory before anything is inflated, and again while
inflating, since the sizes an archive declares may lie. The caps are settings
(`TUTORBOT_IMPORT_MAX_FILE_MB`, `TUTORBOT_IMPORT_MAX_UNPACKED_MB`, `TUTORBOT_IMPORT_MAX_ENTRIES`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import zstandard

if TYPE_CHECKING:
    from tutorbot.settings import Settings

MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 10
"""Discord's upload limit for a server without boosts, and far more than any question bank:
10,000 GIFT questions come to about 2 MB."""
DEFAULT_MAX_UNPACKED_MB = 100
"""What an archive may inflate to in all: an Anki collection of 50,000 notes is about 40 MB."""
DEFAULT_MAX_ENTRIES = 5000
"""Entries in an archive: an Anki package holds its collection, a few metadata files and one
entry per picture; a spreadsheet a few dozen."""
_CHUNK = 64 * 1024
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    UnicodeDecodeError,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
)
"""What zipfile raises for a damaged archive (a bad stream, offsets past the end, a name that is
not the UTF-8 it claims, an unknown compression method, an encrypted member)."""


class TooBig(Exception):
    """A file or archive over a cap; the message names the cap and the setting that raises it."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """The caps on one import, in bytes and entries."""

    max_file_bytes: int = DEFAULT_MAX_FILE_MB * MB
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_MB * MB
    max_entries: int = DEFAULT_MAX_ENTRIES

    @classmethod
    def of(cls, settings: Settings) -> ImportLimits:
        """The caps an admin set (TUTORBOT_IMPORT_MAX_*)."""
        return cls(
            max_file_bytes=settings.import_max_file_mb * MB,
            max_unpacked_bytes=settings.import_max_unpacked_mb * MB,
            max_entries=settings.import_max_entries,
        )

    def check_file(self, size: int) -> None:
        """Refuse a file larger than the file cap."""
        if size > self.max_file_bytes:
            shown = _mb(size)
            if shown == _mb(self.max_file_bytes):
                shown = f"{size:,} bytes"
            raise TooBig(
                f"the file is {shown}; files of at most {_mb(self.max_file_bytes)} are "
                "imported (setting TUTORBOT_IMPORT_MAX_FILE_MB)"
            )

    def unpacked_too_big(self, what: str) -> TooBig:
        """The refusal for an archive or stream that inflates past the unpacked cap."""
        return TooBig(
            f"{what} unpacks to more than {_mb(self.max_unpacked_bytes)}, the most an import "
            "may unpack (setting TUTORBOT_IMPORT_MAX_UNPACKED_MB); it may be a zip bomb"
        )


def _mb(size: int) -> str:
    """A size as people read it, rounded up, so a file just over a cap never reads as the cap."""
    if size < 1024:
        return f"{size} bytes"
    if size < MB:
        return f"{-(-size // 1024)} KB"
    tenths = -(-size * 10 // MB)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"


def read_file(path: Path, limits: ImportLimits) -> bytes:
    """A file's bytes, its size checked before it is read and again on what was read (a file
    may grow in between). Raises `TooBig`, or OSError for a file that cannot be read."""
    limits.check_file(path.stat().st_size)
    with path.open("rb") as handle:
        data = handle.read(limits.max_file_bytes + 1)
    limits.check_file(len(data))
    return data


class NotText(ValueError):
    """Bytes that are not UTF-8 (or UTF-16 with a byte order mark) text."""


def decode_text(data: bytes) -> str:
    """Text from a file's bytes: UTF-8 (a byte order mark dropped) or UTF-16 with its byte order
    mark (spreadsheet programs save that), line endings made newlines. Raises `NotText` naming the
    line of the first byte that is not text."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotText("the file starts like UTF-16 text but is not") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            at = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
            line = data[:at].count(b"\n") + 1
            raise NotText(
                f"the file is not UTF-8 text: byte 0x{data[at]:02x} on line {line} cannot "
                "be read; save it as UTF-8"
            ) from None
    if "\x00" in text:
        raise NotText("the file holds NUL characters: it is not a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Archive:
    """A zip archive checked against the caps before any member is inflated: at most
    `max_entries` entries, and declared sizes that add up to at most `max_unpacked_bytes`.
    `read` inflates one member up to what is left of that budget, whatever its header says.

    Raises `TooBig`, or `zipfile.BadZipFile` for bytes that are not a zip archive that can be
    read (zipfile's other errors for damaged, encrypted or exotic archives are reported as that).
    """

    def __init__(self, data: bytes, limits: ImportLimits, what: str = "the archive") -> None:
        self._limits = limits
        self._what = what
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_ERRORS as exc:
            raise zipfile.BadZipFile(str(exc)) from None
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            raise TooBig(
                f"{what} holds {len(infos):,} entries; at most {limits.max_entries:,} are read "
                "(setting TUTORBOT_IMPORT_MAX_ENTRIES)"
            )
        if sum(info.file_size for info in infos) > limits.max_unpacked_bytes:
            raise limits.unpacked_too_big(what)
        self._left = limits.max_unpacked_bytes
        self.names = [info.filename for info in infos]

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """One member's bytes, inflated in chunks and refused past the budget left."""
        parts: list[bytes] = []
        try:
            with self._zip.open(name) as member:
                while chunk := member.read(_CHUNK):
                    self._left -= len(chunk)
                    if self._left < 0:
                        raise self._limits.unpacked_too_big(self._what)
                    parts.append(chunk)
        except _ZIP_ERRORS as exc:
            raise zipfile.BadZipFile(str(exc)) from None
        return b"".join(parts)


def unzstd(data: bytes, limits: ImportLimits, what: str) -> bytes:
    """A zstd frame inflated, refused past the unpacked cap (the frame's declared size is not
    trusted). Raises `TooBig`, or `zstandard.ZstdError` for bytes that are not zstd."""
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
    parts: list[bytes] = []
    left = limits.max_unpacked_bytes
    while chunk := reader.read(_CHUNK):
        left -= len(chunk)
        if left < 0:
            raise limits.unpacked_too_big(what)
        parts.append(chunk)
    return b"".join(parts)
