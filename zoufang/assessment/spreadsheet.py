"""A small, safe reader of one table in a spreadsheet (.xlsx, .xls, .csv), for imports whose
columns are not the ledger's.

The refusals before parsing are the ledger's, unchanged: `ledger.sheets.check_file` refuses an
over-large file, a wrong type, macros, a renamed file, a password, a zip bomb and an .xls that
would make calamine allocate too much. Only then is the file parsed, with the readers the
ledger trusts for that: openpyxl's streaming read-only mode for .xlsx (never calamine, which
sizes its memory from numbers written in the file), calamine for .xls (after the ledger's
budget check), the csv module for .csv. `ledger.sheets.open_sheet` is not used because it
looks for the ledger's own header row; this module takes the headers it should look for.

The files this reads are small (a few thousand rows), so the table is returned whole, cut at
`max_rows` data rows: a row with content below that is a file error.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from zoufang.ledger.sheets import Cell, SheetError, check_file, normalize_header

HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 64
EXCEL_MAX_ROWS = 1_048_576
_MAX_EXACT_FLOAT = 2**53
_MIDNIGHT = datetime.time(0, 0)


@dataclass
class Table:
    """The rows of a worksheet below its header row, by field."""

    header_row: int
    columns: dict[str, int]  # field → Excel column number
    unknown_headers: list[str]
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)  # (Excel row, values)


def read_table(
    *,
    source: bytes,
    filename: str,
    headers: Mapping[str, str],
    required: Sequence[str],
    min_headers: int = 2,
    max_bytes: int,
    max_rows: int,
) -> Table:
    """Check the file, find the header row (in the first 10 rows of the first visible
    worksheet holding at least `min_headers` of `headers`, else the one with the most) and
    read the rows below it.

    `headers` maps a header text to its field (compared as `ledger.sheets.normalize_header`
    compares them: half-width, without spaces or "*"); `required` lists the required
    headers. Raises SheetError for every file error, with the ledger's messages where the
    problem is the same.
    """
    kind = check_file(source=source, filename=filename, max_bytes=max_bytes)
    lookup = {normalize_header(header): name for header, name in headers.items()}
    with closing(_sheets(source, kind)) as sheets:
        best: tuple[list[list[Cell]], Iterator[list[Cell]], int, int] | None = None
        for sheet in sheets:
            head = list(itertools.islice(sheet, HEADER_SEARCH_ROWS))
            found = _find_header(head, lookup)
            if found is not None and (best is None or found[1] > best[3]):
                best = (head, sheet, *found)  # the rest of the sheet is read from `sheet`
                if found[1] >= min_headers:
                    break
        if best is None:
            raise SheetError(
                _(
                    "No header row found in the first %(rows)s rows; the header holds the "
                    "template's column names, such as %(example)s"
                )
                % {"rows": HEADER_SEARCH_ROWS, "example": "、".join(list(headers)[:3])},
                code="header",
            )
        head, rest, header_row, _score = best
        columns, unknown = _map_header(head[header_row - 1], lookup)
        missing = [h for h in required if headers[h] not in columns]
        if missing:
            raise SheetError(
                _("Missing required column(s): %(columns)s") % {"columns": "、".join(missing)},
                code="missing_columns",
            )
        table = Table(header_row=header_row, columns=columns, unknown_headers=unknown)
        for number, row in enumerate(itertools.chain(head, rest), start=1):
            if number <= header_row or _is_blank(row):
                continue
            if len(table.rows) >= max_rows:
                raise SheetError(
                    _("The file has more than %(max)s rows; split it into smaller files")
                    % {"max": max_rows},
                    code="too_many_rows",
                )
            width = len(row)
            values = {name: row[col - 1] if col <= width else "" for name, col in columns.items()}
            table.rows.append((number, values))
    return table


def _find_header(head: list[list[Cell]], lookup: Mapping[str, str]) -> tuple[int, int] | None:
    """(row number, recognised headers) of the row with most known headers, if any."""
    best: tuple[int, int] | None = None
    for number, row in enumerate(head, start=1):
        keys = (normalize_header(value) for value in row if isinstance(value, str))
        score = len({lookup[key] for key in keys if key in lookup})
        if score and (best is None or score > best[1]):
            best = (number, score)
    return best


def _map_header(header: list[Cell], lookup: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, value in enumerate(header):
        text = str(value).strip() if value != "" else ""
        key = normalize_header(text)
        if not key:
            continue
        name = lookup.get(key)
        if name is None:
            unknown.append(text)
            continue
        if name in columns:
            raise SheetError(
                _("The column “%(header)s” appears twice, in columns %(first)s and %(second)s")
                % {
                    "header": text,
                    "first": get_column_letter(columns[name]),
                    "second": get_column_letter(index + 1),
                },
                code="duplicate_column",
            )
        columns[name] = index + 1
    return columns, unknown


def _is_blank(row: list[Cell]) -> bool:
    return all(value == "" or (isinstance(value, str) and not value.strip()) for value in row)


def _cell(value: object) -> Cell:
    """A cell as the validators expect it: "" for empty, int for integral numbers, a date for
    a date cell at midnight."""
    if value is None:
        return ""
    if type(value) is float and value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
        return int(value)
    if type(value) is datetime.datetime and value.time() == _MIDNIGHT:
        return value.date()
    if isinstance(value, str | int | float | datetime.date | datetime.time | datetime.timedelta):
        return value
    return str(value)


def _damaged() -> SheetError:
    return SheetError(
        _("The file is damaged or is not a real Excel workbook; save it again from Excel"),
        code="damaged",
    )


def _sheets(source: bytes, kind: str) -> Generator[Iterator[list[Cell]], None, None]:
    """Each visible worksheet as an iterator of rows from row 1 (index i = column i + 1)."""
    if kind == "csv":
        yield _csv_rows(source)
    elif kind == "xlsx":
        yield from _xlsx_sheets(source)
    else:
        yield from _xls_sheets(source)


def _xlsx_sheets(source: bytes) -> Iterator[Iterator[list[Cell]]]:
    try:
        workbook = load_workbook(
            io.BytesIO(source), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:
        raise _damaged() from exc
    try:
        for worksheet in workbook.worksheets:
            if worksheet.sheet_state != "visible":
                continue
            worksheet.reset_dimensions()  # trust no <dimension>: a wrong one would cut rows
            yield _guarded(
                [_cell(v) for v in row[:MAX_COLUMNS]]
                for row in worksheet.iter_rows(values_only=True)
            )
    finally:
        workbook.close()


def _xls_sheets(source: bytes) -> Iterator[Iterator[list[Cell]]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(source))
        metadata = list(workbook.sheets_metadata)
    except BaseException as exc:  # a panic in the Rust parser is a BaseException
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise _damaged() from exc
    for index, meta in enumerate(metadata):
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        try:
            sheet = workbook.get_sheet_by_index(index)
        except BaseException as exc:
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            raise _damaged() from exc
        start = sheet.start
        if start is None:  # an empty worksheet
            continue
        pad: list[Cell] = [""] * start[1]
        # iter_rows() yields the empty rows above the data too, so rows count from row 1.
        yield _guarded(pad + [_cell(v) for v in row][:MAX_COLUMNS] for row in sheet.iter_rows())


def _guarded(rows: Iterator[list[Cell]]) -> Iterator[list[Cell]]:
    """Rows, with a parser failure turned into the damaged-file error."""
    try:
        for number, row in enumerate(rows, start=1):
            if number > EXCEL_MAX_ROWS:
                raise _damaged()
            yield row
    except SheetError:
        raise
    except Exception as exc:
        raise _damaged() from exc


def _csv_encoding(source: bytes) -> str:
    if source[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    try:
        source.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "gb18030"  # check_file has refused what is neither
    return "utf-8-sig"


def _csv_rows(source: bytes) -> Iterator[list[Cell]]:
    text = source.decode(_csv_encoding(source), errors="replace")
    sample = "".join(text.splitlines(keepends=True)[:HEADER_SEARCH_ROWS])
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):  # noqa: B007
            yield list(record[:MAX_COLUMNS])
    except csv.Error as exc:
        raise SheetError(
            _("The CSV file is malformed near row %(row)s") % {"row": number + 1}, code="csv"
        ) from exc
