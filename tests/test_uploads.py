"""Every upload is size-limited and type-checked by its content, not its name
(docs/security.md, "Bad input"), through the pages people use.

The parsers' own refusals are tested with them: `ledger/tests/test_sheets.py` (sheets:
size, type, zip bombs, damaged files), `bulletins/tests/test_files.py` (pictures and
attachments), `core/tests/test_documents.py` (plans: .docx and .txt).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from zoufang.campaigns.models import PlanVersion, TaskReport

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
CSV = "走访日期,单位编码,民警警号,对象类型,走访方式,对象名称\r\n".encode()


def big(size: int) -> bytes:
    return b"a," * (size // 2 + 1)


# --- The ledger import -----------------------------------------------------------------


@override_settings(ZOUFANG_UPLOAD_MAX_BYTES=4096)
def test_the_ledger_import_refuses_a_file_over_the_limit(city: Any, login: Any) -> None:
    from zoufang.ledger.models import ImportJob

    client = login("unit_admin")
    response = client.post(
        reverse("ledger:import"), {"file": SimpleUploadedFile("台账.csv", big(5000))}
    )
    assert response.status_code == 400 and "MB" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("name", "data"), [("台账.xlsx", PDF), ("台账.xls", HTML)])
def test_the_ledger_import_reads_the_content_not_the_name(
    city: Any, login: Any, name: str, data: bytes
) -> None:
    from zoufang.ledger.models import ImportJob, Visit

    login("unit_admin").post(reverse("ledger:import"), {"file": SimpleUploadedFile(name, data)})
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "文件内容与扩展名" in job.error  # refused for what it is, before any parser runs
    assert not Visit.objects.exists()


# --- The convenience-service import ---------------------------------------------------


def test_the_service_import_refuses_a_file_over_the_limit(
    city: Any, login: Any, monkeypatch: Any
) -> None:
    from zoufang.assessment import views
    from zoufang.assessment.models import ServiceImport

    monkeypatch.setattr(views, "MAX_BYTES", 4096)
    response = login("city_admin").post(
        reverse("assessment:service_import"),
        {"file": SimpleUploadedFile("便民服务.csv", big(5000))},
    )
    assert response.status_code == 400
    assert not ServiceImport.objects.exists()


def test_the_service_import_reads_the_content_not_the_name(city: Any, login: Any) -> None:
    from zoufang.assessment.models import ServiceImport, ServiceImportStatus

    login("city_admin").post(
        reverse("assessment:service_import"), {"file": SimpleUploadedFile("便民服务.xlsx", PDF)}
    )
    job = ServiceImport.objects.get()
    assert job.status == ServiceImportStatus.REFUSED
    assert "文件内容与扩展名" in job.result["error"]


# --- Plans ----------------------------------------------------------------------------


def plan_url(campaign: Any, city: Any) -> str:
    return reverse(
        "campaigns:plan_detail", kwargs={"slug": campaign.slug, "unit_code": city.station_a.code}
    )


def test_a_plan_over_the_limit_is_refused(
    city: Any, campaign: Any, login: Any, monkeypatch: Any
) -> None:
    from zoufang.campaigns import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD", 4096)
    text = ("全面开展大走访开门评活动。" * 400).encode()
    response = login("unit_admin").post(
        plan_url(campaign, city), {"document": SimpleUploadedFile("方案.txt", text)}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not PlanVersion.objects.exists()


def word_like(payload: bytes) -> bytes:
    """A zip named like a .docx that holds no Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", payload)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"), [("方案.docx", PDF), ("方案.docx", word_like(HTML)), ("方案.txt", PDF)]
)
def test_a_plan_is_read_by_its_content(
    city: Any, campaign: Any, login: Any, name: str, data: bytes
) -> None:
    response = login("unit_admin").post(
        plan_url(campaign, city), {"document": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    assert not PlanVersion.objects.exists()


# --- Task reports ---------------------------------------------------------------------


@pytest.fixture
def task(city: Any, campaign: Any) -> Any:
    import datetime

    from zoufang.campaigns.services import task_create

    return task_create(
        actor=city.user("city_admin"),
        campaign=campaign,
        title="走访辖区企业",
        lead_leader=city.leader,
        responsible_units=[city.station_a],
        deadline=datetime.date(2022, 12, 31),
    )


def report(login: Any, city: Any, task: Any, attachment: Any) -> Any:
    url = reverse("campaigns:task_report", kwargs={"slug": task.campaign.slug, "pk": task.pk})
    return login("officer").post(
        url, {"unit": city.station_a.code, "text": "已走访企业12家", "attachment": attachment}
    )


def test_a_task_attachment_over_the_limit_is_refused(
    city: Any, task: Any, login: Any, monkeypatch: Any
) -> None:
    from zoufang.campaigns import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD", 4096)
    report(login, city, task, SimpleUploadedFile("进展.pdf", PDF + big(5000)))
    assert not TaskReport.objects.exists()


def test_a_task_attachment_is_read_by_its_content(city: Any, task: Any, login: Any) -> None:
    report(login, city, task, SimpleUploadedFile("进展.pdf", HTML))
    assert not TaskReport.objects.exists()


def test_a_task_attachment_is_downloaded_never_shown(city: Any, task: Any, login: Any) -> None:
    report(login, city, task, SimpleUploadedFile("进展.pdf", PDF))
    (saved,) = TaskReport.objects.all()
    url = reverse(
        "campaigns:task_report_attachment",
        kwargs={"slug": task.campaign.slug, "pk": task.pk, "report_id": saved.pk},
    )

    response = login("leader").get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert (
        "/media/"
        not in login("leader")
        .get(reverse("campaigns:task_detail", kwargs={"slug": task.campaign.slug, "pk": task.pk}))
        .content.decode()
    )
