"""Writing ledger workbooks (.xlsx): the blank template, exports and annotated copies.

All three use the template's columns (`ledger.columns.COLUMNS`) in its order, so whatever is
written here reads back through `ledger.sheets`. Texts inside the workbooks (the title, the
header notes, the 错误说明 column) belong to the file format and are Chinese constants, like
the headers.

Formula injection: a text cell that starts with = + - @, a tab or a carriage return is written
with an apostrophe in front (`'=1+2`) as a plain string cell, so no spreadsheet runs it as a
formula, not even after the file is saved again as CSV. `ledger.sheets` removes that apostrophe
again when it reads the file back.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as ExcelCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zoufang.core.text import cell_text
from zoufang.core.validators import id_check_digit

from .columns import (
    CHANNEL_BY_LABEL,
    COLUMN_BY_FIELD,
    COLUMN_BY_HEADER,
    COLUMNS,
    TARGET_TYPE_BY_LABEL,
)
from .sheets import (
    ERROR_HEADER,
    FORMULA_PREFIX,
    FORMULA_TRIGGERS,
    Cell,
    Source,
    normalize_header,
    open_sheet,
)

SHEET_TITLE = "走访台账"
TEMPLATE_TITLE = (
    "走访台账（红色表头为必填列；请勿修改表头文字；从第3行起填写，每行一次走访；"
    "第3行是示例，导入前请删除）"
)
TEMPLATE_ROWS = 5000  # rows below the header that get the drop-down lists
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"
# Columns formatted as text, so Excel keeps what is typed: every digit of a phone or ID
# number, the leading zeros of a badge number (000123) or a unit code.
TEXT_FIELDS = ("unit", "officers", "phone", "id_number")

WIDTHS = {
    "visit_date": 12,
    "unit": 14,
    "officers": 18,
    "target_type": 12,
    "channel": 11,
    "is_return_visit": 10,
    "target_name": 18,
    "phone": 15,
    "id_number": 21,
    "address": 28,
    "donation_amount": 17,
    "summary": 40,
    "opinions": 32,
    "note": 20,
}
DEFAULT_WIDTH = 12

REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
OPTIONAL_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERROR_FONT = Font(color="9C0006")
WRAP = Alignment(wrap_text=True, vertical="top")

EXAMPLE_ID_FIRST17 = "11010519800101001"  # 北京市朝阳区, born 1980-01-01: a made-up person


def neutralise_formula(text: str) -> str:
    """Text made safe from formula injection: `'` before a leading = + - @ tab or CR."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        return FORMULA_PREFIX + text
    return text


# ---------------------------------------------------------------------------------------------
# The blank template


def template_workbook() -> bytes:
    """The blank ledger template (.xlsx): title row, header row, one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _set_columns(sheet)

    sheet.append([TEMPLATE_TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = Alignment(vertical="center")
    sheet.row_dimensions[1].height = 28

    sheet.append([column.header for column in COLUMNS])
    for number, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=number)
        cell.font = REQUIRED_FONT if column.required else OPTIONAL_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = ("必填。" if column.required else "选填。") + column.accepts
        cell.comment = Comment(note, SHEET_TITLE, width=260, height=120)
    sheet.freeze_panes = "A3"

    example: dict[str, object] = {
        "visit_date": datetime.date(2024, 1, 5),
        "unit": "SL0001",
        "officers": "000001、000002",
        "target_type": "群众",
        "channel": "面对面",
        "is_return_visit": "否",
        "target_name": "示例：张三",
        "phone": "13800000000",
        "id_number": EXAMPLE_ID_FIRST17 + id_check_digit(EXAMPLE_ID_FIRST17),
        "address": "示例市示例区示例路1号",
        "opinions_collected": 1,
        "disputes_mediated": 0,
        "hazards_found": 0,
        "households_helped": 0,
        "donation_amount": 0,
        "summary": "示例：了解社区治安情况，宣传防范电信诈骗知识",
        "opinions": "希望增加夜间巡逻",
        "note": "示例行，导入前请删除",
    }
    for number, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=3, column=number, value=example[column.field])
        if column.field in TEXT_FIELDS:
            cell.number_format = TEXT_FORMAT
        elif column.field == "visit_date":
            cell.number_format = DATE_FORMAT

    last_row = 2 + TEMPLATE_ROWS
    choices = {
        "target_type": (list(TARGET_TYPE_BY_LABEL), "stop"),
        "channel": (list(CHANNEL_BY_LABEL), "stop"),
        # The importer also takes Y/N, 1/0 and √, so another value only warns.
        "is_return_visit": (["是", "否"], "warning"),
    }
    for number, column in enumerate(COLUMNS, start=1):
        if column.field not in choices:
            continue
        labels, style = choices[column.field]
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(labels) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle=style,
            errorTitle=column.header,
            error="请从下拉列表中选择：" + "、".join(labels),
        )
        letter = get_column_letter(number)
        validation.add(f"{letter}3:{letter}{last_row}")
        sheet.add_data_validation(validation)

    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "2:2"
    return _to_bytes(workbook)


def _set_columns(sheet: Any) -> None:
    """Widths, and the text and date formats Excel applies to what is typed in later."""
    for number, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(number)]
        dimension.width = WIDTHS.get(column.field, max(DEFAULT_WIDTH, 2 * len(column.header) + 3))
        if column.field in TEXT_FIELDS:
            dimension.number_format = TEXT_FORMAT
        elif column.field == "visit_date":
            dimension.number_format = DATE_FORMAT


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Export


def export_workbook(*, rows: Iterable[Mapping[str, object]], watermark: str | None = None) -> bytes:
    """The visits as an .xlsx in the template's columns (see `write_export`)."""
    buffer = io.BytesIO()
    write_export(rows=rows, out=buffer, watermark=watermark)
    return buffer.getvalue()


def write_export(
    *,
    rows: Iterable[Mapping[str, object]],
    out: str | os.PathLike[str] | IO[bytes],
    watermark: str | None = None,
) -> int:
    """Stream visits to `out` as an .xlsx in the template's columns; return the row count.

    Each row maps field names (`ledger.columns`) to values already fit for the file: labels,
    not codes, and personal data already masked. Dates become date cells, True/False 是/否,
    text is neutralised against formula injection. A watermark (who exported, when) goes in
    a title row above the header and in the page header when printed.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    _set_columns(sheet)
    header_row = 1
    if watermark:
        header_row = 2
        # Excel allows 255 characters in a page header; "&" starts a code there.
        sheet.oddHeader.center.text = watermark[:200].replace("&", "&&")
        sheet.oddHeader.center.size = 9
    sheet.oddFooter.center.text = "&P / &N"
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"

    if watermark:
        sheet.append([_text_cell(sheet, watermark)])
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = REQUIRED_FONT if column.required else OPTIONAL_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        header.append(cell)
    sheet.append(header)

    fields = [column.field for column in COLUMNS]
    count = 0
    for row in rows:
        sheet.append([_export_value(sheet, field, row.get(field)) for field in fields])
        count += 1
    workbook.save(out)
    return count


def _export_value(sheet: Any, field: str, value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        cell = _text_cell(sheet, value)
        if field in TEXT_FIELDS:
            cell.number_format = TEXT_FORMAT
        return cell
    if isinstance(value, int | float | Decimal):
        if field in TEXT_FIELDS:  # keep every digit: written as text
            return _export_value(sheet, field, cell_text(value))
        return value
    return _date_cell(sheet, value)


def _text_cell(sheet: Any, text: str) -> ExcelCell:
    """A string cell, never a formula, whatever the text starts with."""
    cell = WriteOnlyCell(sheet, value=neutralise_formula(text))
    cell.data_type = "s"
    return cell


def _date_cell(sheet: Any, value: object) -> object:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, datetime.time | datetime.timedelta):
        return value
    return _text_cell(sheet, str(value))


# ---------------------------------------------------------------------------------------------
# Annotated copy


def annotated_copy(
    *,
    source: Source,
    filename: str,
    errors: Iterable[tuple[int, str | None, str]],
    max_bytes: int | None = None,
) -> bytes:
    """An .xlsx copy of the uploaded ledger with its errors marked, to fix and upload again.

    `errors` holds (Excel row number, field name or Chinese header or None, message). Every
    row keeps its Excel row number; the cell of each error is filled red, and an added last
    column 错误说明 lists the row's messages ("header：message"). Rows without errors are
    copied unchanged. Only the ledger sheet is copied, its values without their formatting.
    """
    by_row: dict[int, list[tuple[int | None, str]]] = {}
    with open_sheet(
        source=source, filename=filename, max_bytes=max_bytes, require_columns=False
    ) as ledger:
        for row_number, key, message in errors:
            by_row.setdefault(row_number, []).append((_column_of(ledger.columns, key), message))
        fields = {number: field for field, number in ledger.columns.items()}
        # A copy annotated before keeps its 错误说明 column, with the new messages.
        error_column = next(
            (
                number
                for number, text in enumerate(ledger.headers, start=1)
                if normalize_header(text) == ERROR_HEADER
            ),
            ledger.last_column() + 1,
        )

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(ledger.name[:31] or SHEET_TITLE)
        for field, number in ledger.columns.items():
            dimension = sheet.column_dimensions[get_column_letter(number)]
            dimension.width = WIDTHS.get(field, DEFAULT_WIDTH)
            if field in TEXT_FIELDS:
                dimension.number_format = TEXT_FORMAT
        sheet.column_dimensions[get_column_letter(error_column)].width = 50
        sheet.freeze_panes = f"A{ledger.header_row + 1}"

        for row_number, cells in ledger.all_rows():
            out: list[object] = [_copy_value(sheet, value) for value in cells]
            out.extend([None] * (error_column - len(out)))
            out[error_column - 1] = None
            issues = by_row.get(row_number, [])
            for column_number, _message in issues:
                if column_number is not None:
                    out[column_number - 1] = _marked(sheet, out[column_number - 1])
            if row_number == ledger.header_row:
                cell = WriteOnlyCell(sheet, value=ERROR_HEADER)
                cell.font = REQUIRED_FONT
                cell.fill = ERROR_FILL
                out[error_column - 1] = cell
            elif issues:
                text = "\n".join(
                    _label(fields.get(column_number) if column_number else None, message)
                    for column_number, message in issues
                )
                cell = _text_cell(sheet, text)
                cell.font = ERROR_FONT
                cell.alignment = WRAP
                out[error_column - 1] = cell
            sheet.append(out)
    return _to_bytes(workbook)


def _column_of(columns: dict[str, int], key: str | None) -> int | None:
    """The Excel column number of a field name or a template header, if the file has it."""
    if not key:
        return None
    if key in columns:
        return columns[key]
    column = COLUMN_BY_HEADER.get(key)
    return columns.get(column.field) if column else None


def _label(field: str | None, message: str) -> str:
    if field is None:
        return message
    return f"{COLUMN_BY_FIELD[field].header}：{message}"


def _copy_value(sheet: Any, value: Cell) -> object:
    if value == "":
        return None
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, datetime.date):
        return _date_cell(sheet, value)
    return value


def _marked(sheet: Any, value: object) -> ExcelCell:
    cell = value if isinstance(value, ExcelCell) else WriteOnlyCell(sheet, value=value)
    cell.fill = ERROR_FILL
    return cell
