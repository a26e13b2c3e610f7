"""The caps against hostile files (limits.py): through import_upload with the Kahoot format, and
through `Archive`, `unzstd` and `decode_text` directly where no format is involved.

Every refusal is checked for the message an instructor reads: it names the cap and the setting
that raises it. The caps are made small so that the bombs stay small too.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import zstandard

from tutorbot.content.banks.draft import ImportRefused, Upload
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import (
    Archive,
    ImportLimits,
    NotText,
    TooBig,
    decode_text,
    read_file,
    unzstd,
)

from .test_kahoot import question, template_xlsx

KB = 1024
SMALL = ImportLimits(max_file_bytes=64 * KB, max_unpacked_bytes=64 * KB, max_entries=20)
"""Caps of 64 KB and 20 entries: a template workbook is about 5 KB in 9 entries."""
UNPACKED = (
    "unpacks to more than 64 KB, the most an import may unpack "
    "(setting TUTORBOT_IMPORT_MAX_UNPACKED_MB); it may be a zip bomb"
)


def workbook() -> bytes:
    """A small valid Kahoot workbook."""
    return template_xlsx([question("Capital of France?", ["Berlin", "Paris"], 2)])


def with_members(data: bytes, members: dict[str, bytes]) -> bytes:
    """The zip archive with these members added (deflated)."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive holding these members, deflated."""
    return with_members(b"", members)


def lying(data: bytes, name: str, declared: int) -> bytes:
    """The archive with member `name` declaring `declared` bytes inflated, in its local header
    and in the central directory, whatever it really inflates to."""
    patched = bytearray(data)
    encoded = name.encode()
    local = patched.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", patched, local + 26)[0]
        if patched[local + 30 : local + 30 + name_length] == encoded:
            struct.pack_into("<L", patched, local + 22, declared)
        local = patched.find(b"PK\x03\x04", local + 4)
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46 : central + 46 + name_length] == encoded:
            struct.pack_into("<L", patched, central + 24, declared)
        central = patched.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def shared_data_zip(names: list[str], size: int) -> bytes:
    """A zip archive whose central directory lists every name in `names`, all pointing at the
    same one local entry named `names[0]` (deflated zeros, `size` bytes inflated): the core
    of an overlapping-entries bomb, where the same compressed bytes are inflated again for
    every entry."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(bytes(size)) + compressor.flush()
    crc = zlib.crc32(bytes(size))
    first = names[0].encode()
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(first), 0
    )
    central = b""
    for name in names:
        encoded = name.encode()
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        central += encoded
    entries = len(names)
    body = local + first + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, len(central), len(body), 0)
    return body + central + end


def fifield_zip(count: int, size: int) -> bytes:
    """An overlapping-entries zip bomb after David Fifield: `count` entries whose local headers
    overlap, each entry's deflate stream quoting the next entry's local header in a stored block
    and ending in the one shared kernel (deflated zeros, `size` bytes inflated). Every entry's
    name matches its local header, so each can be read, and each inflates the kernel again."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(bytes(size)) + compressor.flush()
    content = bytes(size)
    entries: list[tuple[bytes, int, int, int, bytes]] = []
    for index in reversed(range(count)):
        name = f"xl/{index:03d}.xml".encode()
        crc = zlib.crc32(content)
        header = struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), len(content), len(name), 0
        )
        header += name
        entries.append((name, crc, len(data), len(content), header))
        if index:  # the previous entry quotes this header, then goes on with this entry's data
            data = struct.pack("<BHH", 0, len(header), len(header) ^ 0xFFFF) + header + data
            content = header + content
    entries.reverse()
    body = entries[0][4] + data
    central, offset = b"", 0
    for name, crc, packed, unpacked, header in entries:
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            packed,
            unpacked,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
        offset += len(header) + 5  # the next header is quoted after a 5-byte stored block head
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(body), 0)
    return body + central + end


def refused(data: bytes, name: str = "quiz.xlsx", format_name: str | None = "kahoot") -> str:
    """The message an upload under the small caps is refused with."""
    with pytest.raises(ImportRefused) as refusal:
        import_upload(Upload(name, data, limits=SMALL), format_name)
    return str(refusal.value)


def test_a_workbook_within_the_caps_imports() -> None:
    imported = import_upload(Upload("quiz.xlsx", workbook(), limits=SMALL))
    assert imported.question_count == 1


# The file's own size


def test_a_file_over_the_file_cap_is_refused_naming_the_cap_and_setting() -> None:
    photo = random.Random(17).randbytes(70 * KB)  # noise does not compress
    data = with_members(workbook(), {"xl/media/photo.bin": photo})
    assert len(data) > 64 * KB
    message = refused(data)
    assert message.startswith("the file is ")
    assert message.endswith(
        "; files of at most 64 KB are imported (setting TUTORBOT_IMPORT_MAX_FILE_MB)"
    )


def test_the_file_cap_holds_whatever_the_format_or_name() -> None:
    message = refused(b"Q\tA\n" * 20 * KB, name="cards.txt", format_name=None)
    assert "(setting TUTORBOT_IMPORT_MAX_FILE_MB)" in message


def test_a_file_just_over_the_cap_says_a_size_over_the_cap() -> None:
    message = refused(bytes(64 * KB + 1))
    assert not message.startswith("the file is 64 KB;")


def test_read_file_refuses_a_file_over_the_cap_before_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    big.write_bytes(bytes(64 * KB + 1))
    with pytest.raises(TooBig, match=r"setting TUTORBOT_IMPORT_MAX_FILE_MB"):
        read_file(big, SMALL)
    small = tmp_path / "small.xlsx"
    small.write_bytes(b"PK")
    assert read_file(small, SMALL) == b"PK"


# Zip bombs


def test_a_highly_compressible_member_over_the_unpacked_cap_is_refused() -> None:
    bomb = with_members(workbook(), {"xl/media/zeros.bin": bytes(1024 * KB)})
    assert len(bomb) < 16 * KB  # a megabyte of zeros deflates to about a kilobyte
    assert refused(bomb) == f"the spreadsheet {UNPACKED}"


def test_a_bomb_named_xlsx_is_refused_naming_the_cap_when_the_format_is_guessed() -> None:
    bomb = with_members(workbook(), {"xl/media/zeros.bin": bytes(1024 * KB)})
    assert refused(bomb, format_name=None) == f"the file {UNPACKED}"


def test_members_adding_up_past_the_unpacked_cap_are_refused_before_inflating() -> None:
    members = {f"xl/media/part{n}.bin": bytes(20 * KB) for n in range(4)}
    with pytest.raises(TooBig) as refusal:
        Archive(zip_of(members), SMALL, "the package")
    assert str(refusal.value) == f"the package {UNPACKED}"


def test_a_member_exactly_at_the_unpacked_cap_is_read() -> None:
    archive = Archive(zip_of({"exact.bin": bytes(64 * KB)}), SMALL)
    assert len(archive.read("exact.bin")) == 64 * KB


def test_a_header_declaring_less_than_it_inflates_stops_at_what_it_declared() -> None:
    honest = with_members(workbook(), {"xl/media/zeros.bin": bytes(1024 * KB)})
    liar = lying(honest, "xl/media/zeros.bin", 100)
    assert liar != honest
    archive = Archive(liar, SMALL, "the spreadsheet")  # the declared sizes are within the cap
    with pytest.raises(zipfile.BadZipFile):  # inflating stops at 100 bytes: a bad CRC
        archive.read("xl/media/zeros.bin")
    assert refused(liar) == (
        "the file is not an Excel spreadsheet (.xlsx): it is not a zip archive that can be read"
    )


def test_a_header_declaring_just_under_the_cap_never_reads_past_it() -> None:
    liar = lying(zip_of({"zeros.bin": bytes(1024 * KB)}), "zeros.bin", 60 * KB)
    archive = Archive(liar, SMALL)
    try:
        data = archive.read("zeros.bin")
    except (TooBig, zipfile.BadZipFile):
        return
    assert len(data) <= 64 * KB


def test_a_header_declaring_more_than_the_cap_is_refused_before_inflating() -> None:
    liar = lying(zip_of({"small.bin": b"tiny"}), "small.bin", 10 * 1024 * KB)
    with pytest.raises(TooBig, match="TUTORBOT_IMPORT_MAX_UNPACKED_MB"):
        Archive(liar, SMALL)


def test_too_many_entries_are_refused_naming_the_cap_and_setting() -> None:
    crowded = with_members(workbook(), {f"xl/media/{n}.txt": b"" for n in range(12)})
    assert refused(crowded) == (
        "the spreadsheet holds 21 entries; at most 20 are read "
        "(setting TUTORBOT_IMPORT_MAX_ENTRIES)"
    )


def test_entries_at_the_entry_cap_are_read() -> None:
    archive = Archive(zip_of({f"{n}.txt": b"x" for n in range(20)}), SMALL)
    assert len(archive.names) == 20


def test_overlapping_entries_are_refused_by_what_they_declare_in_all() -> None:
    bomb = fifield_zip(10, 10 * KB)
    assert len(bomb) < 2 * KB  # 10 entries of 10 KB from a kernel of a few dozen bytes
    with pytest.raises(TooBig) as refusal:
        Archive(bomb, SMALL, "the spreadsheet")
    assert str(refusal.value) == f"the spreadsheet {UNPACKED}"
    assert refused(bomb) == f"the spreadsheet {UNPACKED}"
    shared = shared_data_zip([f"entry{n:03d}" for n in range(10)], 10 * KB)
    assert refused(shared) == f"the spreadsheet {UNPACKED}"


def test_overlapping_entries_within_the_cap_are_each_read_once_within_the_budget() -> None:
    archive = Archive(fifield_zip(6, 10 * KB), SMALL)
    sizes = [len(archive.read(name)) for name in archive.names]
    assert sizes[-1] == 10 * KB
    assert sum(sizes) < 64 * KB
    with pytest.raises(TooBig, match="TUTORBOT_IMPORT_MAX_UNPACKED_MB"):
        archive.read(archive.names[0])


def test_overlapping_entries_read_again_and_again_stop_at_the_budget() -> None:
    archive = Archive(shared_data_zip(["kernel"] * 6, 10 * KB), SMALL)  # 60 KB declared
    for name in archive.names:
        assert archive.read(name) == bytes(10 * KB)
    with pytest.raises(TooBig, match="TUTORBOT_IMPORT_MAX_UNPACKED_MB"):
        archive.read("kernel")  # 70 KB inflated in all: the budget is for the whole archive


def test_overlapping_entries_under_other_names_are_not_read() -> None:
    archive = Archive(shared_data_zip(["kernel", "copy01"], 10 * KB), SMALL)
    assert archive.read("kernel") == bytes(10 * KB)
    with pytest.raises(zipfile.BadZipFile):
        archive.read("copy01")


def test_bytes_that_are_not_a_zip_archive_raise_bad_zip_file() -> None:
    with pytest.raises(zipfile.BadZipFile):
        Archive(b"not a zip at all", SMALL)


def broken(change: str) -> bytes:
    """A small valid workbook broken in one way zipfile does not report as BadZipFile."""
    data = bytearray(with_members(workbook(), {"xl/é.txt": b"hello world " * 100}))
    central = data.find(b"PK\x01\x02")
    last_central = data.rfind(b"PK\x01\x02")
    end = data.rfind(b"PK\x05\x06")
    local = data.rfind(b"PK\x03\x04")  # xl/é.txt, added last
    if change == "corrupt deflate stream":  # zlib.error
        start = local + 30 + len("xl/é.txt".encode())
        data[start : start + 4] = b"\xff\xff\xff\xff"
    elif change == "central directory placed after where it is":  # ValueError: negative seek
        struct.pack_into("<L", data, end + 16, struct.unpack_from("<L", data, end + 16)[0] + 50)
    elif change == "a name flagged UTF-8 that is not":  # UnicodeDecodeError
        data[last_central + 46 + 3] = 0xFF
    elif change == "a zip version from the future":  # NotImplementedError
        struct.pack_into("<H", data, central + 6, 69)
    elif change == "an unknown compression method":  # NotImplementedError
        struct.pack_into("<H", data, local + 8, 99)
        struct.pack_into("<H", data, last_central + 10, 99)
    elif change == "an encrypted member":  # RuntimeError
        struct.pack_into("<H", data, local + 6, 1)
        struct.pack_into("<H", data, last_central + 8, 1)
    return bytes(data)


BROKEN = (
    "corrupt deflate stream",
    "central directory placed after where it is",
    "a name flagged UTF-8 that is not",
    "a zip version from the future",
    "an unknown compression method",
    "an encrypted member",
)


@pytest.mark.parametrize("change", BROKEN)
def test_a_broken_archive_is_refused_by_the_kahoot_reader(change: str) -> None:
    assert refused(broken(change)) == (
        "the file is not an Excel spreadsheet (.xlsx): it is not a zip archive that can be read"
    )


@pytest.mark.parametrize("change", BROKEN)
def test_a_broken_archive_raises_bad_zip_file(change: str) -> None:
    with pytest.raises(zipfile.BadZipFile):
        archive = Archive(broken(change), SMALL)
        for name in archive.names:
            archive.read(name)


# zstd


def test_a_zstd_bomb_is_refused_at_the_cap() -> None:
    bomb = zstandard.ZstdCompressor(level=19).compress(bytes(1024 * KB))
    assert len(bomb) < KB
    with pytest.raises(TooBig) as refusal:
        unzstd(bomb, SMALL, "the collection")
    assert str(refusal.value) == f"the collection {UNPACKED}"


def test_a_zstd_frame_hiding_its_size_is_refused_at_the_cap() -> None:
    compressor = zstandard.ZstdCompressor(write_content_size=False)
    chunks = compressor.compressobj()
    bomb = chunks.compress(bytes(1024 * KB)) + chunks.flush()
    with pytest.raises(TooBig, match="TUTORBOT_IMPORT_MAX_UNPACKED_MB"):
        unzstd(bomb, SMALL, "the collection")


def test_a_zstd_frame_within_the_cap_inflates() -> None:
    data = b"question and answer " * 3000
    assert unzstd(zstandard.ZstdCompressor().compress(data), SMALL, "the collection") == data


def test_bytes_that_are_not_zstd_raise_zstd_error() -> None:
    with pytest.raises(zstandard.ZstdError):
        unzstd(b"not zstd", SMALL, "the collection")


# Text


def test_utf16_with_a_byte_order_mark_is_read_in_either_order() -> None:
    text = "Quelle est la capitale ?\r\nParis\r\n"
    assert decode_text(text.encode("utf-16")) == "Quelle est la capitale ?\nParis\n"
    assert decode_text(b"\xfe\xff" + "Köln\r".encode("utf-16-be")) == "Köln\n"


def test_utf8_with_a_byte_order_mark_drops_the_mark() -> None:
    assert decode_text("\ufeffwhat?\r\nthis".encode()) == "what?\nthis"


def test_invalid_utf8_names_the_byte_and_its_line() -> None:
    with pytest.raises(NotText) as refusal:
        decode_text(b"one\ntwo\nth\xe9ree\n")
    assert str(refusal.value) == (
        "the file is not UTF-8 text: byte 0xe9 on line 3 cannot be read; save it as UTF-8"
    )


def test_invalid_utf8_after_a_byte_order_mark_names_the_byte_and_its_line() -> None:
    with pytest.raises(NotText) as refusal:
        decode_text(b"\xef\xbb\xbfab\n\xff")
    assert "byte 0xff on line 2" in str(refusal.value)


def test_nul_bytes_are_not_text() -> None:
    with pytest.raises(NotText, match="NUL characters: it is not a text file"):
        decode_text(b"question\x00answer")
    with pytest.raises(NotText, match="NUL characters"):
        decode_text("utf-16 without a mark".encode("utf-16-le"))


def test_a_utf16_mark_on_what_is_not_utf16_is_refused() -> None:
    with pytest.raises(NotText, match="starts like UTF-16 text but is not"):
        decode_text(b"\xff\xfe\x00\xd8")  # a lone surrogate
