"""Importing 便民服务 records from a spreadsheet: the template, every row checked, all or
nothing, changes previewed, the page's upload → preview → confirm."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from zoufang.assessment.models import ServiceImport, ServiceRecord
from zoufang.assessment.service_import import (
    COLUMNS,
    MAX_ROWS,
    service_records_import,
    template_workbook,
)
from zoufang.assessment.services import service_record_save
from zoufang.core.models import AuditAction, AuditLog
from zoufang.figures.selectors import figure_values
from zoufang.ledger.sheets import SheetError
from zoufang.org.models import Unit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2022, 6, 30)
HEADER = "单位编码,单位名称,业务类别,起始日期,截止日期,下放事项数,办证数"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *rows]).encode(encoding)


def run(actor: Any, content: bytes, *, write: bool = True, name: str = "便民服务.csv") -> Any:
    return service_records_import(
        actor=actor, source=content, filename=name, write=write, today=TODAY
    )


def t(msgid: str, **values: Any) -> str:
    """A message this change adds to the catalog (its Chinese once the catalog has it)."""
    return gettext(msgid) % values if values else gettext(msgid)


def errors_of(result: Any) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in result.errors]


def test_a_good_sheet_adds_its_records_with_audit(city: Any) -> None:
    admin = city.user("city_admin")
    content = csv_bytes(
        "JZ0101,城关派出所,户政,2022-01-01,2022-03-31,5,320",
        "JZ01,东湖分局,出入境,2022/1/1,2022年3月31日,3,1，200",
        "jz01,,车驾管业务,2022.1.1,2022-03-31,,88",
    )
    result = run(admin, content)
    assert result.errors == [] and result.written
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    records = {(r.unit.code, r.kind): r for r in ServiceRecord.objects.select_related("unit")}
    assert records["JZ01", "exit_entry"].certificates_handled == 1200
    assert records["JZ01", "vehicle_driver"].items_delegated == 0
    assert records["JZ0101", "household_registration"].period_end == datetime.date(2022, 3, 31)
    assert records["JZ0101", "household_registration"].created_by == admin
    audit = AuditLog.objects.filter(object_type="assessment.servicerecord")
    assert audit.filter(action=AuditAction.CREATE).count() == 3
    summary = audit.get(action=AuditAction.IMPORT)
    assert summary.after is not None and summary.actor == admin
    assert summary.after["created"] == 3
    (certificates,) = figure_values(
        user=admin,
        since=datetime.date(2022, 1, 1),
        until=datetime.date(2022, 3, 31),
        codes=["certificates"],
    )
    assert certificates.value == 320 + 1200 + 88


def test_one_wrong_row_writes_nothing_and_every_error_names_row_and_column(city: Any) -> None:
    content = csv_bytes(
        "JZ0101,城关派出所,户政,2022-01-01,2022-03-31,5,320",
        "JZ9999,,户政,2022-01-01,2022-03-31,1,2",
        "JZ0101,,治安,2022-01-01,2022-03-31,1,2",
        "JZ0101,,出入境,2022-04-01,2022-03-31,1,2",
        "JZ0101,,车驾管,2022-07-01,2022-07-31,-1,2.5",
        "JZ0101,西岭分局,户政,2022-04-01,2022-06-30,1,2",
        "JZ0101,,出入境,2022-13-01,,1,2",
    )
    result = run(city.user("city_admin"), content)
    assert not result.written and ServiceRecord.objects.count() == 0
    assert errors_of(result) == [
        (3, "单位编码", "单位编码 JZ9999 不存在"),
        (
            4,
            "业务类别",
            t(
                "“%(value)s” is not a service; use one of %(labels)s",
                value="治安",
                labels="户政、出入境、车驾管",
            ),
        ),
        (5, "截止日期", "结束日期早于开始日期"),
        (6, "起始日期", "日期不能晚于今天"),
        (6, "下放事项数", "不能为负数"),
        (6, "办证数", "应为不小于0的整数"),
        (
            7,
            "单位名称",
            t("Unit %(code)s is %(name)s, not this unit", code="JZ0101", name="城关派出所"),
        ),
        (8, "起始日期", "日期“2022-13-01”无法识别，请按 2022-01-05 的格式填写"),
        (8, "截止日期", "必填"),
    ]
    assert AuditLog.objects.filter(object_type="assessment.servicerecord").count() == 0


def test_a_unit_outside_the_scope_is_unknown(city: Any) -> None:
    content = csv_bytes("JZ0201,,户政,2022-01-01,2022-03-31,1,2")
    result = run(city.user("unit_admin"), content)
    assert errors_of(result) == [(2, "单位编码", "单位编码 JZ0201 不存在")]
    assert ServiceRecord.objects.count() == 0


def test_only_roles_that_record_services_may_import(city: Any) -> None:
    content = csv_bytes("JZ0101,,户政,2022-01-01,2022-03-31,1,2")
    for role in ("officer", "leader", "inspector"):
        with pytest.raises(PermissionDenied):
            run(city.user(role), content)


def test_repeats_and_overlaps_within_the_file_are_errors(city: Any) -> None:
    content = csv_bytes(
        "JZ0101,,户政,2022-01-01,2022-03-31,1,2",
        "JZ0101,,户政,2022-01-01,2022-03-31,1,3",
        "JZ0101,,户政,2022-03-01,2022-04-30,1,3",
        "JZ0101,,出入境,2022-03-01,2022-04-30,1,3",
    )
    result = run(city.user("city_admin"), content)
    assert errors_of(result) == [
        (3, "起始日期", t("Same unit, service and period as row %(row)s", row=2)),
        (
            4,
            "起始日期",
            t(
                "The period overlaps row %(row)s (%(period)s) of the same unit and service",
                row=2,
                period="2022-01-01—2022-03-31",
            ),
        ),
    ]
    assert ServiceRecord.objects.count() == 0


def test_a_row_matching_a_record_changes_it_and_the_preview_says_so(city: Any) -> None:
    admin = city.user("city_admin")
    for kind, certificates in (("household_registration", 100), ("exit_entry", 50)):
        service_record_save(
            actor=admin,
            unit=city.station_a,
            kind=kind,
            period_start=datetime.date(2022, 1, 1),
            period_end=datetime.date(2022, 3, 31),
            items_delegated=2,
            certificates_handled=certificates,
        )
    content = csv_bytes(
        "JZ0101,,户政,2022-01-01,2022-03-31,2,140",
        "JZ0101,,出入境,2022-01-01,2022-03-31,2,50",
        "JZ0101,,户政,2022-04-01,2022-06-30,1,90",
    )
    preview = run(admin, content, write=False)
    assert not preview.written
    assert [(c.row, c.action, c.before) for c in preview.changes] == [
        (2, "update", {"items_delegated": 2, "certificates_handled": 100}),
        (3, "same", {"items_delegated": 2, "certificates_handled": 50}),
        (4, "create", None),
    ]
    assert (preview.created, preview.updated, preview.unchanged) == (1, 1, 1)
    assert ServiceRecord.objects.count() == 2  # a preview writes nothing

    result = run(admin, content)
    assert result.written and ServiceRecord.objects.count() == 3
    changed = ServiceRecord.objects.get(
        unit=city.station_a, kind="household_registration", period_start=datetime.date(2022, 1, 1)
    )
    assert changed.certificates_handled == 140
    update = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=str(changed.pk))
    assert update.before == {"items_delegated": 2, "certificates_handled": 100}
    assert update.after == {"items_delegated": 2, "certificates_handled": 140}


def test_a_period_overlapping_another_record_is_a_warning(city: Any) -> None:
    admin = city.user("city_admin")
    service_record_save(
        actor=admin,
        unit=city.station_a,
        kind="household_registration",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2022, 3, 31),
        items_delegated=2,
        certificates_handled=100,
    )
    result = run(admin, csv_bytes("JZ0101,,户政,2022-03-01,2022-03-31,0,30"), write=False)
    assert result.errors == []
    assert result.warnings == [
        t(
            "Row %(row)s: the period %(period)s overlaps the record of %(other)s of %(unit)s; "
            "certificates in both would be counted twice",
            row=2,
            period="2022-03-01—2022-03-31",
            other="2022-01-01—2022-03-31",
            unit="城关派出所",
        )
    ]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("便民服务.txt", b"JZ0101", "type"),
        ("便民服务.xlsm", b"PK\x03\x04", "macros"),
        ("便民服务.csv", b"", "empty"),
        ("便民服务.csv", "单位,数量\r\nJZ0101,1".encode(), "header"),
        ("便民服务.csv", "单位编码,业务类别\r\nJZ0101,户政".encode(), "missing_columns"),
        ("便民服务.csv", "单位编码,业务类别,业务类别\r\n".encode(), "duplicate_column"),
    ],
)
def test_unusable_files_are_refused_before_any_row(
    city: Any, name: str, content: bytes, code: str
) -> None:
    with pytest.raises(SheetError) as refused:
        run(city.user("city_admin"), content, name=name)
    assert refused.value.code == code


def test_the_refusals_speak_chinese(city: Any) -> None:
    with pytest.raises(SheetError) as refused:
        run(city.user("city_admin"), "单位编码,业务类别\r\nJZ0101,户政".encode())
    assert refused.value.message == "缺少必填列：起始日期、截止日期"


def test_a_file_with_too_many_rows_is_refused(city: Any) -> None:
    rows = [f"JZ0101,,户政,2022-01-{1 + i % 28:02d},2022-01-28,0,1" for i in range(MAX_ROWS + 1)]
    with pytest.raises(SheetError) as refused:
        run(city.user("city_admin"), csv_bytes(*rows))
    assert refused.value.code == "too_many_rows"


def test_gbk_csv_with_title_rows_and_unknown_columns(city: Any) -> None:
    content = "\r\n".join(
        [
            "2022年一季度便民服务统计,,,,,",
            "",
            "单位编码,业务类别,起始日期,截止日期,办证数,填报人",
            "JZ0101,户政,2022-01-01,2022-03-31,12,张三",
        ]
    ).encode("gb18030")
    result = run(city.user("city_admin"), content)
    assert result.written and result.created == 1
    assert result.warnings == ["未知列“填报人”已忽略"]


def test_the_template_lists_the_users_units_and_imports_back(city: Any) -> None:
    units = Unit.objects.visible_to(city.user("unit_admin")).order_by("path")
    content = template_workbook(units=units)
    book = load_workbook(io.BytesIO(content))
    sheet, listing = book.worksheets
    assert [cell.value for cell in sheet[2]] == [column.header for column in COLUMNS]
    assert [row[0].value for row in listing.iter_rows(min_row=2)] == ["JZ01", "JZ0101"]
    sheet.append(
        ["JZ0101", "城关派出所", "户政", datetime.datetime(2022, 1, 1), "2022-03-31", 3, 40]
    )
    filled = io.BytesIO()
    book.save(filled)
    result = run(city.user("unit_admin"), filled.getvalue(), name="模板.xlsx")
    assert result.errors == [] and result.created == 1
    record = ServiceRecord.objects.get()
    assert (record.unit, record.period_start, record.certificates_handled) == (
        city.station_a,
        datetime.date(2022, 1, 1),
        40,
    )


def test_an_xlsx_with_a_weak_first_sheet_uses_the_right_one(city: Any) -> None:
    book = Workbook()
    book.active.append(["说明"])
    book.active.append(["单位编码", "备注"])
    data = book.create_sheet("数据")
    data.append(["单位编码", "业务类别", "起始日期", "截止日期", "办证数"])
    data.append(["JZ0101", "出入境", "2022-01-01", "2022-03-31", 7])
    stream = io.BytesIO()
    book.save(stream)
    result = run(city.user("city_admin"), stream.getvalue(), name="两张表.xlsx")
    assert result.created == 1 and ServiceRecord.objects.get().kind == "exit_entry"


def test_the_import_reads_the_database_a_fixed_number_of_times(city: Any) -> None:
    rows = [
        f"{code},,{kind},2022-{month:02d}-01,2022-{month:02d}-28,1,{month}"
        for code in ("JZ0101", "JZ01", "JZ0201", "JZ02")
        for kind in ("户政", "出入境", "车驾管")
        for month in range(1, 6)
    ]
    with CaptureQueriesContext(connection) as queries:
        result = run(city.user("city_admin"), csv_bytes(*rows))
    assert result.created == 60
    assert len(queries) <= 12, "\n".join(q["sql"] for q in queries.captured_queries)


# --- the pages --------------------------------------------------------------------------------


def upload(client: Any, content: bytes, name: str = "便民服务.csv") -> Any:
    return client.post(
        reverse("assessment:service_import"), {"file": SimpleUploadedFile(name, content)}
    )


def test_upload_preview_confirm(login: Any, city: Any) -> None:
    client = login("unit_admin")
    response = upload(client, csv_bytes("JZ0101,,户政,2022-01-01,2022-03-31,2,30"))
    job = ServiceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:service_import_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="confirm-import"' in page and "城关派出所" in page
    assert ServiceRecord.objects.count() == 0
    response = client.post(reverse("assessment:service_import_detail", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:service_list")
    assert ServiceRecord.objects.get().certificates_handled == 30
    job.refresh_from_db()
    assert job.status == "done"
    # Confirming again writes nothing more.
    response = client.post(reverse("assessment:service_import_detail", args=[job.pk]), follow=True)
    assert "该导入不在待确认状态" in response.content.decode()
    assert ServiceRecord.objects.count() == 1
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_a_sheet_with_errors_shows_them_and_offers_no_confirmation(login: Any) -> None:
    client = login("city_admin")
    response = upload(
        client,
        csv_bytes("JZ0101,,户政,2022-01-01,2022-03-31,两个,30"),
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in page and "下放事项数" in page
    assert "confirm-import" not in page


def test_a_refused_file_says_why(login: Any) -> None:
    client = login("city_admin")
    response = upload(client, b"%PDF-1.4", name="便民服务.xlsx")
    job = ServiceImport.objects.get()
    assert job.status == "refused"
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-refused"' in page


def test_confirmation_checks_the_file_again(login: Any, city: Any) -> None:
    client = login("city_admin")
    response = upload(client, csv_bytes("JZ0101,,户政,2022-01-01,2022-03-31,2,30"))
    job = ServiceImport.objects.get()
    Unit.objects.filter(pk=city.station_a.pk).update(is_active=False)
    response = client.post(reverse("assessment:service_import_detail", args=[job.pk]))
    assert response["Location"] == reverse("assessment:service_import_detail", args=[job.pk])
    assert ServiceRecord.objects.count() == 0
    job.refresh_from_db()
    assert job.status == "checked"
    assert job.result["errors"][0]["message"] == t(
        "Unit %(code)s is no longer in use", code="JZ0101"
    )


def test_the_template_download(login: Any) -> None:
    response = login("unit_admin").get(reverse("assessment:service_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A2"].value == "单位编码"


def test_an_xls_sheet_is_read(city: Any) -> None:
    # The ledger's tests hold a small BIFF8 writer (no .xls writer is installed).
    from zoufang.ledger.tests.test_sheets import xls

    content = xls(
        [
            ["便民服务"],
            ["单位编码", "业务类别", "起始日期", "截止日期", "下放事项数", "办证数"],
            ["JZ0101", "车驾管", datetime.date(2022, 1, 1), datetime.date(2022, 3, 31), 2, 75],
        ]
    )
    result = run(city.user("city_admin"), content, name="便民服务.xls")
    assert result.errors == [] and result.created == 1
    record = ServiceRecord.objects.get()
    assert (record.kind, record.period_end, record.certificates_handled) == (
        "vehicle_driver",
        datetime.date(2022, 3, 31),
        75,
    )


def test_the_unit_name_may_carry_the_county_but_must_name_the_unit(city: Any) -> None:
    content = csv_bytes(
        "JZ0101,东湖分局城关派出所,户政,2022-01-01,2022-03-31,1,2",
        "JZ0101,派出所,出入境,2022-01-01,2022-03-31,1,2",
    )
    result = run(city.user("city_admin"), content, write=False)
    assert [(e.row, e.column) for e in result.errors] == [(3, "单位名称")]
