"""The import page: upload, preview of every bad row, marked copy, confirm; the template;
exports with approval for large ones."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.test import override_settings
from django.urls import reverse

from zoufang.ledger.models import ExportRequest, ImportJob, Visit
from zoufang.ledger.tests.factories import make_visit
from zoufang.ledger.tests.test_imports import row, xlsx

pytestmark = pytest.mark.django_db


def upload(client: Any, data: bytes, name: str = "台账.xlsx") -> Any:
    return client.post(reverse("ledger:import"), {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_and_confirm(city: Any, login: Any) -> None:
    client = login("unit_admin")
    rows = [row(city, 对象名称=f"对象{n}", 联系电话="13812345678") for n in range(3)]
    rows[1]["联系电话"] = "139123"
    response = upload(client, xlsx(rows))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("ledger:import_job", args=[job.pk])
    page = client.get(response["Location"])
    body = page.content.decode()
    assert job.__class__.objects.get().status == "checked" and not Visit.objects.exists()
    assert "联系电话格式不正确" in body and "139***123" not in body and "13812345678" not in body
    marked = client.get(reverse("ledger:import_errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(marked.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误说明" and "联系电话" in str(
        sheet.cell(row=3, column=len(header)).value
    )
    client.post(reverse("ledger:import_job", args=[job.pk]), {"skip_invalid": "1"})
    assert ImportJob.objects.get().status == "done" and Visit.objects.count() == 2
    done = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert "已导入2条走访记录；0条重复未写入；跳过1行错误。" in done


def test_a_file_already_in_the_ledger_offers_nothing_to_import(city: Any, login: Any) -> None:
    client = login("officer")
    data = xlsx([row(city, 对象名称=f"对象{n}") for n in range(3)])
    upload(client, data)
    first = ImportJob.objects.get()
    client.post(reverse("ledger:import_job", args=[first.pk]))
    assert Visit.objects.count() == 3
    body = client.get(upload(client, data)["Location"]).content.decode()
    assert 'id="nothing-to-import"' in body and "文件中的每一行都已在台账中" in body
    assert 'id="confirm-import"' not in body
    # With a wrong row as well, "import the valid rows" is not offered for rows already in.
    wrong = [row(city, 对象名称=f"对象{n}") for n in range(3)] + [row(city, 走访方式="飞鸽")]
    body = client.get(upload(client, xlsx(wrong))["Location"]).content.decode()
    assert 'name="skip_invalid"' not in body and "飞鸽" in body


def test_the_preview_lists_every_wrong_row_page_by_page(city: Any, login: Any) -> None:
    client = login("officer")
    rows = [row(city, 对象名称=f"对象{n}", 走访方式="飞鸽") for n in range(1203)]
    rows += [row(city, 对象名称="好的一行")]
    job_url = upload(client, xlsx(rows))["Location"]
    seen: list[int] = []
    for page in (1, 2, 3):
        body = client.get(job_url, {"page": page}).content.decode()
        table = body[body.index('id="import-errors"') : body.index("</table>")]
        seen += [int(cell) for cell in re.findall(r"<tr><td>(\d+)</td>", table)]
        assert f"（第{page}页，共3页）" in body
    assert seen == list(range(2, 1205))  # every wrong row once, in order
    assert "导入1条有效行，跳过错误行" in body


def test_the_preview_lists_the_ignored_columns_in_one_notice(city: Any, login: Any) -> None:
    client = login("officer")
    rows = [{**row(city), "住址": "城关镇", "走访情况": "了解情况"}]
    headers = [*row(city), "住址", "走访情况"]
    response = upload(client, xlsx(rows, headers=headers))
    body = client.get(response["Location"]).content.decode()
    notice = body[body.index('id="import-warnings"') :]
    notice = notice[: notice.index("</div>")]
    assert notice.count("<li>") == 2
    assert "未知列“住址”已忽略" in notice and "未知列“走访情况”已忽略" in notice


def test_a_clean_file_imports_on_confirmation(city: Any, login: Any) -> None:
    client = login("officer")
    upload(client, xlsx([row(city)]))
    job = ImportJob.objects.get()
    client.post(reverse("ledger:import_job", args=[job.pk]))
    assert Visit.objects.count() == 1 and Visit.objects.get().created_by == city.user("officer")


def test_an_unusable_file_is_refused_and_jobs_are_private(city: Any, login: Any) -> None:
    client = login("unit_admin")
    upload(client, b"%PDF-1.4", name="台账.xlsx")
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error
    assert login("officer").get(reverse("ledger:import_job", args=[job.pk])).status_code == 404


def test_the_template(city: Any, login: Any) -> None:
    response = login("officer").get(reverse("ledger:template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c.value for r in sheet.iter_rows(max_row=3) for c in r]
    assert "走访日期" in values and "对象类型" in values
    assert sheet.data_validations.dataValidation  # the drop-down lists


@override_settings(ZOUFANG_EXPORT_APPROVAL_ROWS=2)
def test_a_large_export_needs_the_city_offices_approval(city: Any, login: Any) -> None:
    for _ in range(3):
        make_visit(city.officer)
    client = login("unit_admin")
    asked = client.get(reverse("ledger:visit_export"))
    assert asked.status_code == 200 and "审批" in asked.content.decode()
    client.post(reverse("ledger:visit_export"), {"reason": "年度汇总"})
    export = ExportRequest.objects.get()
    assert client.get(reverse("ledger:export_download", args=[export.pk])).status_code == 403
    assert (
        login("unit_admin")
        .post(reverse("ledger:export_decide", args=[export.pk]), {"approve": "1"})
        .status_code
        == 403
    )
    login("city_admin").post(reverse("ledger:export_decide", args=[export.pk]), {"approve": "1"})
    downloaded = login("unit_admin").get(reverse("ledger:export_download", args=[export.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded.content)).active
    first = str(sheet.cell(row=1, column=1).value)
    assert "unitadmin" in first  # the watermark: who exported, when
    small = login("city_admin").get(reverse("ledger:visit_export"))
    assert small["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="the in-memory SQLite test database locks a table a transaction has read",
)
@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_import_transaction_is_open(city: Any) -> None:
    """The page polls the job from another connection: the rows done must be committed
    while the import's own transaction is still open (and survive its rollback)."""
    from django.db import transaction

    from zoufang.ledger.jobs import JobProgress

    job = ImportJob.objects.create(created_by=city.user("unit_admin"), filename="台账.xlsx")
    progress = JobProgress(job.pk)
    try:
        with transaction.atomic():
            Visit.objects.exists()  # the import's transaction has begun
            progress("checking", 5000)
            assert progress.connection.connection is not None
            with progress.connection.cursor() as cursor:
                cursor.execute("SELECT rows_done FROM ledger_importjob WHERE id = %s", [job.pk])
                assert cursor.fetchone()[0] == 5000
            transaction.set_rollback(True)
    finally:
        progress.close()
    assert ImportJob.objects.get(pk=job.pk).rows_done == 5000
