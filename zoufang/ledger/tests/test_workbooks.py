"""Writing ledger workbooks: the template, exports and annotated copies read back."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from zoufang.core.validators import (
    normalize_id_number,
    normalize_phone,
    parse_amount,
    parse_bool,
    parse_date,
)
from zoufang.ledger.columns import CHANNEL_BY_LABEL, COLUMNS, TARGET_TYPE_BY_LABEL
from zoufang.ledger.sheets import ERROR_HEADER, open_sheet
from zoufang.ledger.tests.test_sheets import HEADERS, csv_text, data_row, xls, xlsx
from zoufang.ledger.workbooks import (
    annotated_copy,
    export_workbook,
    neutralise_formula,
    template_workbook,
    write_export,
)

FIELDS = [column.field for column in COLUMNS]
ERROR_COLOR = "00FFC7CE"


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in their English msgids."""
    with translation.override("en"):
        yield


def visit(**changes: Any) -> dict[str, object]:
    """An export row as the caller gives it: labels, masked personal data."""
    row: dict[str, object] = {
        "visit_date": datetime.date(2024, 3, 5),
        "unit": "JZ0101",
        "officers": "000001、000002",
        "target_type": "群众",
        "channel": "电话",
        "is_return_visit": True,
        "target_name": "张三",
        "phone": "138****0000",
        "id_number": "110105********0014",
        "address": "示例路1号",
        "opinions_collected": 2,
        "disputes_mediated": 0,
        "hazards_found": 1,
        "households_helped": 0,
        "donation_amount": Decimal("1234.50"),
        "summary": "了解治安情况",
        "opinions": "多巡逻\n修路灯",
        "note": None,
    }
    row.update(changes)
    return row


# ---------------------------------------------------------------------------------------------
# The template


def test_template_reads_back_through_the_importer_reader() -> None:
    content = template_workbook()
    with open_sheet(source=content, filename="template.xlsx") as sheet:
        assert sheet.header_row == 2
        assert sheet.columns == {field: number for number, field in enumerate(FIELDS, start=1)}
        assert sheet.unknown_headers == []
        assert sheet.missing_required == []
        [(number, example)] = list(sheet.rows())
    assert number == 3
    # The example row is valid for every format rule.
    today = datetime.date(2025, 1, 1)
    assert parse_date(example["visit_date"], today=today) == datetime.date(2024, 1, 5)
    assert normalize_id_number(example["id_number"]) == example["id_number"]
    assert normalize_phone(example["phone"]) == "13800000000"
    assert example["target_type"] in TARGET_TYPE_BY_LABEL
    assert example["channel"] in CHANNEL_BY_LABEL
    assert parse_bool(example["is_return_visit"]) is False
    assert "示例" in str(example["target_name"])
    assert parse_amount(example["donation_amount"]) == Decimal("0.00")


def test_template_helps_the_user() -> None:
    sheet = load_workbook(io.BytesIO(template_workbook())).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]] == HEADERS
    assert sheet.freeze_panes == "A3"
    for number, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=number)
        assert column.accepts in cell.comment.text
        assert cell.font.b
        red = cell.font.color is not None and cell.font.color.rgb == "00C00000"
        assert red is column.required

    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(validations) == {"D3:D5002", "E3:E5002", "F3:F5002"}
    assert validations["D3:D5002"].type == "list"
    assert all(label in validations["D3:D5002"].formula1 for label in TARGET_TYPE_BY_LABEL)
    assert all(label in validations["E3:E5002"].formula1 for label in CHANNEL_BY_LABEL)
    assert validations["F3:F5002"].formula1 == '"是,否"'

    # Phone and ID columns are text so Excel keeps every digit; the date column is a date.
    for letter in "BCHI":  # 单位编码, 走访民警 (leading zeros), 联系电话, 身份证号
        assert sheet.column_dimensions[letter].number_format == "@"
    assert sheet["H3"].number_format == "@" and sheet["H3"].data_type == "s"
    assert sheet["I3"].number_format == "@" and sheet["I3"].data_type == "s"
    assert sheet["A3"].number_format == "yyyy-mm-dd" and sheet["A3"].is_date
    assert sheet.column_dimensions["I"].width >= 20


# ---------------------------------------------------------------------------------------------
# Export


def test_export_reads_back_the_same_values() -> None:
    rows = [visit(), visit(target_name="李四", is_return_visit=False, visit_date="2024-03-06")]
    content = export_workbook(rows=rows)
    with open_sheet(source=content, filename="export.xlsx") as sheet:
        assert sheet.header_row == 1
        assert sheet.unknown_headers == []
        read = list(sheet.rows())
    assert [number for number, _ in read] == [2, 3]
    first = read[0][1]
    assert first == {
        **visit(),
        "is_return_visit": "是",
        "donation_amount": 1234.5,
        "note": "",
    }
    assert type(first["visit_date"]) is datetime.date
    assert read[1][1]["is_return_visit"] == "否"
    assert read[1][1]["visit_date"] == "2024-03-06"


def test_export_with_watermark_keeps_the_header_findable(tmp_path: Any) -> None:
    path = tmp_path / "export.xlsx"
    count = write_export(
        rows=(visit(target_name=f"对象{i}") for i in range(2000)),
        out=path,
        watermark="导出人 admin，2024-03-06 10:00 & 仅供内部使用",
    )
    assert count == 2000
    with open_sheet(source=path, filename="export.xlsx") as sheet:
        assert sheet.header_row == 2
        names = [values["target_name"] for _, values in sheet.rows()]
    assert names == [f"对象{i}" for i in range(2000)]
    book = load_workbook(path)
    sheet = book.active
    assert sheet["A1"].value == "导出人 admin，2024-03-06 10:00 & 仅供内部使用"
    assert "admin" in sheet.oddHeader.center.text
    assert sheet.freeze_panes == "A3"
    assert sheet["H3"].number_format == "@"


def test_export_neutralises_formulas() -> None:
    dangerous = {
        "target_name": '=HYPERLINK("http://evil","点我")',
        "address": "+1+2",
        "summary": "-2+3",
        "opinions": "@SUM(A1:A2)",
        "note": "\t=1+1",
        "officers": "\r=1",
        "unit": "=cmd|' /C calc'!A0",
    }
    content = export_workbook(rows=[visit(**dangerous)])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = {field: sheet.cell(row=2, column=FIELDS.index(field) + 1) for field in dangerous}
    for field, cell in cells.items():
        assert cell.data_type == "s", field
        assert cell.value == "'" + dangerous[field], field
    # Read back through the importer's reader, the values are what was exported.
    with open_sheet(source=content, filename="export.xlsx") as ledger:
        [(_, values)] = list(ledger.rows())
    assert {field: values[field] for field in dangerous} == dangerous


def test_neutralise_formula() -> None:
    assert neutralise_formula("=1") == "'=1"
    assert neutralise_formula("普通文字") == "普通文字"
    assert neutralise_formula("a=1") == "a=1"
    assert neutralise_formula("bad\x07bell") == "badbell"


def test_export_keeps_numbers_in_text_columns_as_text() -> None:
    content = export_workbook(rows=[visit(phone=13800000000.0, id_number=None)])
    with open_sheet(source=content, filename="export.xlsx") as sheet:
        [(_, values)] = list(sheet.rows())
    assert values["phone"] == "13800000000"
    assert values["id_number"] == ""


# ---------------------------------------------------------------------------------------------
# Annotated copy


def fills(sheet: Any, row: int) -> dict[int, str]:
    return {
        cell.column: cell.fill.fgColor.rgb
        for cell in sheet[row]
        if cell.fill is not None and cell.fill.fill_type == "solid"
    }


def test_annotated_copy_of_an_xlsx() -> None:
    source = xlsx(
        [
            ["某某派出所走访台账"],
            [],
            [*HEADERS, "序号"],
            [*data_row(target_name="甲", id_number=110105198001010014), 1],
            [*data_row(target_name="乙"), 2],
            [],
            [*data_row(target_name="丙", phone="123"), 3],
        ]
    )
    errors = [
        (4, "id_number", "The ID number is in a number cell"),
        (7, "联系电话", "Not a phone number"),
        (7, None, "Duplicate of row 4"),
    ]
    copy = annotated_copy(source=source, filename="台账.xlsx", errors=errors)
    sheet = load_workbook(io.BytesIO(copy)).active
    assert sheet is not None
    error_column = len(HEADERS) + 2  # after 序号
    assert sheet["A1"].value == "某某派出所走访台账"
    assert sheet.cell(row=3, column=error_column).value == ERROR_HEADER
    assert sheet.cell(row=4, column=error_column).value == (
        "身份证号：The ID number is in a number cell"
    )
    assert sheet.cell(row=7, column=error_column).value == (
        "联系电话：Not a phone number\nDuplicate of row 4"
    )
    assert fills(sheet, 4) == {9: ERROR_COLOR}
    assert fills(sheet, 7) == {8: ERROR_COLOR}
    assert fills(sheet, 5) == {}
    assert sheet.cell(row=5, column=error_column).value is None
    # Rows without errors are unchanged, types included.
    assert [cell.value for cell in sheet[5]][: len(HEADERS) + 1] == [
        *[
            datetime.datetime(2024, 3, 5)
            if isinstance(v, datetime.date)
            else (None if v == "" else v)
            for v in data_row(target_name="乙")
        ],
        2,
    ]
    assert sheet["A5"].is_date

    # The corrected copy imports again: same rows, same numbers, no warning for 错误说明.
    with open_sheet(source=copy, filename="台账（已标注）.xlsx") as ledger:
        assert ledger.header_row == 3
        assert ledger.unknown_headers == ["序号"]
        assert [number for number, _ in ledger.rows()] == [4, 5, 7]

    # Annotated again, the 错误说明 column is reused and only the new messages remain.
    again = annotated_copy(source=copy, filename="a.xlsx", errors=[(5, "target_name", "Too long")])
    sheet = load_workbook(io.BytesIO(again)).active
    assert sheet is not None
    assert sheet.max_column == error_column
    assert sheet.cell(row=3, column=error_column).value == ERROR_HEADER
    assert sheet.cell(row=4, column=error_column).value is None
    assert sheet.cell(row=5, column=error_column).value == "对象名称：Too long"
    assert fills(sheet, 4) == {} and fills(sheet, 5) == {7: ERROR_COLOR}


def test_annotated_copy_of_a_csv() -> None:
    source = csv_text(
        HEADERS,
        [str(v) for v in data_row(summary="=1+2")],
        [str(v) for v in data_row(unit="X")],
    ).encode("gb18030")
    copy = annotated_copy(source=source, filename="台账.csv", errors=[(3, "unit", "Unknown unit")])
    sheet = load_workbook(io.BytesIO(copy)).active
    assert sheet is not None
    assert sheet.cell(row=1, column=len(HEADERS) + 1).value == ERROR_HEADER
    assert sheet.cell(row=3, column=len(HEADERS) + 1).value == "单位编码：Unknown unit"
    assert fills(sheet, 3) == {2: ERROR_COLOR}
    summary = sheet.cell(row=2, column=FIELDS.index("summary") + 1)
    assert summary.data_type == "s" and summary.value == "'=1+2"
    assert sheet["A2"].value == "2024-03-05"  # CSV values stay text


def test_annotated_copy_of_an_xls() -> None:
    source = xls([["台账"], HEADERS, data_row(), data_row(channel="飞鸽")])
    copy = annotated_copy(
        source=source, filename="a.xls", errors=[(4, "channel", "Unknown channel")]
    )
    sheet = load_workbook(io.BytesIO(copy)).active
    assert sheet is not None
    assert sheet.title == "台账"
    assert sheet.cell(row=2, column=len(HEADERS) + 1).value == ERROR_HEADER
    assert fills(sheet, 4) == {5: ERROR_COLOR}
    assert sheet["A3"].value == datetime.datetime(2024, 3, 5)
