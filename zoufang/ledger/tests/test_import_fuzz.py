"""Property tests of the importer against generated sheets: any cell of any type in any
column, any column order, damaged files. The importer raises nothing but SheetError; without
`skip_invalid` it writes every valid row or nothing, with it exactly the valid rows; the
roll-ups always equal a rebuild from the visits.

test_imports.py covers the export → import round trip; test_sheets.py that both readers
give the same rows. These add the garbage.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import struct
import zipfile
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from zoufang.ledger import imports
from zoufang.ledger.columns import COLUMNS
from zoufang.ledger.imports import ImportResult, ledger_import
from zoufang.ledger.models import Visit, VisitDaily
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.ledger.sheets import SheetError
from zoufang.opinions.models import Opinion

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]
BADGE = "<badge>"  # replaced by the city's officer's badge number
FUZZ = settings(
    max_examples=int(os.environ.get("ZOUFANG_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CELLS = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-/.年月日 ,，、;元XxＸ１２３", max_size=20),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.datetimes(
        min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2099, 12, 31)
    ).map(lambda d: d.replace(microsecond=0)),
    st.sampled_from(["", " ", "是", "否", "√", "群众", "微信", "JZ0201", "JZ9999", "=1+1"]),
    st.none(),
)
# Valid values a cell may also take, so that valid and invalid rows mix.
GOOD = {
    "联系电话": st.sampled_from(["13812345678", "138 1234 5678", "0571-88886666", ""]),
    "身份证号": st.sampled_from(["11010519491231002X", "330102199001011237", ""]),
    "对象类型": st.sampled_from(["群众", "企事业单位", "重点人员", "困难群众"]),
    "走访方式": st.sampled_from(["面对面", "电话", "微信", "其他线上"]),
    "是否回访": st.sampled_from(["是", "否", "", "√", "N"]),
    "收集意见数": st.integers(0, 5),
    "捐款捐物金额(元)": st.sampled_from(["0", "1,200.50元", "12.5", ""]),
    "意见建议": st.sampled_from(["", "希望加强巡逻；路灯太暗", "多巡逻"]),
}


@st.composite
def sheet_rows(draw: Any) -> list[dict[str, Any]]:
    """Rows that start valid, take some good alternatives, and get some cells garbled."""
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        row: dict[str, Any] = {
            "走访日期": (
                datetime.date(2022, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 3)))
            ).isoformat(),
            "单位编码": "JZ0101",
            "走访民警": BADGE,
            "对象类型": "群众",
            "走访方式": "面对面",
            "对象名称": draw(st.sampled_from(["张大爷", "李四", "某某科技有限公司", "王五"])),
        }
        for header in draw(st.sets(st.sampled_from(sorted(GOOD)), max_size=4)):
            row[header] = draw(GOOD[header])
        for header in draw(st.sets(st.sampled_from(HEADERS), max_size=3)):
            row[header] = draw(CELLS)
        rows.append(row)
    return rows


def _cell(value: Any, badge: str) -> Any:
    if value == BADGE:
        return badge
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx(headers: list[str], rows: list[dict[str, Any]], badge: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(row.get(h), badge) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[dict[str, Any]], badge: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        values = [_cell(row.get(h), badge) for h in headers]
        writer.writerow(["" if v is None else str(v).replace("\x00", "") for v in values])
    return buffer.getvalue().encode("utf-8")


def reset() -> None:
    """Each example starts from an empty ledger (the database lives for the whole test)."""
    Opinion.objects.all().delete()
    Visit.objects.all().delete()
    VisitDaily.objects.all().delete()


def rollups() -> list[tuple[Any, ...]]:
    """The roll-up rows that count something, without their ids."""
    return sorted(row[1:] for row in VisitDaily.objects.exclude(visits=0).values_list())


def assert_rollups_match_a_rebuild() -> None:
    kept = rollups()
    rollup_rebuild()
    assert kept == rollups()


def import_or_refuse(data: bytes, filename: str, **kwargs: Any) -> ImportResult | None:
    """The import's result, or None when it refused the file (SheetError, nothing written).
    Any other exception fails the test."""
    count = Visit.objects.count()
    try:
        return ledger_import(actor=None, source=data, filename=filename, **kwargs)
    except SheetError as error:
        assert error.message
        assert Visit.objects.count() == count
        return None


def check_all_or_nothing(data: bytes, filename: str) -> None:
    reset()
    dry = import_or_refuse(data, filename, dry_run=True)
    assert not Visit.objects.exists()
    if dry is None:
        event("file refused")
        return
    event(f"{'some' if dry.errors else 'no'} bad rows, {'some' if dry.valid else 'no'} good rows")
    bad_rows = {error.row for error in dry.errors}
    assert dry.valid == dry.rows - len(bad_rows)
    wanted = dry.valid - dry.duplicates

    strict = import_or_refuse(data, filename)
    assert strict is not None and strict.errors == dry.errors
    assert strict.imported == Visit.objects.count() == (0 if dry.errors else wanted)
    assert_rollups_match_a_rebuild()

    reset()
    lenient = import_or_refuse(data, filename, skip_invalid=True)
    assert lenient is not None and lenient.errors == dry.errors
    assert lenient.imported == Visit.objects.count() == wanted
    assert_rollups_match_a_rebuild()
    for visit in Visit.objects.prefetch_related("officers"):
        assert visit.officers.exists() and visit.visit_date <= datetime.date.today()
        assert visit.opinions_collected >= 0 and visit.donation_amount >= 0


@FUZZ
@given(
    rows=sheet_rows(),
    headers=st.permutations(HEADERS),
    extra=st.lists(st.sampled_from(["民警手机", "序号", ""]), max_size=2),
    kind=st.sampled_from(["xlsx", "csv"]),
    batch=st.sampled_from([2, imports.BATCH_ROWS]),
)
def test_any_cells_in_any_column_import_all_or_nothing(
    city: Any,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[dict[str, Any]],
    headers: list[str],
    extra: list[str],
    kind: str,
    batch: int,
) -> None:
    # Batches of 2 rows: earlier batches are written before a later row turns out wrong.
    monkeypatch.setattr(imports, "BATCH_ROWS", batch)
    columns = [*headers, *extra]
    badge = city.officer.badge_no
    if kind == "xlsx":
        check_all_or_nothing(xlsx(columns, rows, badge), "台账.xlsx")
    else:
        check_all_or_nothing(csv_bytes(columns, rows, badge), "台账.csv")


@FUZZ
@given(
    rows=sheet_rows(),
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    truncate=st.one_of(st.none(), st.integers(0, 10**6)),
    name=st.sampled_from(["台账.xlsx", "台账.xls", "台账.csv"]),
)
def test_a_damaged_file_is_refused_or_read_never_crashes(
    city: Any,
    rows: list[dict[str, Any]],
    cuts: list[tuple[int, int]],
    truncate: int | None,
    name: str,
) -> None:
    data = bytearray(xlsx(HEADERS, rows, city.officer.badge_no))
    for position, byte in cuts:
        data[position % len(data)] = byte
    if truncate is not None:
        data = data[: truncate % len(data)]
    check_all_or_nothing(bytes(data), name)


@FUZZ
@given(data=st.binary(max_size=2048), name=st.sampled_from(["a.xlsx", "a.xls", "a.csv"]))
def test_random_bytes_are_refused_or_read_never_crash(city: Any, data: bytes, name: str) -> None:
    check_all_or_nothing(data, name)


def _patched_manifest(field: str, value: int) -> bytes:
    """A valid .xlsx whose `[Content_Types].xml` entry has one header field changed."""
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("[Content_Types].xml")
    local = info.header_offset
    central = data.find(b"PK\x01\x02" + data[local + 4 : local + 6])  # its directory entry
    while data[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    if field == "flags":
        struct.pack_into("<H", data, local + 6, value)
        struct.pack_into("<H", data, central + 8, value)
    elif field == "method":
        struct.pack_into("<H", data, local + 8, value)
        struct.pack_into("<H", data, central + 10, value)
    elif field == "version":
        struct.pack_into("<H", data, central + 6, value)
    else:  # the first byte of the deflate stream: block type 3 does not exist
        name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
        data[local + 30 + name_length + extra_length] = value
    return bytes(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("flags", 0x01),  # encrypted: RuntimeError from zipfile
        ("flags", 0x20),  # compressed patched data: NotImplementedError
        ("flags", 0x40),  # strong encryption: NotImplementedError
        ("method", 99),  # unknown compression method: NotImplementedError
        ("version", 95),  # zip version 9.5: NotImplementedError
        ("deflate", 0x07),  # a broken deflate stream: zlib.error
    ],
)
def test_zip_features_python_cannot_read_are_a_damaged_file(
    city: Any, field: str, value: int
) -> None:
    """Found by the fuzz above: these escaped `sheets._check_zip` as other exceptions."""
    with pytest.raises(SheetError) as refused:
        ledger_import(actor=None, source=_patched_manifest(field, value), filename="台账.xlsx")
    assert refused.value.code == "damaged"
