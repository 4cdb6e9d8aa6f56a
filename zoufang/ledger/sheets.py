"""Reading a ledger file (.xlsx, .xls, .csv): refusal before parsing, the header row, the rows.

`check_file` refuses an unusable upload without parsing it: too large, a type other than
.xlsx/.xls/.csv, macros, content that does not match the extension, a zip bomb. `open_sheet`
runs the same checks, finds the header row in the first rows of the first worksheet that has
one, and streams the data rows with the row number as Excel shows it.

Cell types are kept, because the validators decide what a value means: a number cell comes
back as int (integral values below 2**53) or float, a date cell as `datetime.date` (or
`datetime.datetime` when it has a time of day), text as str and an empty cell as "". Every CSV
value is a str. A text value that starts with the formula-neutralising apostrophe written by
`ledger.workbooks` followed by one of = + - @ tab or carriage return comes back without it, so
an export re-imports as it was.

A large .xlsx (worksheets of WORKER_MIN_BYTES to WORKER_MAX_BYTES unpacked) is read by
python-calamine in a child process (`ledger.xlsxworker`): calamine is about ten times faster
than openpyxl but loads a whole worksheet into memory and sizes a dense grid from the cells'
positions, so a file of a few kilobytes can make it allocate gigabytes and abort — in the
child, under a memory ceiling, that costs nothing, and the file is read with openpyxl
instead. Other .xlsx are streamed with openpyxl's read-only mode, whose memory does not grow
with the number of rows. calamine reads .xls in process (at most 65,536 rows), after
`_check_xls_budget` has walked the file and bounded what it will allocate. CSV is streamed
with the csv module. The importer has the child check the rows too (`Sheet.worker`).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import operator
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any, Literal, Protocol, TypeAlias

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from zoufang.core.text import to_halfwidth

from .columns import COLUMNS, Column
from .xlsxworker import Worker, WorkerError

Cell: TypeAlias = str | int | float | bool | datetime.date | datetime.time | datetime.timedelta
Source: TypeAlias = bytes | str | os.PathLike[str] | IO[bytes]
Kind: TypeAlias = Literal["xlsx", "xls", "csv"]
Rows: TypeAlias = Generator[list[Cell], None, None]

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MIB  # when the settings name no limit (ZOUFANG_UPLOAD_MAX_MB)
ACCEPTED_EXTENSIONS = (".xlsx", ".xls", ".csv")
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xla")
HEADER_SEARCH_ROWS = 10
# A worksheet whose header row matches fewer known headers is passed over for a later one.
MIN_RECOGNISED_HEADERS = 3
# The column the annotated copy adds; the reader ignores it silently when it comes back.
ERROR_HEADER = "错误说明"

# The apostrophe `ledger.workbooks` puts before text that a spreadsheet would run as a formula.
FORMULA_PREFIX = "'"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Zip bomb limits: the unpacked size may be at most UNPACKED_FACTOR times max_bytes; a member
# over RATIO_FLOOR bytes may expand at most MAX_RATIO times; at most MAX_MEMBERS members.
UNPACKED_FACTOR = 20
MAX_RATIO = 100
RATIO_FLOOR = MIB
MAX_MEMBERS = 1000
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst", ".lz")
MAX_CONTENT_TYPES = MIB
# Parts openpyxl reads whole (not the worksheets, which it streams) may unpack to at most this;
# the shared strings, kept in memory too, to SHARED_STRINGS_FACTOR times max_bytes.
MAX_PARSED_PART = 16 * MIB
SHARED_STRINGS_FACTOR = 2
_PARSED_PARTS = ("xl/workbook.xml", "xl/styles.xml", "docprops/", "xl/theme/", "xl/chartsheets/")
# .xlsx worksheets of this unpacked size are read by calamine in a child process
# (`ledger.xlsxworker`): from WORKER_MIN_BYTES (below, starting the child costs more than it
# gains) to WORKER_MAX_BYTES (above, calamine would need more memory than the child has).
WORKER_MIN_BYTES = 2 * MIB
WORKER_MAX_BYTES = 384 * MIB
# Beyond these a row is cut: Excel's limits, and the ledger never needs that many columns.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 512

# .xls: calamine reads a whole workbook at once and sizes its memory from numbers written in
# the file, so a few kilobytes can make it allocate terabytes and abort the process. The file
# is walked first as calamine will read it, and refused when its worksheets would need more.
XLS_MAX_CELLS = 4 * 1024 * 1024  # cells of the worksheets' rectangles, all worksheets together
XLS_MAX_TEXT = 256 * MIB  # bytes of shared-string text copied into cells (3 bytes a character)
_END_OF_CHAIN, _FREE_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF
# Records holding one cell: row at offset 0, column at offset 2 (BIFF2 to BIFF8).
_XLS_CELL_RECORDS = frozenset(
    {0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x00D6, 0x00FD}
    | {0x0201, 0x0203, 0x0204, 0x0205, 0x0206, 0x027E, 0x0406}
)
_XLS_MULTI_RECORDS = frozenset({0x00BD, 0x00BE})  # MulRk, MulBlank: last column at the end

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
CHUNK = MIB  # a multiple of 128, the size of an OLE2 directory entry
_MIDNIGHT = datetime.time(0, 0)
_MAX_EXACT_FLOAT = 2**53


class SheetError(Exception):
    """A file that cannot be used as a ledger; `message` says why, for the user."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# ---------------------------------------------------------------------------------------------
# Checks before parsing


@dataclass(frozen=True)
class _Checked:
    kind: Kind
    encoding: str = ""
    worksheet_bytes: int = 0  # .xlsx: the worksheets' unpacked size


def upload_max_bytes() -> int:
    """The size limit of a ledger file: ZOUFANG_UPLOAD_MAX_MB (50 MB unless set)."""
    return int(getattr(settings, "ZOUFANG_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]*\d*:?[A-Z]+(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[ >]")


def estimate_rows(stream: IO[bytes], filename: str) -> int | None:
    """About how many rows a file has, cheaply, for a progress bar: a CSV's line breaks; an
    .xlsx's largest worksheet's declared dimension (in the first bytes of its XML, where
    Excel and WPS write it), else the rows in its first 64 KB scaled to its size. None when
    it cannot tell; never raises."""
    try:
        if filename.lower().endswith(".csv"):
            lines = 0
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
            return lines
        with zipfile.ZipFile(stream) as archive:
            sheets = [
                info for info in archive.infolist() if info.filename.startswith("xl/worksheets/")
            ]
            if not sheets:
                return None
            largest = max(sheets, key=lambda info: info.file_size)
            with archive.open(largest) as member:
                sample = member.read(1 << 16)
            match = _DIMENSION.search(sample[:4096])
            if match:
                return int(match.group(1))
            # No dimension (openpyxl's write-only mode): the rows of a sample, scaled.
            rows = len(_ROW_TAG.findall(sample))
            return round(rows * largest.file_size / len(sample)) if rows else None
    except (OSError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError):
        return None


def check_file(*, source: Source, filename: str, max_bytes: int | None = None) -> Kind:
    """Refuse an unusable upload before parsing it; return its kind: "xlsx", "xls" or "csv".

    `source` is the file's content (bytes), its path (str or PathLike) or a seekable binary
    stream (read from its start); `filename` is the name the user gave it.
    """
    return _inspect(source=source, filename=filename, max_bytes=max_bytes).kind


def _inspect(*, source: Source, filename: str, max_bytes: int | None) -> _Checked:
    max_bytes = upload_max_bytes() if max_bytes is None else max_bytes
    size = _size(source)
    if size > max_bytes:
        raise SheetError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB")
            % {"size": _megabytes(size), "limit": _megabytes(max_bytes)},
            code="too_large",
        )
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension in MACRO_EXTENSIONS:
        raise _macros_error()
    if extension not in ACCEPTED_EXTENSIONS:
        raise SheetError(
            _("Unsupported file type: %(name)s; upload an .xlsx, .xls or .csv file")
            % {"name": Path(filename).name or filename},
            code="type",
        )
    if size == 0:
        raise SheetError(_("The file is empty"), code="empty")
    with _binary(source) as stream:
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(ZIP_MAGICS):
            return _check_zip(stream, extension=extension, max_bytes=max_bytes)
        if head == OLE2_MAGIC:
            return _check_ole2(stream, extension=extension)
        if extension != ".csv":
            raise _mismatch_error(extension)
        return _Checked(kind="csv", encoding=_csv_encoding(stream))


def _check_zip(stream: IO[bytes], *, extension: str, max_bytes: int) -> _Checked:
    try:
        archive = zipfile.ZipFile(stream)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,  # an encrypted entry; NotImplementedError: an unknown zip feature
    ) as exc:
        if extension == ".xlsx":
            raise damaged_error() from exc
        raise _mismatch_error(extension) from exc
    with archive:
        members = archive.infolist()
        _refuse_zip_bomb(members, max_bytes=max_bytes)
        names = {member.filename.lower(): member for member in members}
        if any(
            PurePosixPath(name).name == "vbaproject.bin" or name.startswith("xl/macrosheets/")
            for name in names
        ):
            raise _macros_error()
        is_xlsx = "[content_types].xml" in names and "xl/workbook.xml" in names
        if is_xlsx:
            content_types = names["[content_types].xml"]
            if content_types.file_size > MAX_CONTENT_TYPES:
                raise _zip_bomb_error()
            try:
                manifest = archive.read(content_types).lower()
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                RuntimeError,  # encrypted entry, unknown method or flag (NotImplementedError)
                zlib.error,
            ) as exc:
                raise damaged_error() from exc
            if b"macroenabled" in manifest or b"vbaproject" in manifest:
                raise _macros_error()
        if not is_xlsx:
            raise _mismatch_error(extension)
        if extension != ".xlsx":
            raise _renamed_error(extension, actual=".xlsx")
    worksheets = sum(m.file_size for m in members if m.filename.startswith("xl/worksheets/"))
    return _Checked(kind="xlsx", worksheet_bytes=worksheets)


def _refuse_zip_bomb(members: list[zipfile.ZipInfo], *, max_bytes: int) -> None:
    if len(members) > MAX_MEMBERS:
        raise _zip_bomb_error()
    unpacked = 0
    for member in members:
        name = member.filename.lower()
        if name.endswith(ARCHIVE_SUFFIXES):
            raise _zip_bomb_error()
        unpacked += member.file_size
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise _zip_bomb_error()
        limit = _part_limit(name, max_bytes=max_bytes)
        if limit is not None and member.file_size > limit:
            raise _zip_bomb_error()
    if unpacked > UNPACKED_FACTOR * max_bytes:
        raise _zip_bomb_error()


def _part_limit(name: str, *, max_bytes: int) -> int | None:
    """How far a part that openpyxl reads whole may unpack; None for the others."""
    if name == "xl/sharedstrings.xml":
        return SHARED_STRINGS_FACTOR * max_bytes
    if name == "[content_types].xml" or name.endswith(".rels") or name.startswith(_PARSED_PARTS):
        return MAX_PARSED_PART
    return None


def _check_ole2(stream: IO[bytes], *, extension: str) -> _Checked:
    names = _ole2_stream_names(stream)
    is_workbook = "Workbook" in names or "Book" in names
    if "_VBA_PROJECT_CUR" in names:
        raise _macros_error()
    if "EncryptedPackage" in names and extension in (".xlsx", ".xls"):
        raise _password_error()
    if not is_workbook:
        raise _mismatch_error(extension)
    if extension != ".xls":
        raise _renamed_error(extension, actual=".xls")
    stream.seek(0)
    _check_xls_budget(_ole2_workbook_stream(stream.read()))
    return _Checked(kind="xls")


_OLE2_NAMES = ("Workbook", "Book", "_VBA_PROJECT_CUR", "EncryptedPackage")
_OLE2_NEEDLES = tuple((name, name.encode("utf-16-le") + b"\x00\x00") for name in _OLE2_NAMES)


def _ole2_stream_names(stream: IO[bytes]) -> set[str]:
    """The names among _OLE2_NAMES of the compound file's directory entries.

    A directory entry is 128 bytes, aligned on 128 bytes: a UTF-16 name, then at offset 64
    the name's length in bytes with its terminator. Matching both rules out text that merely
    contains the name.
    """
    found: set[str] = set()
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        for name, needle in _OLE2_NEEDLES:
            if name in found:
                continue
            length = len(needle).to_bytes(2, "little")
            position = chunk.find(needle)
            while position != -1:
                if position % 128 == 0 and chunk[position + 64 : position + 66] == length:
                    found.add(name)
                    break
                position = chunk.find(needle, position + 1)
    stream.seek(0)
    return found


def _ole2_workbook_stream(data: bytes) -> bytes:
    """The Workbook (or BIFF5 Book) stream of a compound file (MS-CFB), found as calamine does.

    Refuses what would make calamine loop forever or allocate from a size it read: cycles in
    the sector chains, sizes larger than the file.
    """
    if len(data) < 512:
        raise damaged_error()
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise damaged_error()
    size = 1 << shift
    count = max(0, len(data) // size - 1)  # sectors after the header

    def sector(number: int) -> bytes:
        if number >= count:
            raise damaged_error()
        return data[(number + 1) * size : (number + 2) * size]

    def numbers(chunk: bytes) -> list[int]:
        return list(struct.unpack(f"<{len(chunk) // 4}I", chunk))

    header = struct.unpack_from("<8I", data, 40)
    dir_len, dir_start, mini_fat_start, mini_fat_len, difat_start = (
        header[0],
        header[2],
        header[5],
        header[6],
        header[7],
    )
    if (dir_len + mini_fat_len) * size > len(data):
        raise damaged_error()
    difat = numbers(data[76:512])
    following = difat_start
    for _sector in range(count + 1):
        if following in (_END_OF_CHAIN, _FREE_SECTOR):
            break
        entries = numbers(sector(following))
        difat.extend(entries[:-1])
        following = entries[-1]
    else:
        raise damaged_error()
    fat_sectors = [number for number in difat if number != _FREE_SECTOR]
    if len(fat_sectors) > 2 * (count // (size // 4)) + 2:
        raise damaged_error()
    fat = [entry for number in fat_sectors for entry in numbers(sector(number))]

    def chain(start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
        parts: list[bytes] = []
        current = start
        while current != _END_OF_CHAIN:
            if current >= len(table) or len(parts) > len(table):
                raise damaged_error()
            parts.append(read(current))
            current = table[current]
        return b"".join(parts)

    directory = chain(dir_start, fat, sector)
    entries_found: list[tuple[str, int, int]] = []
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        name = entry[:64].decode("utf-16-le", "ignore").split("\x00", 1)[0]
        (start,) = struct.unpack_from("<I", entry, 116)
        (length,) = struct.unpack_from("<I" if size == 512 else "<Q", entry, 120)
        entries_found.append((name, start, length))
    if not entries_found or any(length > len(data) for _, _, length in entries_found[:1]):
        raise damaged_error()
    named = {name: (start, length) for name, start, length in reversed(entries_found)}
    found = named.get("Workbook") or named.get("Book")
    if found is None:
        raise damaged_error()
    start, length = found
    if length > len(data):
        raise damaged_error()
    if length >= 4096:
        return chain(start, fat, sector)[:length]
    root_start, root_length = entries_found[0][1], entries_found[0][2]
    mini_stream = chain(root_start, fat, sector)[:root_length] if root_length else b""
    mini_fat = numbers(chain(mini_fat_start, fat, sector))

    def mini_sector(number: int) -> bytes:
        return mini_stream[number * 64 : (number + 1) * 64]

    return chain(start, mini_fat, mini_sector)[:length]


def _xls_records(stream: bytes, position: int) -> Iterator[tuple[int, bytes, list[bytes]]]:
    """(type, data, CONTINUE parts) of the BIFF records from `position`, as calamine reads them."""
    end = len(stream)
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        data = stream[position + 4 : position + 4 + length]
        position += 4 + length
        parts: list[bytes] = []
        while end - position > 4 and struct.unpack_from("<H", stream, position)[0] == 0x003C:
            (part_length,) = struct.unpack_from("<H", stream, position + 2)
            parts.append(stream[position + 4 : position + 4 + part_length])
            position += 4 + part_length
        yield kind, data, parts
        if kind == 0x000A:  # EOF
            return


def _sst_text_sizes(data: bytes, parts: list[bytes]) -> list[int]:
    """An upper bound of each shared string's UTF-8 size, walking the SST as calamine does."""
    total = len(data) + sum(len(part) for part in parts)
    if len(data) < 8:
        return []
    (unique,) = struct.unpack_from("<i", data, 4)
    if not 0 <= unique <= total // 3:  # calamine reserves room for `unique` strings
        raise _too_much_memory_error()
    chunks = [data[8:], *parts]
    chunk, position = 0, 0
    sizes: list[int] = []

    def take(count: int) -> int:
        """Skip `count` bytes across CONTINUE parts; return how many were available."""
        nonlocal chunk, position
        taken = 0
        while count > 0:
            if position >= len(chunks[chunk]):
                if chunk + 1 >= len(chunks):
                    return taken
                chunk, position = chunk + 1, 0
            available = min(count, len(chunks[chunk]) - position)
            position += available
            count -= available
            taken += available
        return taken

    for _string in range(unique):
        if position >= len(chunks[chunk]) and chunk + 1 < len(chunks):
            chunk, position = chunk + 1, 0
        current = chunks[chunk]
        if len(current) - position < 3:
            break
        characters, flags = struct.unpack_from("<HB", current, position)
        position += 3
        runs = extended = 0
        if flags & 0x8:
            (runs,) = struct.unpack_from("<H", current, position)
            position += 2
        if flags & 0x4:
            (extended,) = struct.unpack_from("<i", current, position)
            position += 4
        sizes.append(3 * characters)
        remaining, wide = characters, bool(flags & 0x1)
        while remaining > 0:
            width = 2 if wide else 1
            fits = min((len(chunks[chunk]) - position) // width, remaining)
            position += fits * width
            remaining -= fits
            if remaining > 0:
                if chunk + 1 >= len(chunks):
                    return sizes
                chunk, position = chunk + 1, 0
                if not chunks[chunk]:
                    return sizes
                wide = bool(chunks[chunk][0] & 0x1)
                position = 1
        if extended < 0 or take(4 * runs) < 4 * runs or take(extended) < extended:
            return sizes
    return sizes


def _check_xls_budget(stream: bytes) -> None:
    """Refuse an .xls whose worksheets would make calamine allocate too much."""
    sheet_positions: list[int] = []
    text_sizes: list[int] = []
    for kind, data, parts in _xls_records(stream, 0):
        if kind == 0x0085 and len(data) >= 4:  # BoundSheet8
            sheet_positions.append(struct.unpack_from("<I", data)[0])
        elif kind == 0x00FC:  # SST
            text_sizes = _sst_text_sizes(data, parts)
    cells = text = 0
    for position in sheet_positions:
        if position >= len(stream):
            continue  # calamine stops with an error
        values: list[int] = [MAX_ROWS, MAX_ROWS, -1, -1]  # first row, first column, last, last
        formulas: list[int] = [MAX_ROWS, MAX_ROWS, -1, -1]
        for kind, data, _parts in _xls_records(stream, position):
            if kind == 0x0200 and len(data) in (10, 14):  # Dimensions: calamine reserves it
                if len(data) == 14:
                    first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
                else:
                    first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
                rows = (last_row - 1 - first_row + 1) % 2**32 if last_row and last_col else 1
                columns = (last_col - 1 - first_col + 1) % 2**32 if last_row and last_col else 1
                if rows * columns > XLS_MAX_CELLS:
                    raise _too_much_memory_error()
            elif kind in _XLS_CELL_RECORDS and len(data) >= 4:
                row, column = struct.unpack_from("<HH", data)
                _stretch(values, row, column)
                if kind == 0x0006:
                    _stretch(formulas, row, column)
                if kind == 0x00FD and len(data) >= 10:  # LabelSst: calamine copies the text
                    (index,) = struct.unpack_from("<I", data, 6)
                    text += text_sizes[index] if index < len(text_sizes) else 0
            elif kind in _XLS_MULTI_RECORDS and len(data) >= 6:
                row, column = struct.unpack_from("<HH", data)
                (last,) = struct.unpack_from("<H", data, len(data) - 2)
                _stretch(values, row, column)
                _stretch(values, row, last)
        cells += _area(values) + _area(formulas)
    if cells > XLS_MAX_CELLS or text > XLS_MAX_TEXT:
        raise _too_much_memory_error()


def _stretch(bounds: list[int], row: int, column: int) -> None:
    bounds[0], bounds[1] = min(bounds[0], row), min(bounds[1], column)
    bounds[2], bounds[3] = max(bounds[2], row), max(bounds[3], column)


def _area(bounds: list[int]) -> int:
    if bounds[2] < 0:
        return 0
    return (bounds[2] - bounds[0] + 1) * (bounds[3] - bounds[1] + 1)


def _csv_encoding(stream: IO[bytes]) -> str:
    """utf-8-sig when the whole file is UTF-8 (with or without BOM), else gb18030.

    UTF-16 with a BOM (Excel's "Unicode text") is read too.
    """
    head = stream.read(2)
    utf16 = head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(CHUNK):
                if b"\x00" in chunk and not utf16:
                    raise _mismatch_error(".csv")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding
    raise SheetError(
        _("The CSV file is neither UTF-8 nor GB18030 text; save it again from Excel as CSV"),
        code="encoding",
    )


def _size(source: Source) -> int:
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, str | os.PathLike):
        return Path(source).stat().st_size
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    return size


@contextmanager
def _binary(source: Source) -> Iterator[IO[bytes]]:
    """The source as a seekable binary stream at its start; closed after if opened here."""
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as stream:
            yield stream
    else:
        source.seek(0)
        yield source


def _megabytes(size: int) -> str:
    return f"{size / MIB:.3g}" if size < 10 * MIB else str(round(size / MIB))


def _macros_error() -> SheetError:
    return SheetError(
        _("Files with macros are not accepted; save the workbook as .xlsx without macros"),
        code="macros",
    )


def _mismatch_error(extension: str) -> SheetError:
    return SheetError(
        _(
            "The file's content does not match its extension %(ext)s; "
            "save it again from Excel as .xlsx, .xls or .csv"
        )
        % {"ext": extension},
        code="mismatch",
    )


def _renamed_error(extension: str, *, actual: str) -> SheetError:
    return SheetError(
        _(
            "The file is really an %(actual)s file but is named %(ext)s; "
            "rename it to %(actual)s or save it again from Excel"
        )
        % {"actual": actual, "ext": extension},
        code="mismatch",
    )


def _zip_bomb_error() -> SheetError:
    return SheetError(
        _("The file was refused: its content would unpack to far more than its size (zip bomb)"),
        code="zip_bomb",
    )


def damaged_error() -> SheetError:
    return SheetError(
        _("The file is damaged or is not a real Excel workbook; save it again from Excel"),
        code="damaged",
    )


def _too_much_memory_error() -> SheetError:
    return SheetError(
        _(
            "The file was refused: reading it would take far more memory than its size "
            "warrants; save it again from Excel as .xlsx"
        ),
        code="too_complex",
    )


def _password_error() -> SheetError:
    return SheetError(
        _("The workbook is password-protected; remove the password and upload it again"),
        code="password",
    )


# ---------------------------------------------------------------------------------------------
# Headers


def normalize_header(text: str) -> str:
    """A header as compared with the template: half-width, no spaces, "*" or (必填) markers."""
    text = to_halfwidth(text)
    text = re.sub(r"\((?:必填|选填|可选|必填项)\)", "", text)
    return re.sub(r"[\s*]+", "", text)


def _header_lookup() -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in COLUMNS:
        key = normalize_header(column.header)
        lookup[key] = column
        # "捐款捐物金额(元)" may come without its unit.
        lookup.setdefault(re.sub(r"\(.*?\)", "", key), column)
    return lookup


_HEADERS = _header_lookup()


def _header_text(value: Cell) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _recognised(row: list[Cell]) -> int:
    fields = {
        column.field
        for value in row
        if isinstance(value, str) and (column := _HEADERS.get(normalize_header(value)))
    }
    return len(fields)


# ---------------------------------------------------------------------------------------------
# Engines: every row from row 1, list index = Excel column number - 1


class _Engine(Protocol):
    name: str

    def raw_rows(self, limit: int = 0) -> Rows:
        """Every row from row 1 (`limit` rows at most, 0 for all)."""
        ...

    def last_column(self) -> int: ...

    def close(self) -> None: ...


def _unneutralise(text: str) -> str:
    if text[:1] == FORMULA_PREFIX and text[1:2] and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def as_cell(value: object) -> Cell:
    """A value as a reader gives it, as a cell (see Cell)."""
    if type(value) is str:
        return _unneutralise(value) if value[:1] == FORMULA_PREFIX else value
    if value is None:
        return ""
    if type(value) is float:
        if value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
            return int(value)
        return value
    if type(value) is datetime.datetime:
        if value.time() == _MIDNIGHT:
            return value.date()
        return value
    if isinstance(value, str | int | float | datetime.date | datetime.time | datetime.timedelta):
        return value  # bool is an int
    return str(value)


class _CalamineEngine:
    def __init__(self, sheet: CalamineSheet, name: str) -> None:
        self._sheet: CalamineSheet | None = sheet
        self.name = name

    def raw_rows(self, limit: int = 0) -> Rows:
        sheet = self._sheet
        start = None if sheet is None else sheet.start
        if sheet is None or start is None:  # an empty sheet: calamine's iterator cannot start
            return
        pad: list[Cell] = [""] * start[1]
        # iter_rows() yields empty rows for the rows above the data, so rows count from row 1.
        for row in sheet.iter_rows():
            cells = [as_cell(value) for value in row]
            yield pad + cells if pad else cells

    def last_column(self) -> int:
        end = None if self._sheet is None else self._sheet.end
        return 0 if end is None else int(end[1]) + 1

    def close(self) -> None:
        self._sheet = None


class _OpenpyxlEngine:
    def __init__(self, worksheet: Any) -> None:  # openpyxl's ReadOnlyWorksheet
        self._worksheet = worksheet
        self.name = str(worksheet.title)
        # Trust no <dimension>: a wrong one would cut rows or columns off.
        worksheet.reset_dimensions()

    def raw_rows(self, limit: int = 0) -> Rows:
        try:
            rows = self._worksheet.iter_rows(values_only=True)
            for number, row in enumerate(rows, start=1):
                if number > MAX_ROWS:
                    raise damaged_error()
                yield [as_cell(value) for value in row[:MAX_COLUMNS]]
        except SheetError:
            raise
        except Exception as exc:
            raise damaged_error() from exc

    def last_column(self) -> int:
        return max((len(row) for row in self.raw_rows()), default=0)

    def close(self) -> None:
        pass


class _CsvEngine:
    name = ""

    def __init__(self, source: Source, encoding: str) -> None:
        self._source = source
        self._encoding = encoding
        self._delimiter = self._sniff_delimiter()

    @contextmanager
    def _text(self) -> Iterator[io.TextIOWrapper]:
        with _binary(self._source) as stream:
            text = io.TextIOWrapper(stream, encoding=self._encoding, newline="")
            try:
                yield text
            finally:
                text.detach()

    def _sniff_delimiter(self) -> str:
        with self._text() as text:
            sample = "".join(itertools.islice(text, HEADER_SEARCH_ROWS))
        return "\t" if sample.count("\t") > sample.count(",") else ","

    def raw_rows(self, limit: int = 0) -> Rows:
        with self._text() as text:
            reader = csv.reader(text, delimiter=self._delimiter)
            number = 0
            try:
                for number, record in enumerate(reader, start=1):  # noqa: B007
                    yield [_unneutralise(value) for value in record[:MAX_COLUMNS]]
            except csv.Error as exc:
                raise SheetError(
                    _("The CSV file is malformed near row %(row)s") % {"row": number + 1},
                    code="csv",
                ) from exc

    def last_column(self) -> int:
        return max((len(row) for row in self.raw_rows()), default=0)

    def close(self) -> None:
        pass


def _is_parser_failure(exc: BaseException) -> bool:
    # A panic inside the Rust parser arrives as pyo3's PanicException, a BaseException.
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


class _Book(Protocol):
    def sheets(self) -> Generator[_Engine, None, None]: ...

    def close(self) -> None: ...


class _CalamineBook:
    """An .xls workbook, read whole by calamine when opened."""

    def __init__(self, source: Source) -> None:
        self._stream: IO[bytes] | None = None
        try:
            if isinstance(source, bytes):
                self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(source))
            elif isinstance(source, str | os.PathLike):
                # Opened here: from_path would go by the path's extension, which may be a
                # temporary name.
                self._stream = Path(source).open("rb")  # noqa: SIM115
                self._workbook = CalamineWorkbook.from_filelike(self._stream)
            else:
                source.seek(0)
                self._workbook = CalamineWorkbook.from_filelike(source)
        except BaseException as exc:
            self._close_stream()
            if not _is_parser_failure(exc):
                raise
            if isinstance(exc, PasswordError):
                raise _password_error() from exc
            raise damaged_error() from exc
        metadata = self._workbook.sheets_metadata
        if any(meta.typ in (SheetTypeEnum.MacroSheet, SheetTypeEnum.Vba) for meta in metadata):
            self.close()
            raise _macros_error()

    def sheets(self) -> Generator[_Engine, None, None]:
        for index, meta in enumerate(self._workbook.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = self._workbook.get_sheet_by_index(index)
            except BaseException as exc:
                if not _is_parser_failure(exc):
                    raise
                raise damaged_error() from exc
            yield _CalamineEngine(sheet, meta.name)

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        with suppress(CalamineError):  # already closed
            self._workbook.close()
        self._close_stream()


class _OpenpyxlBook:
    """An .xlsx workbook, streamed row by row with openpyxl's read-only mode."""

    def __init__(self, source: Source) -> None:
        self._stream: IO[bytes] | None = None
        if isinstance(source, bytes):
            stream: IO[bytes] = io.BytesIO(source)
        elif isinstance(source, str | os.PathLike):
            # Opened here: openpyxl refuses a path whose extension is not .xlsx.
            stream = self._stream = Path(source).open("rb")  # noqa: SIM115
        else:
            source.seek(0)
            stream = source
        try:
            self._workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            self._close_stream()
            raise damaged_error() from exc

    def sheets(self) -> Generator[_Engine, None, None]:
        for worksheet in self._workbook.worksheets:
            if worksheet.sheet_state == "visible":
                yield _OpenpyxlEngine(worksheet)

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        self._workbook.close()
        self._close_stream()


def _xlsx_book(source: Source, checked: _Checked) -> _Book:
    """The child-process calamine reader for a worksheet big enough to gain from it and small
    enough for the child's memory; openpyxl's streaming reader otherwise."""
    if WORKER_MIN_BYTES <= checked.worksheet_bytes <= WORKER_MAX_BYTES:
        try:
            return _WorkerBook(source)
        except (OSError, WorkerError):
            pass
    return _OpenpyxlBook(source)


class _WorkerEngine:
    def __init__(self, book: _WorkerBook, index: int, name: str) -> None:
        self._book = book
        self._index = index
        self.name = name

    def raw_rows(self, limit: int = 0) -> Rows:
        """Rows from the child. While the header is looked for (`limit`), a failure of the
        child is WorkerError, so `open_sheet` can turn to openpyxl; later it is an error."""
        try:
            worker = self._book.worker
            worker.load(self._index)
            yield from worker_cells(worker.rows(limit), first_column=worker.first_column)
        except WorkerError as exc:
            if limit:
                raise
            raise damaged_error() from exc

    def last_column(self) -> int:
        try:
            self._book.worker.load(self._index)
        except WorkerError as exc:
            raise damaged_error() from exc
        return self._book.worker.last_column

    def close(self) -> None:
        pass


class _WorkerBook:
    """An .xlsx workbook read by calamine in a child process (`ledger.xlsxworker`)."""

    def __init__(self, source: Source) -> None:
        self._temporary: Path | None = None
        if isinstance(source, str | os.PathLike):
            path = str(source)
        else:
            with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as copy:
                self._temporary = Path(copy.name)
                if isinstance(source, bytes):
                    copy.write(source)
                else:
                    source.seek(0)
                    shutil.copyfileobj(source, copy)
                    source.seek(0)
            path = str(self._temporary)
        self.worker = Worker(path)

    def sheets(self) -> Generator[_Engine, None, None]:
        for index, name in self.worker.sheets():
            yield _WorkerEngine(self, index, name)

    def close(self) -> None:
        self.worker.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None


class _CsvBook:
    """A CSV file: one sheet."""

    def __init__(self, source: Source, encoding: str) -> None:
        self._source = source
        self._encoding = encoding

    def sheets(self) -> Generator[_Engine, None, None]:
        yield _CsvEngine(self._source, self._encoding)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# The sheet


class Sheet:
    """A ledger worksheet whose header row has been found; `rows()` streams its data rows."""

    def __init__(
        self,
        *,
        kind: Kind,
        book: _Book,
        engine: _Engine,
        header_row: int,
        columns: dict[str, int],
        unknown_headers: list[str],
        missing_required: list[str],
        headers: list[str],
    ) -> None:
        self.kind: Kind = kind
        self.name = engine.name
        self.header_row = header_row
        self.columns = columns
        self.unknown_headers = unknown_headers
        self.missing_required = missing_required
        self.headers = headers  # the header row's texts; index i is Excel column i + 1
        self._book = book
        self._engine = engine

    def rows(self) -> Iterator[tuple[int, dict[str, Cell]]]:
        """(Excel row number, {field: raw value}) for each non-blank row below the header."""
        return data_rows(self.all_rows(), header_row=self.header_row, columns=self.columns)

    @property
    def worker(self) -> Worker | None:
        """The child process reading the sheet, when calamine reads it in one (the importer
        has it check the rows there too); None for the other readers."""
        engine = self._engine
        return engine._book.worker if isinstance(engine, _WorkerEngine) else None

    def all_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """Every row from row 1, blank ones included; list index i is Excel column i + 1."""
        with closing(self._engine.raw_rows()) as rows:
            yield from enumerate(rows, start=1)

    def last_column(self) -> int:
        """The number of the last column holding a cell (reads the file again for CSV)."""
        return self._engine.last_column()

    def warnings(self) -> list[str]:
        """A message for each column that is not in the template and is ignored."""
        return [
            _("Unknown column “%(header)s” is ignored") % {"header": header}
            for header in self.unknown_headers
        ]

    def missing_required_error(self) -> SheetError | None:
        """The file error for missing required columns, or None when none is missing."""
        if not self.missing_required:
            return None
        return SheetError(
            _("Missing required column(s): %(columns)s")
            % {"columns": "、".join(self.missing_required)},
            code="missing_columns",
        )

    def close(self) -> None:
        """Release the file and the worksheet's memory."""
        self._engine.close()
        self._book.close()

    def __enter__(self) -> Sheet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def data_rows(
    rows: Iterable[tuple[int, list[Cell]]], *, header_row: int, columns: dict[str, int]
) -> Iterator[tuple[int, dict[str, Cell]]]:
    """(Excel row number, {field: raw value}) for each row below the header row with a value
    in one of the template's columns, from numbered rows; `columns` maps fields to Excel
    column numbers. A row with values only in ignored columns — a 序号 numbered down the
    sheet ahead of the entries — is blank."""
    fields = list(columns.items())
    for number, row in rows:
        if number <= header_row:
            continue
        width = len(row)
        values = {field: row[column - 1] if column <= width else "" for field, column in fields}
        if not _is_blank(values.values()):
            yield number, values


def worker_cells(rows: Iterable[list[Any]], *, first_column: int) -> Rows:
    """A calamine worksheet's rows (from its first used column) as cells from column A, cut
    at MAX_COLUMNS and MAX_ROWS: the same in the child and, after the pipe, in the parent."""
    pad: list[Cell] = [""] * first_column
    room = max(0, MAX_COLUMNS - first_column)
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise damaged_error()
        cells = [
            value if type(value) is str and value[:1] != FORMULA_PREFIX else as_cell(value)
            for value in row[:room]
        ]
        yield pad + cells if pad else cells


def worker_data_rows(
    rows: Iterable[list[Any]], *, first_column: int, header_row: int, columns: dict[str, int]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """`data_rows(enumerate(worker_cells(rows, ...), start=1), ...)` for the child process
    that checks a large sheet, but with each value as calamine gives it, not yet a cell: the
    checker turns each distinct value into one (`as_cell`) as it parses it
    (`RowChecker(cells=...)`), which costs less than turning every value of every row."""
    fields = [
        (field, column - 1 - first_column)
        for field, column in columns.items()
        if column - 1 >= first_column and column <= MAX_COLUMNS
    ]
    names = [field for field, _ in fields]
    absent = {field: "" for field in columns if field not in names}
    pick = operator.itemgetter(*(index for _, index in fields)) if fields else None
    needed = max((index for _, index in fields), default=-1) + 1
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise damaged_error()
        if number <= header_row or pick is None:
            continue
        if len(row) >= needed:
            picked = pick(row)
            values = dict(zip(names, picked if len(names) > 1 else (picked,)))  # noqa: B905
        else:
            values = {field: row[index] if index < len(row) else "" for field, index in fields}
        if absent:
            values.update(absent)
        if not _is_blank(map(as_cell, values.values())):  # stops at the first value, mostly
            yield number, values


def _is_blank(values: Iterable[Cell]) -> bool:
    for value in values:  # noqa: SIM110 - a loop, not all(…), cheaper: most rows end at their first value
        if value != "" and (type(value) is not str or value.strip()):
            return False
    return True


def open_sheet(
    *,
    source: Source,
    filename: str,
    max_bytes: int | None = None,
    require_columns: bool = True,
) -> Sheet:
    """Check the file, find the ledger's header row and return the sheet, ready to stream.

    Reads the first visible worksheet whose header row (within the first 10 rows) holds at
    least three template headers, else the one with the most. Raises SheetError for every
    file error; with `require_columns=False` missing required columns are left in
    `missing_required` (see `missing_required_error`) instead of raised. Close the sheet
    (or use it as a context manager) when done.
    """
    checked = _inspect(source=source, filename=filename, max_bytes=max_bytes)
    book: _Book
    if checked.kind == "csv":
        book = _CsvBook(source, checked.encoding)
    elif checked.kind == "xlsx":
        book = _xlsx_book(source, checked)
    else:
        book = _CalamineBook(source)
    try:
        try:
            sheet = _first_ledger_sheet(book, kind=checked.kind)
        except WorkerError:  # calamine could not read it within its limits: openpyxl can
            book.close()
            book = _OpenpyxlBook(source)
            sheet = _first_ledger_sheet(book, kind=checked.kind)
    except BaseException:
        book.close()
        raise
    if require_columns and (error := sheet.missing_required_error()):
        sheet.close()
        raise error
    return sheet


def _first_ledger_sheet(book: _Book, *, kind: Kind) -> Sheet:
    best: tuple[_Engine, int, list[Cell], int] | None = None
    with closing(book.sheets()) as engines:
        for engine in engines:
            found = _find_header(engine)
            if found is not None and found[2] >= MIN_RECOGNISED_HEADERS:
                best = (engine, *found)
                break
            if found is not None and (best is None or found[2] > best[3]):
                best = (engine, *found)  # the previous best is dropped with its memory
    if best is None:
        raise SheetError(
            _(
                "No header row found in the first %(rows)s rows; the header holds the "
                "template's column names, such as %(example)s"
            )
            % {
                "rows": HEADER_SEARCH_ROWS,
                "example": "、".join(column.header for column in COLUMNS[:3]),
            },
            code="header",
        )
    engine, header_row, header, _score = best
    columns, unknown = _map_header(header)
    missing = [
        column.header for column in COLUMNS if column.required and column.field not in columns
    ]
    return Sheet(
        kind=kind,
        book=book,
        engine=engine,
        header_row=header_row,
        columns=columns,
        unknown_headers=unknown,
        missing_required=missing,
        headers=[_header_text(value) for value in header],
    )


def _find_header(engine: _Engine) -> tuple[int, list[Cell], int] | None:
    """(row number, cells, recognised headers) of the best header row in the first rows."""
    best: tuple[int, list[Cell], int] | None = None
    with closing(engine.raw_rows(HEADER_SEARCH_ROWS)) as rows:
        for number, row in enumerate(itertools.islice(rows, HEADER_SEARCH_ROWS), start=1):
            score = _recognised(row)
            if score and (best is None or score > best[2]):
                best = (number, row, score)
    return best


def _map_header(header: list[Cell]) -> tuple[dict[str, int], list[str]]:
    """{field: Excel column number} and the unknown headers; a repeated header is an error."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, value in enumerate(header):
        text = _header_text(value)
        key = normalize_header(text)
        if not key:
            continue
        column = _HEADERS.get(key)
        if column is None:
            if key != ERROR_HEADER:
                unknown.append(text)
            continue
        if column.field in columns:
            raise SheetError(
                _("The column “%(header)s” appears twice, in columns %(first)s and %(second)s")
                % {
                    "header": column.header,
                    "first": get_column_letter(columns[column.field]),
                    "second": get_column_letter(index + 1),
                },
                code="duplicate_column",
            )
        columns[column.field] = index + 1
    return columns, unknown
