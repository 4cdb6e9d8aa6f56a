"""The stage notice: built from a frozen assessment, in the official layout, with the same
figures as the assessment and the dashboards; drafted, edited, issued and numbered."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx.shared import Mm

from zoufang.campaigns.plans import plan_submit
from zoufang.campaigns.tests.conftest import CITY_PLAN
from zoufang.core.errors import ConflictError
from zoufang.figures.selectors import figure_values
from zoufang.ledger.models import TargetType
from zoufang.ledger.tests.factories import make_visit
from zoufang.notices.models import Notice
from zoufang.notices.services import notice_draft, notice_edit, notice_issue
from zoufang.org.scope import SYSTEM

pytestmark = pytest.mark.django_db
DAY = datetime.date(2022, 1, 10)


@pytest.fixture
def phase(campaign: Any, city: Any) -> Any:
    make_visit(
        city.officer,
        visit_date=DAY,
        target_type=TargetType.ENTERPRISE,
        donation_amount=Decimal("12345"),
    )
    make_visit(
        city.officer,
        visit_date=DAY,
        target_type=TargetType.KEY_PERSON,
        is_return_visit=True,
        disputes_mediated=1,
    )
    make_visit(city.officer_b, visit_date=DAY, hazards_found=2, opinions=("建议增设监控",))
    plan_submit(actor=city.user("city_admin"), campaign=campaign, unit=city.city, text=CITY_PLAN)
    plan_submit(
        actor=city.user("city_admin"),
        campaign=campaign,
        unit=city.county_b,
        text=CITY_PLAN.replace("江州市公安局", "西岭分局"),
    )
    return campaign.phases.get(slug="phase-1")


def body_text(document: Any) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_the_notice_in_the_official_layout(city: Any, campaign: Any, phase: Any) -> None:
    notice = notice_issue(
        actor=city.user("city_admin"),
        notice_id=notice_draft(actor=city.user("city_admin"), campaign=campaign, phase=phase).pk,
    )
    document: Any = docx.Document(io.BytesIO(notice.document.read()))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(
        0.1
    )
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.left_margin - Mm(28)) < Mm(
        0.1
    )
    assert abs(section.page_width - section.left_margin - section.right_margin - Mm(156)) < Mm(0.1)
    assert abs(section.page_height - section.top_margin - section.bottom_margin - Mm(225)) < Mm(0.1)
    grid = section._sectPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docGrid"
    )
    assert (
        grid.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type")
        == "linesAndChars"
    )
    text = body_text(document)
    assert "江公走访〔2022〕1号" in text
    title = next(p for p in document.paragraphs if p.text.startswith("关于"))
    assert title.text == "关于2022年大走访开门评活动第一阶段工作情况的通报"
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert title.runs[0]._r.rPr.rFonts.get(east_asia) == "方正小标宋简体"
    assert title.runs[0].font.size.pt == 22
    heading = next(p for p in document.paragraphs if p.text == "一、总体情况")
    assert (
        heading.runs[0]._r.rPr.rFonts.get(east_asia) == "黑体"
        and heading.runs[0].font.size.pt == 16
    )
    body = next(p for p in document.paragraphs if p.text.startswith("第一阶段（"))
    assert (
        body.runs[0]._r.rPr.rFonts.get(east_asia) == "仿宋_GB2312"
        and body.runs[0].font.size.pt == 16
    )
    footer = section.footer._element.xml
    assert "PAGE" in footer and "— " in footer
    assert "零战果单位" in text and "工作方案照搬照抄" in text and "西岭分局" in text
    assert len(document.tables) >= 4
    assert len(document.inline_shapes) == 1  # the county bureaus' score chart


def test_the_figures_are_the_registrys_for_the_city(city: Any, campaign: Any, phase: Any) -> None:
    notice = notice_draft(actor=city.user("city_admin"), campaign=campaign, phase=phase)
    stated = notice.data["figures"]["phase"]
    assert stated["from"] == "2022-01-01" and stated["to"] == "2022-02-28"
    values = figure_values(
        user=SYSTEM, since=phase.start_date, until=phase.end_date, unit=city.city
    )
    assert stated["values"] == {v.code: v.as_json()["value"] for v in values}
    # kept in the published snapshot the notice is drafted from
    assert notice.assessment.figures["@city"]["phase"] == stated
    assert stated["values"]["visits_people"] == 2  # the enterprise is not a person
    assert stated["values"]["places_visited"] == 1
    assert stated["values"]["donations_wan"] == 1.23
    from zoufang.notices.composer import NoticeData, figures_paragraph

    paragraph = figures_paragraph(NoticeData(**notice.data))
    assert "共走访群众2人次（其中回访1人次）" in paragraph and "捐款捐物1.23万元" in paragraph
    assert "走访企事业单位、场所1家" in paragraph and "走访重点人员1人" in paragraph
    assert "调解矛盾纠纷1起" in paragraph and "排查安全隐患2处" in paragraph
    assert "收集意见建议0条、其中已办结0条" in paragraph  # the visit's opinion: registered today


def test_draft_edit_issue(city: Any, campaign: Any, phase: Any, login: Any) -> None:
    client = login("city_admin")
    response = client.post(reverse("notices:notice_draft"), {"phase": phase.pk})
    notice = Notice.objects.get()
    assert response["Location"] == reverse("notices:notice_detail", args=[notice.pk])
    assert (
        login("officer").get(reverse("notices:notice_detail", args=[notice.pk])).status_code == 404
    )  # a draft
    make_visit(city.officer, visit_date=DAY)  # later data does not change the draft's figures
    client = login("city_admin")
    edited = client.post(
        reverse("notices:notice_detail", args=[notice.pk]),
        {
            "version": 1,
            "title": "关于第一阶段工作情况的通报",
            "opening": "现将有关情况通报如下。",
            "good_practices": "东湖分局做法好。",
            "next_steps": "继续努力。",
        },
    )
    assert edited.status_code == 302
    notice.refresh_from_db()
    assert (
        notice.narrative["good_practices"] == "东湖分局做法好。"
        and notice.data["figures"]["phase"]["values"]["visits_people"] == 2
    )
    with pytest.raises(ConflictError):
        notice_edit(
            actor=city.user("city_admin"),
            notice_id=notice.pk,
            expected_version=1,
            title="x",
            narrative={},
        )
    login("city_admin").post(reverse("notices:notice_detail", args=[notice.pk]), {"issue": "1"})
    notice.refresh_from_db()
    assert (notice.status, notice.doc_number) == ("issued", "江公走访〔2022〕1号")
    with pytest.raises(ConflictError):
        notice_issue(actor=city.user("city_admin"), notice_id=notice.pk)
    download = login("officer").get(reverse("notices:notice_download", args=[notice.pk, "docx"]))
    text = body_text(docx.Document(io.BytesIO(b"".join(download.streaming_content))))
    assert "东湖分局做法好。" in text and "江公走访〔2022〕1号" in text
    second = notice_issue(
        actor=city.user("city_admin"),
        notice_id=notice_draft(actor=city.user("city_admin"), campaign=campaign, phase=phase).pk,
    )
    assert second.doc_number == "江公走访〔2022〕2号"


def test_the_notice_command(city: Any, campaign: Any, phase: Any, tmp_path: Path) -> None:
    out = tmp_path / "notice.docx"
    call_command(
        "notice",
        "--campaign",
        "2022-dazoufang",
        "--phase",
        "phase-1",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    text = body_text(docx.Document(str(out)))
    assert "第一阶段（1–2月 双节两会），全市公安机关共走访群众2人次" in text
    assert "（一）零战果单位。" in text
