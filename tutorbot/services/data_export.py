"""`/mydata` as files that fit a message: one JSON file, or zip files when it is too big.

The export is written as it is read (see `storage.data_rights.Sections`), into two forms at once:
the plain JSON, kept only while it fits `limit`, and zip parts, each cut before it outgrows
`limit`. Small exports come out as one `.json`; a long history as one `.zip` (JSON compresses
about tenfold); a history too long even for that as several zips, each holding one valid JSON
document that carries on where the previous part stopped (`"part": n`). Memory stays within a
few times `limit`, whatever the history.

Runs in a worker thread (`DataRights.export_with`): nothing here touches the event loop.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tutorbot.storage.data_rights import Sections

ZIP_MARGIN = 1024 * 1024
"""A zip part is cut once its compressed bytes pass `limit - ZIP_MARGIN` (a quarter of a small
limit): the compressor may hold back up to a few hundred KB, and the zip's directory follows."""
FLUSH_CHARS = 256 * 1024
"""Text gathered before it is handed to the compressor (one call per row would be slow); an
eighth of the limit when that is less."""


@dataclass(frozen=True)
class ExportFile:
    """One attachment: its name and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class DataExport:
    """`/mydata`'s files and what the message says about them."""

    files: tuple[ExportFile, ...]
    rows: int
    """Rows exported, over every table."""
    json_bytes: int
    """Size of the JSON before compression."""

    @property
    def compressed(self) -> bool:
        """Whether the JSON came as zip files (it did not fit one attachment)."""
        return self.files[0].filename.endswith(".zip")


class _Document:
    """The JSON text of one document: a header, then named lists of rows, one row per line."""

    def __init__(self, header: dict[str, Any]) -> None:
        self._pieces = [
            "{\n" + ",\n".join(f"  {_dumps(k)}: {_dumps(v)}" for k, v in header.items())
        ]
        self._in_section = False
        self._first_row = True

    def section(self, name: str) -> None:
        """Start the list `name`."""
        self.end_section()
        self._pieces.append(f",\n  {_dumps(name)}: [")
        self._in_section, self._first_row = True, True

    def row(self, line: str) -> None:
        """Add one row (already JSON) to the open list."""
        self._pieces.append(("\n    " if self._first_row else ",\n    ") + line)
        self._first_row = False

    def end_section(self) -> None:
        """Close the open list, if any."""
        if self._in_section:
            self._pieces.append("]" if self._first_row else "\n  ]")
            self._in_section = False

    def close(self) -> None:
        """Close the document."""
        self.end_section()
        self._pieces.append("\n}\n")

    def take(self) -> str:
        """The text written since the last `take`."""
        text = "".join(self._pieces)
        self._pieces.clear()
        return text


class _Plain:
    """The export as one JSON file, given up as soon as it outgrows the limit."""

    def __init__(self, header: dict[str, Any], limit: int) -> None:
        self.doc = _Document(header)
        self._limit = limit
        self._buffer: io.BytesIO | None = io.BytesIO()

    def flush(self) -> None:
        """Encode what was written; drop everything once past the limit."""
        text = self.doc.take()
        if self._buffer is not None:
            self._buffer.write(text.encode())
            if self._buffer.tell() > self._limit:
                self._buffer = None

    def result(self) -> bytes | None:
        """The whole file, or None if it did not fit."""
        return None if self._buffer is None else self._buffer.getvalue()


class _Zips:
    """The export as zip parts, each one JSON document, each within the limit."""

    def __init__(self, header: dict[str, Any], name: str, limit: int) -> None:
        self._header, self._name, self._limit = header, name, limit
        self.parts: list[bytes] = []
        self.uncompressed = 0
        self._open_part()

    def _open_part(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED)
        self._entry = self._zip.open(self._name, "w", force_zip64=True)
        self.doc = _Document({**self._header, "part": len(self.parts) + 1})

    def flush(self, section: str | None) -> None:
        """Compress what was written; start a new part (reopening `section`) once this one is
        nearly full."""
        data = self.doc.take().encode()
        self.uncompressed += len(data)
        self._entry.write(data)
        if self._buffer.tell() > self._limit - min(ZIP_MARGIN, self._limit // 4):
            self._close_part()
            self._open_part()
            if section is not None:
                self.doc.section(section)

    def _close_part(self) -> None:
        self.doc.close()
        data = self.doc.take().encode()
        self.uncompressed += len(data)
        self._entry.write(data)
        self._entry.close()
        self._zip.close()
        self.parts.append(self._buffer.getvalue())

    def finish(self) -> list[bytes]:
        """Every part, the last one closed."""
        self._close_part()
        return self.parts


def package(user_id: int, sections: Sections, limit: int) -> DataExport:
    """The export as files of at most `limit` bytes each (see the module docstring)."""
    header: dict[str, Any] = {"user_id": user_id}
    stem = f"tutorbot-{user_id}"
    plain = _Plain(header, limit)
    zips = _Zips(header, f"{stem}.json", limit)
    rows, pending = 0, 0
    for name, section_rows in sections:
        plain.doc.section(name)
        zips.doc.section(name)
        for line in _lines(section_rows):
            plain.doc.row(line)
            zips.doc.row(line)
            rows += 1
            pending += len(line)
            if pending > min(FLUSH_CHARS, limit // 8):
                plain.flush()
                zips.flush(name)
                pending = 0
    plain.doc.close()
    plain.flush()
    whole = plain.result()
    if whole is not None:
        return DataExport((ExportFile(f"{stem}.json", whole),), rows, len(whole))
    parts = zips.finish()
    if len(parts) == 1:
        return DataExport((ExportFile(f"{stem}.zip", parts[0]),), rows, zips.uncompressed)
    files = tuple(
        ExportFile(f"{stem}-part{n}-of-{len(parts)}.zip", data)
        for n, data in enumerate(parts, start=1)
    )
    return DataExport(files, rows, zips.uncompressed)


def _lines(rows: Iterable[dict[str, Any]]) -> Iterable[str]:
    return map(_dumps, rows)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
