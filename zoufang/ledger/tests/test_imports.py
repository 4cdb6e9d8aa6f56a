"""Importing ledger files: tolerances, refusals, all-or-nothing, duplicates, the command."""

from __future__ import annotations

import datetime
import html
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoufang.core.models import AuditAction, AuditLog
from zoufang.ledger import sheets
from zoufang.ledger.columns import COLUMNS
from zoufang.ledger.exports import ledger_export
from zoufang.ledger.imports import ledger_import
from zoufang.ledger.models import Visit, VisitDaily
from zoufang.ledger.selectors import VisitFilters
from zoufang.ledger.sheets import SheetError
from zoufang.opinions.models import Opinion
from zoufang.org.models import User
from zoufang.org.scope import SYSTEM
from zoufang.org.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]


@pytest.fixture(autouse=True, params=["here", "worker"])
def checked_in(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs both ways an .xlsx is checked: read by openpyxl and checked in this
    process, and read, checked and prepared by the child process (`ledger.xlsxworker`),
    used from WORKER_MIN_BYTES up (here for any size)."""
    if request.param == "worker":
        monkeypatch.setattr(sheets, "WORKER_MIN_BYTES", 0)
    else:
        monkeypatch.setattr(sheets, "WORKER_MAX_BYTES", -1)
    return str(request.param)


def row(city: Any, **values: Any) -> dict[str, Any]:
    base = {
        "走访日期": "2022-01-05",
        "单位编码": "JZ0101",
        "走访民警": city.officer.badge_no,
        "对象类型": "群众",
        "走访方式": "面对面",
        "对象名称": "张大爷",
    }
    base.update(values)
    return base


def xlsx(
    rows: list[dict[str, Any]], *, headers: list[str] | None = None, title_rows: int = 0
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for n in range(title_rows):
        sheet.append([f"江州市公安局走访台账（标题行{n + 1}）"])
    headers = headers or HEADERS
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def csv_bytes(rows: list[dict[str, Any]], encoding: str) -> bytes:
    lines = [",".join(HEADERS)] + [",".join(str(r.get(h, "")) for h in HEADERS) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(data: bytes, filename: str = "台账.xlsx", actor: Any = None, **kwargs: Any) -> Any:
    return ledger_import(actor=actor, source=data, filename=filename, **kwargs)


def test_a_clean_sheet_is_imported_with_rollups_audit_and_opinions(city: Any) -> None:
    rows = [
        row(
            city,
            **{
                "对象名称": "李四",
                "联系电话": "138 1234 5678",
                "身份证号": "11010519491231002X",
                "捐款捐物金额(元)": "1,200.50元",
                "意见建议": "希望加强巡逻；路灯太暗",
                "收集意见数": 1,
            },
        ),
        row(
            city,
            对象名称="某某科技有限公司",
            对象类型="企事业单位",
            走访方式="微信",
            是否回访="√",
        ),
    ]
    result = run(xlsx(rows, title_rows=2), actor=city.user("officer"))
    assert (result.rows, result.imported, result.duplicates, result.errors) == (2, 2, 0, [])
    first = Visit.objects.get(target_name="李四")
    assert (first.phone_masked, first.id_number_masked, str(first.donation_amount)) == (
        "138****5678",
        "110105********002X",
        "1200.50",
    )
    assert first.opinions_collected == 2 and first.source == "import"
    assert sorted(Opinion.objects.values_list("content", flat=True)) == ["希望加强巡逻", "路灯太暗"]
    assert Visit.objects.get(target_name="某某科技有限公司").is_return_visit
    assert VisitDaily.objects.filter(unit=city.station_a).count() == 2
    # One audit record for the file, naming the visits it wrote; none per visit.
    assert not AuditLog.objects.filter(action=AuditAction.CREATE, object_type="ledger.visit")
    summary = AuditLog.objects.filter(action=AuditAction.IMPORT).get().after
    ids = sorted(Visit.objects.values_list("pk", flat=True))
    assert summary is not None and summary["imported"] == 2 and summary["file"] == "台账.xlsx"
    assert (summary["first_id"], summary["last_id"]) == (ids[0], ids[-1])
    assert summary["id_ranges"] == [[ids[0], ids[-1]]]


def excel_layout_xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook laid out as Excel and WPS save one, unlike openpyxl (which the other tests
    write with): text in the shared-strings table, dates as serial numbers under a date
    style (built-in format 14 and a custom 年月日 one), true/false cells, a merged title row
    above the header, a hidden empty sheet first. Cells: str, int/float, bool,
    ("date", serial, style) or None."""
    strings: dict[str, int] = {}
    sheet_rows = []
    for number, values in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(values):
            ref = f"{chr(ord('A') + index)}{number}"
            if value is None:
                continue
            if isinstance(value, tuple):
                cells.append(f'<c r="{ref}" s="{value[2]}"><v>{value[1]}</v></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                position = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{position}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    shared = "".join(
        f'<si><t xml:space="preserve">{html.escape(text)}</t></si>' for text in strings
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for n in (1, 2)
            )
            + '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{kinds}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="说明" sheetId="1" state="hidden" r:id="rId1"/>'
            '<sheet name="走访台账" sheetId="2" r:id="rId2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{kinds}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in (1, 2)
            )
            + f'<Relationship Id="rId3" Type="{kinds}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId4" Type="{kinds}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><numFmts count="1">'
            '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
            '</numFmts><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="3">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '</cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            f"{shared}</sst>"
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData/></worksheet>',
        "xl/worksheets/sheet2.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:R{len(rows)}"/>'
            f"<sheetData>{''.join(sheet_rows)}</sheetData>"
            '<mergeCells count="1"><mergeCell ref="A1:R1"/></mergeCells></worksheet>'
        ),
    }
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(
                name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text
            )
    return stream.getvalue()


def test_a_workbook_laid_out_as_excel_saves_it(city: Any) -> None:
    badge = city.officer.badge_no
    header = [c.header for c in COLUMNS]
    blank: list[Any] = [None] * len(header)

    def line(**values: Any) -> list[Any]:
        cells = list(blank)
        for name, value in values.items():
            cells[header.index(name)] = value
        return cells

    rows = [
        ["江州市公安局“大走访”台账（2022年第一季度）", *blank[1:]],
        header,
        line(
            走访日期=("date", 44566, 1),  # 2022-01-05 as Excel stores it, format 14
            单位编码="JZ0101",
            走访民警=f"{badge}，{badge}",
            对象类型="群众",
            走访方式="面对面",
            是否回访=True,
            对象名称="王五",
            联系电话=13812345678,
            身份证号="11010519491231002X",
            收集意见数=1,
            意见建议="楼道灯坏了",
        ),
        line(
            走访日期=("date", 44567, 2),  # 2022-01-06, shown as 2022年1月6日
            单位编码="ＪＺ０１０１",
            走访民警=badge,
            对象类型="企事业单位",
            走访方式="微信",
            是否回访=False,
            对象名称="江州某某商贸有限公司",
            收集意见数=0,
        ),
    ]
    result = run(excel_layout_xlsx(rows), filename="一季度台账.xlsx")
    assert (result.rows, result.imported, result.errors) == (2, 2, [])
    visits = {v.target_name: v for v in Visit.objects.all()}
    first, second = visits["王五"], visits["江州某某商贸有限公司"]
    assert (first.visit_date, second.visit_date) == (
        datetime.date(2022, 1, 5),
        datetime.date(2022, 1, 6),
    )
    assert first.is_return_visit and not second.is_return_visit
    assert (first.phone_masked, first.id_number_masked) == ("138****5678", "110105********002X")
    assert [o.badge_no for o in first.officers.all()] == [badge]
    assert second.channel == "wechat" and second.unit == city.station_a
    assert list(Opinion.objects.values_list("content", flat=True)) == ["楼道灯坏了"]


@pytest.mark.parametrize(
    "value",
    [
        "2022-01-05",
        "2022/1/5",
        "2022.1.5",
        "2022年1月5日",
        "２０２２年１月５日",
        datetime.date(2022, 1, 5),
    ],
)
def test_every_date_spelling(city: Any, value: Any) -> None:
    run(xlsx([row(city, 走访日期=value)]))
    assert Visit.objects.get().visit_date == datetime.date(2022, 1, 5)


@pytest.mark.parametrize("separator", ["、", ",", "，", ";", " "])
def test_officer_separators(city: Any, separator: str) -> None:
    badges = separator.join([city.officer.badge_no, city.unit_admin.badge_no])
    run(xlsx([row(city, 单位编码="JZ01", 走访民警=badges)]))
    assert set(Visit.objects.get().officers.all()) == {city.officer, city.unit_admin}


def test_an_officer_no_longer_active_is_named_as_such(city: Any) -> None:
    OfficerFactory(username="retired", unit=city.station_a, badge_no="100999")
    User.objects.filter(username="retired").update(is_active=False)
    result = run(xlsx([row(city, 走访民警="100999、888888")]))
    assert [(e.column, e.message) for e in result.errors] == [
        ("走访民警", "警号 888888 不存在；警号 100999 的民警已停用")
    ]
    assert not Visit.objects.exists()


def test_a_badge_with_leading_zeros_in_a_number_cell(city: Any) -> None:
    """Typed into a General column, 001234 is the number 1234: it names the one badge it
    can mean; a number that could be two badges stays an error."""
    OfficerFactory(username="zeros", unit=city.station_a, badge_no="001234")
    result = run(xlsx([row(city, 走访民警=1234)]))
    assert result.imported == 1 and [o.badge_no for o in Visit.objects.get().officers.all()] == [
        "001234"
    ]
    OfficerFactory(username="zero", unit=city.station_a, badge_no="05678")
    OfficerFactory(username="zeroes", unit=city.station_a, badge_no="005678")
    refused = run(xlsx([row(city, 对象名称="另一位", 走访民警=5678)]))
    assert [(e.column, e.message) for e in refused.errors] == [("走访民警", "警号 5678 不存在")]
    assert run(xlsx([row(city, 对象名称="文字", 走访民警="1234")])).errors  # text: as written


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        ("√", True),
        ("", False),
    ],
)
def test_return_visit_marks(city: Any, mark: str, expected: bool) -> None:
    run(xlsx([row(city, 是否回访=mark)]))
    assert Visit.objects.get().is_return_visit is expected


def test_columns_in_any_order_unknown_ones_warned(city: Any) -> None:
    headers = [*reversed(HEADERS), "民警手机"]
    result = run(xlsx([row(city, 民警手机="13900000000")], headers=headers))
    assert result.imported == 1
    assert any("民警手机" in w for w in result.warnings)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(city: Any, encoding: str) -> None:
    result = run(
        csv_bytes([row(city, **{"对象名称": "王五", "捐款捐物金额(元)": "300元"})], encoding),
        filename="台账.csv",
    )
    assert result.imported == 1 and Visit.objects.get().target_name == "王五"


def test_rows_with_values_only_in_ignored_columns_are_blank(city: Any) -> None:
    """A 序号 column numbered down the sheet ahead of the entries, as ledgers often are."""
    headers = ["序号", *row(city)]
    rows = [{**row(city, 对象名称=f"对象{n}"), "序号": n} for n in (1, 2)]
    rows += [{"序号": n} for n in range(3, 30)]
    result = run(xlsx(rows, headers=headers))
    assert (result.rows, result.imported, result.errors) == (2, 2, [])
    assert result.warnings == ["未知列“序号”已忽略"]


def test_a_wrong_row_means_nothing_is_written(city: Any) -> None:
    rows = [row(city, 对象名称=f"对象{n}") for n in range(5)]
    rows[3]["身份证号"] = "110105194912310021"
    rows[4]["走访日期"] = "2099-01-01"
    result = run(xlsx(rows, title_rows=1))
    assert result.imported == 0 and not Visit.objects.exists()
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (6, "身份证号", "身份证号校验位错误"),
        (7, "走访日期", "日期不能晚于今天"),
    ]
    skipped = run(xlsx(rows, title_rows=1), skip_invalid=True)
    assert skipped.imported == 3 and Visit.objects.count() == 3


def test_a_value_repeated_down_the_sheet_is_judged_the_same_on_every_row(city: Any) -> None:
    """Repeating columns are parsed once per distinct value (RowChecker.check): a wrong
    value is still an error on each row it is on, and cells that are equal but of other
    types (1, 1.0, True; a date and its text) are each parsed as what they are."""
    rows = [
        row(city, 对象名称="甲", 走访方式="飞鸽", 收集意见数=1, 是否回访=True),
        row(city, 对象名称="乙", 走访方式="飞鸽", 收集意见数=1.0, 是否回访=1),
        row(city, 对象名称="丙", 走访方式="面对面", 收集意见数=1.5, 是否回访="是"),
        row(city, 对象名称="丁", 单位编码="JZ0201", 走访民警=city.officer.badge_no),
        row(city, 对象名称="戊", 单位编码="JZ0201", 走访民警=city.officer.badge_no),
    ]
    result = run(xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "走访方式"),
        (3, "走访方式"),
        (4, "收集意见数"),
        (5, "走访民警"),
        (6, "走访民警"),
    ]
    good = [
        row(city, 对象名称="甲", 收集意见数=2, 是否回访=True),
        row(city, 对象名称="乙", 收集意见数=2.0, 是否回访=0),
        row(city, 对象名称="丙", 收集意见数="2", 是否回访=1),
        row(city, 对象名称="丁", 走访日期=datetime.date(2022, 1, 5)),
    ]
    assert run(xlsx(good)).imported == 4
    visits = {v.target_name: v for v in Visit.objects.all()}
    assert [visits[n].opinions_collected for n in "甲乙丙丁"] == [2, 2, 2, 0]
    assert [visits[n].is_return_visit for n in "甲乙丙丁"] == [True, False, True, False]
    assert {v.visit_date for v in visits.values()} == {datetime.date(2022, 1, 5)}


def test_an_id_number_in_a_number_cell_is_an_error(city: Any) -> None:
    result = run(xlsx([row(city, 身份证号=110105194912310000)]))
    assert result.errors[0].column == "身份证号" and "数字格式" in result.errors[0].message
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("values", "column", "fragment"),
    [
        ({"单位编码": "JZ9999"}, "单位编码", "JZ9999"),
        ({"单位编码": "JZ0201"}, "走访民警", "不属于单位 JZ0201"),
        ({"走访民警": "999999"}, "走访民警", "999999"),
        ({"对象类型": "游客"}, "对象类型", "游客"),
        ({"走访方式": "飞鸽"}, "走访方式", "飞鸽"),
        ({"联系电话": "12345"}, "联系电话", "联系电话格式不正确"),
        ({"收集意见数": "-1"}, "收集意见数", "负数"),
        ({"捐款捐物金额(元)": "12.345"}, "捐款捐物金额(元)", "两位小数"),
        ({"对象名称": ""}, "对象名称", "必填"),
        ({"对象名称": "名" * 101}, "对象名称", "100"),
    ],
)
def test_errors_name_the_row_column_and_reason(
    city: Any, values: dict[str, Any], column: str, fragment: str
) -> None:
    result = run(xlsx([row(city, **values)]))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert fragment in result.errors[0].message


def test_the_importers_scope(city: Any) -> None:
    result = run(
        xlsx([row(city, 单位编码="JZ0201", 走访民警=city.officer_b.badge_no)]),
        actor=city.user("officer"),
    )
    assert "不在您的管辖范围内" in result.errors[0].message and not Visit.objects.exists()


def test_a_row_shows_its_unit_and_officer_errors_beside_its_other_errors(city: Any) -> None:
    """The preview lists every problem of a row at once, not the next after a fix."""
    wrong = row(city, 走访日期="2099-01-01", 对象名称="", 单位编码="JZ0201")
    result = run(xlsx([wrong]), actor=city.user("officer"))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "走访日期"),
        (2, "单位编码"),  # not within the officer's scope
        (2, "走访民警"),  # not of unit JZ0201
        (2, "对象名称"),
    ]
    unreadable = run(xlsx([row(city, 走访日期="2099-01-01", 走访民警="999999")]))
    assert [e.column for e in unreadable.errors] == ["走访日期", "走访民警"]


def test_reimporting_adds_nothing(city: Any) -> None:
    rows = [row(city, 对象名称=f"对象{n}") for n in range(4)]
    rows.append(dict(rows[0]))  # a duplicate within the file
    data = xlsx(rows)
    first = run(data)
    assert (first.imported, first.duplicates) == (4, 1)
    again = run(data)
    assert (again.imported, again.duplicates) == (0, 5)
    assert Visit.objects.count() == 4


def test_a_database_failure_halfway_writes_nothing(city: Any, monkeypatch: Any) -> None:
    from zoufang.ledger import imports

    write = imports.visits_write

    def broken(*args: Any, **kwargs: Any) -> None:
        write(*args, **kwargs)  # the rows are in, then the disk fills
        raise DatabaseError("disk full")

    monkeypatch.setattr(imports, "visits_write", broken)
    with pytest.raises(DatabaseError):
        run(xlsx([row(city, 对象名称=f"对象{n}") for n in range(3)]))
    assert (
        not Visit.objects.exists()
        and not AuditLog.objects.filter(object_type="ledger.visit").exists()
    )


def test_unusable_files_are_refused(city: Any) -> None:
    with pytest.raises(SheetError) as missing:
        run(xlsx([row(city)], headers=[h for h in HEADERS if h != "走访民警"]))
    assert missing.value.code == "missing_columns" and "走访民警" in missing.value.message
    with pytest.raises(SheetError):
        run(b"%PDF-1.4 not a sheet", filename="台账.xlsx")
    with pytest.raises(SheetError):
        run(xlsx([row(city)]), filename="台账.xlsm")


def test_the_command_and_its_exit_codes(city: Any, tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row(city)]))
    call_command("import_ledger", str(good), "--json")
    assert json.loads(capsys.readouterr().out) == {
        "file": str(good),
        "rows": 1,
        "imported": 1,
        "duplicates": 0,
        "errors": [],
    }
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([row(city, 对象名称="新"), row(city, 联系电话="1")]))
    with pytest.raises(SystemExit) as exit_one:
        call_command("import_ledger", str(bad), "--json")
    assert exit_one.value.code == 1
    assert json.loads(capsys.readouterr().out)["errors"][0] == {
        "row": 3,
        "column": "联系电话",
        "message": json.loads(
            json.dumps("联系电话格式不正确，应为11位手机号或 0571-88886666 样式的固定电话")
        ),
    }
    call_command("import_ledger", str(bad), "--json", "--skip-invalid")
    assert json.loads(capsys.readouterr().out)["imported"] == 1
    with pytest.raises(SystemExit) as exit_two:
        call_command("import_ledger", str(tmp_path / "nope.csv"), "--json")
    assert exit_two.value.code == 2
    with pytest.raises(SystemExit):
        call_command("import_ledger", str(good), "--as", "officer_b", "--dry-run")
    with pytest.raises(CommandError) as nobody:  # from the shell: the message, exit status 2
        call_command("import_ledger", str(good), "--as", "nobody")
    assert nobody.value.returncode == 2 and "nobody" in str(nobody.value)


def test_export_masks_neutralises_and_audits(city: Any, tmp_path: Path) -> None:
    run(
        xlsx(
            [
                row(city, 对象名称="@SUM(A1)某单位", 联系电话="13812345678"),
                row(city, 对象名称="-2+3李四"),
            ]
        )
    )
    out = tmp_path / "out.xlsx"
    assert ledger_export(actor=SYSTEM, filters=VisitFilters(), out=str(out)) == 2
    sheet = openpyxl.load_workbook(out).active
    values = [cell for r in sheet.iter_rows(values_only=True) for cell in r if cell]
    assert "138****5678" in values and "13812345678" not in values
    assert "'@SUM(A1)某单位" in values and "'-2+3李四" in values
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


ROW_STRATEGY = st.fixed_dictionaries(
    {
        "name": st.text(alphabet=st.characters(categories=["Lo"]), min_size=1, max_size=12),
        "type": st.sampled_from(["群众", "企事业单位", "重点人员", "困难群众", "媒体记者"]),
        "channel": st.sampled_from(["面对面", "电话", "微信", "其他线上"]),
        "return": st.booleans(),
        "day": st.integers(1, 300),
        "counter": st.integers(0, 20),
        "money": st.decimals(
            min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False
        ),
        "phone": st.sampled_from(["", "13812345678", "0571-88886666"]),
        "id": st.sampled_from(["", "11010519491231002X"]),
        "opinions": st.lists(
            st.text(alphabet=st.characters(categories=["Lo"]), min_size=1, max_size=10),
            max_size=2,
        ),
    }
)
KEPT = (
    "visit_date",
    "target_name",
    "target_type",
    "channel",
    "is_return_visit",
    "disputes_mediated",
    "donation_amount",
    "opinions_collected",
)


def kept_visits() -> list[tuple[Any, ...]]:
    """What an export keeps of each visit, with the opinions registered from it."""
    return sorted(
        (
            *values,
            tuple(
                Opinion.objects.filter(visit_id=pk).order_by("pk").values_list("content", flat=True)
            ),
        )
        for pk, *values in Visit.objects.values_list("pk", *KEPT)
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW_STRATEGY, min_size=1, max_size=6))
def test_any_export_imports_back_to_the_same_visits(
    city: Any, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    """Everything but the personal data, which exports mask: the masked values are read as
    empty, and said so."""
    clear_ledger()
    sheet = [
        row(
            city,
            **{
                "对象名称": r["name"],
                "对象类型": r["type"],
                "走访方式": r["channel"],
                "是否回访": "是" if r["return"] else "否",
                "走访日期": (
                    datetime.date(2022, 1, 1) + datetime.timedelta(days=r["day"])
                ).isoformat(),
                "调解纠纷数": r["counter"],
                "捐款捐物金额(元)": str(r["money"]),
                "联系电话": r["phone"],
                "身份证号": r["id"],
                "意见建议": "；".join(r["opinions"]),
            },
        )
        for r in rows
    ]
    assert run(xlsx(sheet)).errors == []
    before = kept_visits()
    phones = Visit.objects.exclude(phone_masked="").count()  # rows of the sheet may be
    ids = Visit.objects.exclude(id_number_masked="").count()  # duplicates: not written
    out = tmp_path / "export.xlsx"
    ledger_export(actor=SYSTEM, filters=VisitFilters(), out=str(out))
    clear_ledger()
    result = run(out.read_bytes(), filename="export.xlsx")
    assert result.errors == [] and result.imported == len(before)
    after = kept_visits()
    assert after == before
    assert all(isinstance(v[KEPT.index("donation_amount")], Decimal) for v in after)
    assert not Visit.objects.exclude(phone_masked="", id_number_masked="").exists()
    expected = [f"联系电话：{phones}行是导出时脱敏的值，未导入"] if phones else []
    expected += [f"身份证号：{ids}行是导出时脱敏的值，未导入"] if ids else []
    assert result.warnings == expected


def clear_ledger() -> None:
    Opinion.objects.all().delete()
    Visit.objects.all().delete()
    VisitDaily.objects.all().delete()


def test_the_child_checks_the_rows_of_a_sheet_it_reads(
    city: Any, checked_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the worker, this process checks nothing itself: it writes what the child sends."""
    from zoufang.ledger import imports

    here: list[int] = []
    check_rows = imports.check_rows

    def spy(*args: Any, **kwargs: Any) -> Any:
        here.append(1)
        return check_rows(*args, **kwargs)

    monkeypatch.setattr(imports, "check_rows", spy)
    rows = [row(city, 对象名称=f"对象{n}") for n in range(3)]
    result = run(xlsx([*rows, row(city, 走访民警="")]))
    assert (result.rows, result.valid, len(result.errors)) == (4, 3, 1)
    assert result.errors[0].row == 5 and result.errors[0].column == "走访民警"
    assert here == ([] if checked_in == "worker" else [1])
    done = run(xlsx([row(city, 对象名称=f"对象{n}", 意见建议="路灯太暗") for n in range(3)]))
    assert done.imported == 3 and Visit.objects.count() == 3
    assert Opinion.objects.filter(visit__isnull=False).count() == 3


def test_a_child_dying_while_it_checks_is_a_damaged_file_and_writes_nothing(
    city: Any, checked_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if checked_in != "worker":
        pytest.skip("only the worker has a child to lose")
    from zoufang.ledger import xlsxworker

    check = xlsxworker.Worker.check

    def dies_after_the_first_batch(self: Any, job: Any) -> Any:
        for number, message in enumerate(check(self, job)):
            if number == 0:  # the child is busy with the next 5,000 rows: it dies there
                self._process.kill()
                self._process.wait()
            yield message

    monkeypatch.setattr(xlsxworker.Worker, "check", dies_after_the_first_batch)
    rows = [row(city, 对象名称=f"对象{n}") for n in range(8000)]
    with pytest.raises(SheetError) as error:
        run(xlsx(rows))
    assert error.value.code == "damaged"
    assert not Visit.objects.exists() and not VisitDaily.objects.exists()


def test_the_size_limit_is_the_setting_for_the_page_and_the_command_alike(
    city: Any, tmp_path: Path, settings: Any
) -> None:
    data = csv_bytes([row(city, 对象名称=f"对象{n}") for n in range(40)], "utf-8")
    settings.ZOUFANG_UPLOAD_MAX_BYTES = len(data) - 1
    with pytest.raises(SheetError) as error:
        run(data, "台账.csv")
    assert error.value.code == "too_large"
    settings.ZOUFANG_UPLOAD_MAX_BYTES = len(data)
    assert run(data, "台账.csv").imported == 40


def test_the_rollups_after_an_import_are_what_a_rebuild_computes(city: Any) -> None:
    from django.db import transaction

    from zoufang.ledger.models import VisitDailyCity
    from zoufang.ledger.rollups import rollup_rebuild

    make = [
        row(
            city,
            对象名称=f"对象{n}",
            走访日期=f"2022-01-{n % 9 + 1:02d}",
            走访方式="微信" if n % 3 else "面对面",
            是否回访="是" if n % 4 == 0 else "否",
            调解纠纷数=n % 3,
            **{"捐款捐物金额(元)": f"{n}.{n % 100:02d}"},
        )
        for n in range(60)
    ]
    first = run(xlsx(make[:25]))  # two imports: the second adds to the first's roll-up rows
    assert first.imported == 25, first.errors[:2]
    assert run(xlsx(make)).imported == 35
    fields: tuple[str, ...] = ("unit_id", "day", "target_type", "channel", "visits")
    fields += ("return_visits", "disputes_mediated", "donation_cents")

    def rollups() -> tuple[list[Any], list[Any]]:
        return (
            sorted(VisitDaily.objects.values_list(*fields)),
            sorted(VisitDailyCity.objects.values_list(*fields[1:])),
        )

    kept = rollups()
    with transaction.atomic():
        rollup_rebuild()
        assert rollups() == kept and sum(r[4] for r in kept[0]) == 60
        transaction.set_rollback(True)
