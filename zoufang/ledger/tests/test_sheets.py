"""Reading ledger files: refusals before parsing, the header row, cell types, row numbers."""

from __future__ import annotations

import datetime
import io
import os
import random
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from zoufang.ledger import sheets
from zoufang.ledger.columns import COLUMNS, REQUIRED_HEADERS
from zoufang.ledger.sheets import SheetError, Source, check_file, normalize_header, open_sheet

HEADERS = [column.header for column in COLUMNS]
FIELDS = [column.field for column in COLUMNS]
ID_NUMBER = "110105198001010014"
VALUES: dict[str, Any] = {
    "visit_date": datetime.date(2024, 3, 5),
    "unit": "JZ0101",
    "officers": "000001、000002",
    "target_type": "群众",
    "channel": "面对面",
    "is_return_visit": "否",
    "target_name": "张三",
    "phone": "13800000000",
    "id_number": ID_NUMBER,
    "address": "示例路1号",
    "opinions_collected": 2,
    "disputes_mediated": 0,
    "hazards_found": 1,
    "households_helped": 0,
    "donation_amount": 12.5,
    "summary": "了解治安情况",
    "opinions": "多巡逻",
    "note": "",
}


def data_row(**changes: Any) -> list[Any]:
    """A template row (in COLUMNS order) with some values changed."""
    values = {**VALUES, **changes}
    return [values[field] for field in FIELDS]


def xlsx(*sheets_rows: list[list[Any]], titles: tuple[str, ...] = (), hidden: int = -1) -> bytes:
    """An .xlsx with one worksheet per list of rows (None is an empty cell)."""
    workbook = Workbook()
    for index, rows in enumerate(sheets_rows):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        if index < len(titles):
            sheet.title = titles[index]
        if index == hidden:
            sheet.sheet_state = "hidden"
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(content: Source, filename: str = "ledger.xlsx", **kwargs: Any) -> list[tuple[int, dict]]:
    with open_sheet(source=content, filename=filename, **kwargs) as sheet:
        return list(sheet.rows())


def refusal(content: bytes, filename: str, **kwargs: Any) -> SheetError:
    with pytest.raises(SheetError) as caught:
        check_file(source=content, filename=filename, **kwargs)
    return caught.value


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in their English msgids."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, params=["openpyxl", "worker"])
def xlsx_reader(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with both .xlsx readers: openpyxl in this process, and calamine in a
    child process (used from WORKER_MIN_BYTES up; here for any size)."""
    if request.param == "worker":
        monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 0)
    else:
        monkeypatch.setattr(sheets, "WORKER_MAX_BYTES", -1)
    return str(request.param)


# ---------------------------------------------------------------------------------------------
# The header row


def test_header_below_title_rows_and_excel_row_numbers() -> None:
    content = xlsx(
        [
            ["某某分局走访台账"],
            [],
            ["填报单位：某某派出所", None, "填报日期：2024-03-06"],
            HEADERS,
            data_row(target_name="甲"),
            [None, "  ", None],
            [],
            data_row(target_name="乙"),
        ]
    )
    with open_sheet(source=content, filename="台账.xlsx") as sheet:
        assert sheet.header_row == 4
        assert sheet.columns == {field: number for number, field in enumerate(FIELDS, start=1)}
        assert sheet.unknown_headers == []
        assert sheet.missing_required == []
        rows = list(sheet.rows())
    assert [(number, values["target_name"]) for number, values in rows] == [(5, "甲"), (8, "乙")]


def test_columns_in_any_order() -> None:
    order = list(range(len(COLUMNS)))
    random.Random(7).shuffle(order)
    content = xlsx([[HEADERS[i] for i in order], [data_row()[i] for i in order]])
    with open_sheet(source=content, filename="a.xlsx") as sheet:
        assert sheet.columns["visit_date"] == order.index(0) + 1
        [(number, values)] = list(sheet.rows())
    assert number == 2
    assert values == {**VALUES}


def test_header_text_is_normalised() -> None:
    headers = ["* 走访日期", "单位编码*", "走访\n民警", "对象类型(必填)", "走访方式", "对象名称"]
    headers += ["捐款捐物金额（元）", "ＩＤ", " 备注 "]
    content = xlsx([headers])
    with open_sheet(source=content, filename="a.xlsx") as sheet:
        assert sheet.columns == {
            "visit_date": 1,
            "unit": 2,
            "officers": 3,
            "target_type": 4,
            "channel": 5,
            "target_name": 6,
            "donation_amount": 7,
            "note": 9,
        }
        assert sheet.unknown_headers == ["ＩＤ"]
    assert normalize_header("捐款捐物金额（元）") == "捐款捐物金额(元)"


def test_unknown_columns_are_listed_and_ignored() -> None:
    content = xlsx([[*HEADERS, "序号", None, "联系人"], [*data_row(), 1, None, "李四"]])
    with open_sheet(source=content, filename="a.xlsx") as sheet:
        assert sheet.unknown_headers == ["序号", "联系人"]
        assert sheet.warnings() == [
            "Unknown column “序号” is ignored",
            "Unknown column “联系人” is ignored",
        ]
        [(_, values)] = list(sheet.rows())
    assert set(values) == set(FIELDS)


def test_missing_required_columns_are_a_file_error() -> None:
    keep = [h for h in HEADERS if h not in ("单位编码", "走访方式")]
    content = xlsx([keep])
    with pytest.raises(SheetError) as caught:
        open_sheet(source=content, filename="a.xlsx")
    assert caught.value.code == "missing_columns"
    assert "单位编码、走访方式" in caught.value.message

    with open_sheet(source=content, filename="a.xlsx", require_columns=False) as sheet:
        assert sheet.missing_required == ["单位编码", "走访方式"]
        assert sheet.missing_required_error() is not None


def test_a_repeated_header_is_a_file_error() -> None:
    content = xlsx([[*HEADERS, "对象名称"]])
    with pytest.raises(SheetError) as caught:
        open_sheet(source=content, filename="a.xlsx")
    assert caught.value.code == "duplicate_column"
    assert "对象名称" in caught.value.message
    assert "G" in caught.value.message and "S" in caught.value.message


def test_no_header_in_the_first_ten_rows() -> None:
    content = xlsx([*[["标题"]] * 10, HEADERS])
    with pytest.raises(SheetError) as caught:
        open_sheet(source=content, filename="a.xlsx")
    assert caught.value.code == "header"
    assert "10" in caught.value.message


def test_a_table_that_does_not_start_in_column_a() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for offset, row in enumerate([HEADERS, data_row()]):
        for number, value in enumerate(row, start=3):
            sheet.cell(row=4 + offset, column=number, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with open_sheet(source=buffer.getvalue(), filename="a.xlsx") as ledger:
        assert ledger.header_row == 4
        assert ledger.columns["visit_date"] == 3
        assert ledger.headers[:3] == ["", "", "走访日期"]
        [(number, values)] = list(ledger.rows())
    assert number == 5
    assert values == VALUES


def test_a_sheet_without_a_header_is_passed_over() -> None:
    content = xlsx(
        [["填表说明"], ["走访日期写成 2024-01-05"]],
        [["隐藏"], HEADERS],
        [["台账"], HEADERS, data_row()],
        titles=("说明", "旧表", "三月"),
        hidden=1,
    )
    with open_sheet(source=content, filename="a.xlsx") as sheet:
        assert sheet.name == "三月"
        assert sheet.header_row == 2
        assert [number for number, _ in sheet.rows()] == [3]


# ---------------------------------------------------------------------------------------------
# Cell types


def test_cell_types_are_kept() -> None:
    content = xlsx(
        [
            HEADERS,
            data_row(
                visit_date=datetime.datetime(2024, 3, 5, 9, 30),
                id_number=110105198001010014,
                phone=13800000000,
                opinions_collected=3,
                donation_amount=1234.56,
            ),
            data_row(visit_date="2024年3月5日", opinions_collected="3", is_return_visit=True),
        ]
    )
    [(_, first), (_, second)] = read(content)
    assert first["visit_date"] == datetime.datetime(2024, 3, 5, 9, 30)
    # An ID number in a number cell stays a number: the validators refuse it, nobody guesses.
    assert isinstance(first["id_number"], int | float)
    assert not isinstance(first["id_number"], str)
    assert first["phone"] == 13800000000
    assert first["opinions_collected"] == 3 and isinstance(first["opinions_collected"], int)
    assert first["donation_amount"] == 1234.56
    assert first["note"] == ""
    assert second["visit_date"] == "2024年3月5日"
    assert second["opinions_collected"] == "3"
    assert second["is_return_visit"] is True
    assert second["id_number"] == ID_NUMBER


def test_date_cells_come_back_as_dates() -> None:
    [(_, values)] = read(xlsx([HEADERS, data_row()]))
    assert values["visit_date"] == datetime.date(2024, 3, 5)
    assert type(values["visit_date"]) is datetime.date


def test_a_number_id_as_excel_saves_it_stays_a_number() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(data_row())
    sheet["I2"].value = 1.10105198001010e17  # 15 significant digits: what Excel keeps
    buffer = io.BytesIO()
    workbook.save(buffer)
    [(_, values)] = read(buffer.getvalue())
    assert isinstance(values["id_number"], float)


def test_the_neutralising_apostrophe_is_removed() -> None:
    content = xlsx([HEADERS, data_row(summary="'=1+2", note="'不是公式", address="'-3")])
    [(_, values)] = read(content)
    assert values["summary"] == "=1+2"
    assert values["note"] == "'不是公式"
    assert values["address"] == "-3"


def test_sources_bytes_path_and_stream(tmp_path: Path) -> None:
    content = xlsx([HEADERS, data_row()])
    path = tmp_path / "upload.tmp"  # an upload's temporary name: the user's name decides
    path.write_bytes(content)
    expected = read(content)
    assert read(path, "a.xlsx") == expected
    assert read(str(path), "a.xlsx") == expected
    with path.open("rb") as stream:
        stream.read(10)
        assert read(stream, "a.xlsx") == expected


def test_a_far_away_cell_does_not_blow_up() -> None:
    # Calamine would allocate a 16,384 × 1,048,576 grid for this 5 KB file and abort.
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(data_row())
    sheet["XFD1048576"] = "远处"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    rows = read(buffer.getvalue())
    assert [number for number, _ in rows] == [2]  # the far cell is past the columns read


def test_rows_can_be_read_twice() -> None:
    with open_sheet(source=xlsx([HEADERS, data_row()]), filename="a.xlsx") as sheet:
        assert list(sheet.rows()) == list(sheet.rows())


def test_an_empty_worksheet_has_no_header() -> None:
    with pytest.raises(SheetError) as caught:
        open_sheet(source=xlsx([]), filename="a.xlsx")
    assert caught.value.code == "header"


# ---------------------------------------------------------------------------------------------
# CSV


def csv_text(*rows: list[str], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(encoding: str) -> None:
    text = csv_text(
        ["走访台账"],
        HEADERS,
        [str(value) for value in data_row(target_name="王五")],
        [""] * len(HEADERS),
        [str(value) for value in data_row(target_name="赵六", id_number="11010519800101001X")],
    )
    content = text.encode(encoding)
    assert check_file(source=content, filename="台账.csv") == "csv"
    with open_sheet(source=content, filename="台账.csv") as sheet:
        assert sheet.header_row == 2
        assert sheet.kind == "csv"
        rows = list(sheet.rows())
    assert [number for number, _ in rows] == [3, 5]
    first = rows[0][1]
    assert first["target_name"] == "王五"
    assert first["visit_date"] == "2024-03-05"
    assert first["opinions_collected"] == "2"
    assert all(isinstance(value, str) for value in first.values())
    assert rows[1][1]["id_number"] == "11010519800101001X"


def test_csv_multiline_field_counts_as_one_excel_row() -> None:
    row = [str(value) for value in data_row(opinions='"多巡逻\n修路灯"')]
    content = csv_text(HEADERS, row, [str(v) for v in data_row(target_name="乙")]).encode()
    rows = read(content, "a.csv")
    assert [number for number, _ in rows] == [2, 3]
    assert rows[0][1]["opinions"] == "多巡逻\n修路灯"


def test_csv_with_tabs() -> None:
    content = csv_text(HEADERS, [str(v) for v in data_row()], delimiter="\t").encode("gb18030")
    [(number, values)] = read(content, "a.csv")
    assert number == 2
    assert values["target_type"] == "群众"


def test_csv_short_rows_and_neutraliser() -> None:
    content = csv_text(HEADERS, ["2024-03-05", "JZ0101", "'=cmd"]).encode()
    [(_, values)] = read(content, "a.csv")
    assert values["officers"] == "=cmd"
    assert values["note"] == ""


def test_csv_that_is_not_text() -> None:
    assert refusal(b"\x81\x30\xfa\x80\x81", "a.csv").code == "encoding"
    assert refusal(b"a,b\n\x00\x01,2\n", "a.csv").code == "mismatch"


def test_csv_in_utf16_as_excel_saves_unicode_text() -> None:
    content = csv_text(HEADERS, [str(v) for v in data_row()], delimiter="\t").encode("utf-16")
    [(number, values)] = read(content, "a.csv")
    assert number == 2
    assert values["target_name"] == "张三"


# ---------------------------------------------------------------------------------------------
# Refusals before parsing


def test_too_large() -> None:
    error = refusal(b"x" * 2048, "a.csv", max_bytes=1024)
    assert error.code == "too_large"
    assert "0.000977 MB" in error.message
    assert refusal(b"x" * (60 * 1024 * 1024 + 1), "a.csv").message.endswith("limit is 50 MB")


@pytest.mark.parametrize("name", ["a.txt", "a.xlsb", "a.ods", "a", "a.xlsx.exe"])
def test_unsupported_types(name: str) -> None:
    error = refusal(b"a,b\n", name)
    assert error.code == "type"
    assert ".xlsx, .xls or .csv" in error.message


def test_empty_file() -> None:
    assert refusal(b"", "a.csv").code == "empty"


def rezip(content: bytes, *, add: dict[str, bytes] | None = None, edit: Any = None) -> bytes:
    """The .xlsx re-zipped with members added, or members' bytes edited by `edit(name, data)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, edit(info.filename, data) if edit else data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def test_macros_are_refused() -> None:
    content = xlsx([HEADERS])
    assert refusal(content, "a.xlsm").code == "macros"
    with_vba = rezip(content, add={"xl/vbaProject.bin": b"\x00" * 100})
    assert refusal(with_vba, "a.xlsx").code == "macros"

    def macro_enabled(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
            )
        return data

    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(rezip(content, edit=macro_enabled))).read(
        "[Content_Types].xml"
    )
    assert refusal(rezip(content, edit=macro_enabled), "a.xlsx").code == "macros"


def test_renamed_files_are_refused() -> None:
    content = xlsx([HEADERS])
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"

    assert refusal(plain_zip.getvalue(), "a.xlsx").code == "mismatch"
    assert refusal(docx.getvalue(), "a.xlsx").code == "mismatch"
    assert refusal(pdf, "a.xlsx").code == "mismatch"
    assert refusal(pdf, "a.xls").code == "mismatch"
    assert refusal(b"a,b\n1,2\n", "a.xlsx").code == "mismatch"
    renamed = refusal(content, "a.csv")
    assert renamed.code == "mismatch"
    assert ".xlsx" in renamed.message
    assert refusal(content, "a.xls").code == "mismatch"
    assert check_file(source=content, filename="A.XLSX") == "xlsx"


def test_damaged_xlsx() -> None:
    def garble(name: str, data: bytes) -> bytes:
        return b"<worksheet><sheetData><row" if name.startswith("xl/worksheets/") else data

    with pytest.raises(SheetError) as caught:
        open_sheet(source=rezip(xlsx([HEADERS]), edit=garble), filename="a.xlsx")
    assert caught.value.code == "damaged"
    with pytest.raises(SheetError) as caught:
        open_sheet(source=b"PK\x03\x04garbage", filename="a.xlsx")
    assert caught.value.code == "damaged"


def skeleton_xlsx(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bombs_are_refused() -> None:
    # A member that expands 1000 times.
    bomb = skeleton_xlsx({"xl/worksheets/sheet1.xml": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    assert refusal(bomb, "a.xlsx").code == "zip_bomb"
    # Nested archives, too many members.
    assert refusal(skeleton_xlsx({"xl/embeddings/x.zip": b"PK"}), "a.xlsx").code == "zip_bomb"
    many = {f"xl/media/{i}.bin": b"" for i in range(sheets.MAX_MEMBERS)}
    assert refusal(skeleton_xlsx(many), "a.xlsx").code == "zip_bomb"


def test_parts_read_whole_are_limited() -> None:
    # Not compressible, so no ratio alarm: only the part's own limit refuses it.
    styles = os.urandom(sheets.MAX_PARSED_PART + 1)
    content = skeleton_xlsx({"xl/styles.xml": styles}, compression=zipfile.ZIP_STORED)
    assert refusal(content, "a.xlsx").code == "zip_bomb"
    # Shared strings are kept in memory: at most twice max_bytes.
    shared = skeleton_xlsx({"xl/sharedStrings.xml": b"<si><t>a</t></si>" * 2500})
    assert len(shared) < 10_000
    assert refusal(shared, "a.xlsx", max_bytes=10_000).code == "zip_bomb"
    assert check_file(source=shared, filename="a.xlsx", max_bytes=25_000) == "xlsx"


def test_zip_bomb_by_declared_size() -> None:
    content = bytearray(
        skeleton_xlsx({"xl/worksheets/sheet1.xml": b"<x/>" * 1000}, compression=zipfile.ZIP_STORED)
    )
    # Declare 2 GB unpacked in the central directory entry of the sheet.
    entry = content.rfind(b"PK\x01\x02", 0, content.rfind(b"xl/worksheets/sheet1.xml"))
    struct.pack_into("<I", content, entry + 24, 2**31)
    error = refusal(bytes(content), "a.xlsx", max_bytes=1024 * 1024)
    assert error.code == "zip_bomb"


def test_the_limits_leave_real_workbooks_alone() -> None:
    rows = [HEADERS] + [data_row(target_name=f"对象{i}") for i in range(3000)]
    assert check_file(source=xlsx(rows), filename="a.xlsx") == "xlsx"


# ---------------------------------------------------------------------------------------------
# .xls: no installed library writes one, so the tests build a small BIFF8 workbook by hand.


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _label(row: int, column: int, text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, column, 0, len(text), 1) + encoded)


def _number(row: int, column: int, value: float, xf: int = 0) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, column, xf, value))


def _sst(strings: list[str]) -> bytes:
    """An SST record (with CONTINUE records) of one-byte-per-character or UTF-16 strings."""
    body = struct.pack("<II", len(strings), len(strings))
    pieces: list[bytes] = []
    for text in strings:
        wide = any(ord(char) > 255 for char in text)
        encoded = text.encode("utf-16-le" if wide else "latin-1")
        pieces.append(struct.pack("<HB", len(text), int(wide)) + encoded)
    data = body + b"".join(pieces)
    if len(data) <= 8224:
        return _record(0x00FC, data)
    # One long one-byte string split over CONTINUE records, each opening with its flag byte.
    assert len(strings) == 1 and not any(ord(char) > 255 for char in strings[0])
    records = _record(0x00FC, data[:8224])
    rest = data[8224:]
    while rest:
        records += _record(0x003C, b"\x00" + rest[:8223])
        rest = rest[8223:]
    return records


def _label_sst(row: int, column: int, index: int) -> bytes:
    return _record(0x00FD, struct.pack("<HHHI", row, column, 0, index))


def biff8(
    rows: list[list[Any]],
    *,
    sheet_type: int = 0,
    shared: bool = False,
    dimensions: bytes | None = None,
    extra_cells: bytes = b"",
    strings: list[str] | None = None,
) -> bytes:
    """A BIFF8 Workbook stream: XF 0 general, XF 1 a date (format 14), one worksheet.

    Text goes in LABEL records, or with `shared` in the SST and LABELSST records.
    """
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    xf_general = struct.pack("<HH", 0, 0) + bytes(16)
    xf_date = struct.pack("<HH", 0, 14) + bytes(16)
    name = "台账".encode("utf-16-le")

    table = list(strings or [])
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and shared:
                if value not in table:
                    table.append(value)
                cells += _label_sst(r, c, table.index(value))
            elif isinstance(value, str):
                cells += _label(r, c, value)
            elif isinstance(value, datetime.date):
                serial = (value - datetime.date(1899, 12, 30)).days
                cells += _number(r, c, serial, xf=1)
            elif isinstance(value, int | float):
                cells += _number(r, c, float(value))
    width = max((len(row) for row in rows), default=0)
    sheet = (
        _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        + _record(0x0200, dimensions or struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        + cells
        + extra_cells
        + _record(0x000A, b"")
    )
    head = (
        _record(0x0809, bof)
        + _record(0x0042, struct.pack("<H", 1200))
        + _record(0x00E0, xf_general)
        + _record(0x00E0, xf_date)
        + (_sst(table) if table else b"")
    )
    boundsheet_size = 4 + 6 + 2 + len(name)
    eof = _record(0x000A, b"")
    position = len(head) + boundsheet_size + len(eof)
    boundsheet = _record(0x0085, struct.pack("<IBBBB", position, 0, sheet_type, 2, 1) + name)
    return head + boundsheet + eof + sheet


def compound_file(streams: dict[str, bytes], *, directory_loop: bool = False) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding the streams."""
    sector = 512
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    # Streams under 4096 bytes would belong in the mini stream: pad them to 4096 (the BIFF
    # records end with EOF, so the reader never reaches the padding).
    padded = {
        name: data.ljust(max(4096, len(data) + -len(data) % sector), b"\x00")
        for name, data in streams.items()
    }
    data_sectors = sum(len(data) // sector for data in padded.values())
    fat_count = 1
    while fat_count * 128 < fat_count + 1 + data_sectors:
        fat_count += 1
    assert fat_count <= 109 and len(streams) <= 3
    directory_sector = fat_count
    fat = [fat_sector] * fat_count + [directory_sector if directory_loop else end]
    starts = []
    for data in padded.values():
        starts.append(len(fat))
        count = len(data) // sector
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (fat_count * 128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int, right: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", no_stream, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    directory = entry("Root Entry", 5, end, 0, 1 if names else no_stream, no_stream)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else no_stream
        directory += entry(name, 2, starts[index], len(padded[name]), no_stream, right)
    directory = directory.ljust(sector, b"\x00")

    difat = list(range(fat_count)) + [free] * (109 - fat_count)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, fat_count, directory_sector, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == sector
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(padded.values())
    return header + body


def xls(rows: list[list[Any]], **kwargs: Any) -> bytes:
    return compound_file({"Workbook": biff8(rows, **kwargs)})


def test_xls_is_read() -> None:
    content = xls(
        [
            ["走访台账"],
            HEADERS,
            data_row(id_number=110105198001010014, phone="13800000000"),
            [],
            data_row(target_name="李四", visit_date="2024/3/6"),
        ]
    )
    assert check_file(source=content, filename="a.xls") == "xls"
    with open_sheet(source=content, filename="a.xls") as sheet:
        assert sheet.kind == "xls"
        assert sheet.name == "台账"
        assert sheet.header_row == 2
        rows = list(sheet.rows())
    assert [number for number, _ in rows] == [3, 5]
    first = rows[0][1]
    assert first["visit_date"] == datetime.date(2024, 3, 5)
    assert isinstance(first["id_number"], float)  # a number cell: lost digits, never a guess
    assert first["phone"] == "13800000000"
    assert first["opinions_collected"] == 2
    assert rows[1][1]["visit_date"] == "2024/3/6"


def test_xls_refusals() -> None:
    content = xls([HEADERS])
    renamed = refusal(content, "a.xlsx")
    assert renamed.code == "mismatch" and ".xls" in renamed.message
    assert refusal(content, "a.csv").code == "mismatch"
    document = compound_file({"WordDocument": b"\x00" * 100})
    assert refusal(document, "a.xls").code == "mismatch"
    with_vba = compound_file({"Workbook": biff8([HEADERS]), "_VBA_PROJECT_CUR": b"\x00"})
    assert refusal(with_vba, "a.xls").code == "macros"
    encrypted = compound_file({"EncryptedPackage": b"\x00" * 100})
    assert refusal(encrypted, "a.xlsx").code == "password"
    with pytest.raises(SheetError) as caught:
        open_sheet(source=xls([HEADERS], sheet_type=1), filename="a.xls")
    assert caught.value.code == "macros"


def test_xls_with_shared_strings_is_read() -> None:
    content = xls([HEADERS, data_row(), data_row(target_name="李四")], shared=True)
    rows = read(content, "a.xls")
    assert [values["target_name"] for _, values in rows] == ["张三", "李四"]
    assert rows[0][1]["target_type"] == "群众"


def test_xls_that_would_exhaust_memory_is_refused() -> None:
    # Calamine sizes its memory from these numbers; each of these files is a few kilobytes.
    huge_dimensions = xls([HEADERS], dimensions=struct.pack("<IIHHH", 0, 4_000_000_000, 0, 255, 0))
    assert refusal(huge_dimensions, "a.xls").code == "too_complex"
    far_apart = xls([HEADERS], extra_cells=_number(65535, 255, 1.0))
    assert refusal(far_apart, "a.xls").code == "too_complex"
    too_many = xls([HEADERS], extra_cells=_number(65535, 40, 1.0))
    assert check_file(source=too_many, filename="a.xls") == "xls"  # 65,536 × 41 cells is fine

    # One long shared string, copied by calamine into each of 4,000 cells.
    copies = b"".join(_label_sst(1 + i // 10, i % 10, 0) for i in range(4000))
    amplified = xls([], strings=["x" * 30000], extra_cells=copies)
    assert refusal(amplified, "a.xls").code == "too_complex"
    assert (
        check_file(
            source=xls([], strings=["x" * 30000], extra_cells=copies[:1400]), filename="a.xls"
        )
        == "xls"
    )

    lying_sst = bytearray(xls([HEADERS], shared=True))
    position = lying_sst.find(b"\xfc\x00")
    struct.pack_into("<I", lying_sst, position + 8, 2**31 - 1)  # cstUnique
    assert refusal(bytes(lying_sst), "a.xls").code == "too_complex"


def test_xls_with_a_sector_loop_is_refused() -> None:
    looping = compound_file({"Workbook": biff8([HEADERS])}, directory_loop=True)
    assert refusal(looping, "a.xls").code == "damaged"


def test_required_headers_are_the_template_ones() -> None:
    # The tests above build files from COLUMNS: make sure they exercise the real contract.
    assert "走访日期" in REQUIRED_HEADERS and "身份证号" not in REQUIRED_HEADERS


# ---------------------------------------------------------------------------------------------
# The child-process reader (ledger.xlsxworker)


def test_the_worker_reads_without_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(sheets, "WORKER_MAX_BYTES", 10**9)

    def no_openpyxl(source: Any) -> Any:
        raise AssertionError("openpyxl was used")

    monkeypatch.setattr(sheets, "_OpenpyxlBook", no_openpyxl)
    rows = read(xlsx([["台账"], HEADERS, data_row(), data_row(target_name="李四")]))
    assert [(n, r["target_name"]) for n, r in rows] == [(3, "张三"), (4, "李四")]
    assert rows[0][1]["visit_date"] == datetime.date(2024, 3, 5)


def test_a_file_the_worker_cannot_read_falls_back_to_openpyxl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The far-away cell makes calamine size a 16,384 × 1,048,576 grid: the child dies on its
    # memory ceiling, the server does not, and openpyxl reads the file instead.
    monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(sheets, "WORKER_MAX_BYTES", 10**9)
    used: list[str] = []
    original = sheets._OpenpyxlBook

    def spy(source: Any) -> Any:
        used.append("openpyxl")
        return original(source)

    monkeypatch.setattr(sheets, "_OpenpyxlBook", spy)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(data_row())
    sheet["XFD1048576"] = "远处"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [number for number, _ in read(buffer.getvalue())] == [2]
    assert used == ["openpyxl"]


def test_a_worker_dying_mid_file_is_a_damaged_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(sheets, "WORKER_MAX_BYTES", 10**9)
    with open_sheet(source=xlsx([HEADERS, data_row()]), filename="a.xlsx") as opened:
        process = opened._book.worker._process  # type: ignore[attr-defined]
        process.kill()
        process.wait()
        with pytest.raises(SheetError) as caught:
            list(opened.rows())
    assert caught.value.code == "damaged"


CELLS = st.one_of(
    st.text(max_size=30).filter(lambda t: "\x00" not in t),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e15, max_value=1e15),
    st.booleans(),
    st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.datetimes(
        min_value=datetime.datetime(1950, 1, 1), max_value=datetime.datetime(2099, 12, 31)
    ).map(lambda d: d.replace(microsecond=0)),
    st.none(),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=len(HEADERS)), min_size=1, max_size=8))
def test_both_readers_give_the_same_rows(
    monkeypatch: pytest.MonkeyPatch, body: list[list[Any]]
) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = [
        [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row] for row in body
    ]
    content = xlsx([HEADERS, *rows])
    monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 10**9)
    by_openpyxl = read(content)
    monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(sheets, "WORKER_MAX_BYTES", 10**9)
    assert read(content) == by_openpyxl


def test_a_files_rows_are_estimated_for_the_progress_bar() -> None:
    rows = [HEADERS] + [data_row(target_name=f"对象{i}") for i in range(2000)]
    assert sheets.estimate_rows(io.BytesIO(xlsx(rows)), "a.xlsx") == 2001  # its dimension
    streamed = Workbook(write_only=True)  # no dimension: a sample, scaled
    sheet = streamed.create_sheet()
    for values in rows:
        sheet.append(values)
    content = io.BytesIO()
    streamed.save(content)
    content.seek(0)
    assert 1800 <= (sheets.estimate_rows(content, "a.xlsx") or 0) <= 2200
    text = "\n".join(",".join(str(v) for v in values) for values in rows) + "\n"
    assert sheets.estimate_rows(io.BytesIO(text.encode()), "a.csv") == 2001
    assert sheets.estimate_rows(io.BytesIO(b"not a zip"), "a.xlsx") is None


RAW_CELLS = st.one_of(  # as calamine gives them: floats for numbers, "" for an empty cell
    st.text(max_size=30).filter(lambda t: "\x00" not in t),
    st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e15, max_value=1e15),
    st.booleans(),
    st.sampled_from(["", "  ", "'=1+1", "''=x", "'abc", 3.0, "'\t", "'\r ", "''\t"]),
    st.datetimes(
        min_value=datetime.datetime(1950, 1, 1), max_value=datetime.datetime(2099, 12, 31)
    ),
    st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.times(),
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(RAW_CELLS, max_size=12), max_size=10),
    first_column=st.integers(min_value=0, max_value=3),
    header_row=st.integers(min_value=0, max_value=3),
    picked=st.lists(st.integers(min_value=1, max_value=14), min_size=1, max_size=6, unique=True),
)
def test_the_childs_data_rows_are_the_cells_it_would_read(
    rows: list[list[Any]], first_column: int, header_row: int, picked: list[int]
) -> None:
    """The child checking a large sheet picks a row's values in one pass and leaves them raw
    (`worker_data_rows`); made cells, they are what reading the cells first gives."""
    columns = {FIELDS[index]: column for index, column in enumerate(picked)}
    expected = list(
        sheets.data_rows(
            enumerate(sheets.worker_cells(rows, first_column=first_column), start=1),
            header_row=header_row,
            columns=columns,
        )
    )
    raw = sheets.worker_data_rows(
        rows, first_column=first_column, header_row=header_row, columns=columns
    )
    made = [(n, {f: sheets.as_cell(v) for f, v in values.items()}) for n, values in raw]
    assert made == expected


def test_the_child_passes_over_a_row_blank_once_its_apostrophe_is_off() -> None:
    rows = [["备注", "走访内容"], ["'\t", ""], ["'\r ", "  "], ["'\tx", ""]]
    picked = sheets.worker_data_rows(
        rows, first_column=0, header_row=1, columns={"note": 1, "summary": 2}
    )
    assert [number for number, _ in picked] == [4]
