"""Plans in the system: versions, the comparison with the city plan and between units."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoufang.campaigns.models import Plan, PlanMatch
from zoufang.campaigns.plans import highlight, plan_submit

pytestmark = pytest.mark.django_db


def copy_of(text: str, name: str) -> str:
    return text.replace("江州市公安局", name).replace("市局各部门", "本单位")


def test_a_copied_plan_is_caught_with_its_passages(
    city: Any, campaign: Any, plans_text: dict[str, str]
) -> None:
    admin = city.user("city_admin")
    plan_submit(actor=admin, campaign=campaign, unit=city.city, text=plans_text["city"])
    copied = plan_submit(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.station_a,
        text=copy_of(plans_text["city"], "城关派出所"),
    )
    own = plan_submit(
        actor=city.user("city_admin"),
        campaign=campaign,
        unit=city.station_b,
        text=plans_text["own"],
    )
    assert copied.verdict == "copied"
    assert copied.similarity is not None and copied.similarity > 0.9
    assert own.verdict == "original"
    # The passages point at the same text on both sides.
    passage = copied.passages[0]
    mine = copied.text[passage["other"][0] : passage["other"][1]]
    theirs = plans_text["city"][passage["base"][0] : passage["base"][1]]
    assert mine[-10:] == theirs[-10:]


def test_units_copying_each_other_are_found(
    city: Any, campaign: Any, plans_text: dict[str, str]
) -> None:
    first = plan_submit(
        actor=city.user("city_admin"),
        campaign=campaign,
        unit=city.station_b,
        text=plans_text["own"],
    )
    second = plan_submit(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.station_a,
        text=plans_text["own"].replace("城关派出所", "解放路派出所"),
    )
    assert second.similarity is None  # no city plan yet
    match = PlanMatch.objects.get(version=second)
    assert match.other == first and match.verdict == "copied"
    assert PlanMatch.objects.filter(version=first, other=second).exists()


def test_a_new_city_plan_recomputes_every_verdict(
    city: Any, campaign: Any, plans_text: dict[str, str]
) -> None:
    unit_version = plan_submit(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.station_a,
        text=copy_of(plans_text["city"], "城关派出所"),
    )
    assert unit_version.verdict == ""
    plan_submit(
        actor=city.user("city_admin"), campaign=campaign, unit=city.city, text=plans_text["city"]
    )
    unit_version.refresh_from_db()
    assert unit_version.verdict == "copied"


def test_versions_are_kept(city: Any, campaign: Any, plans_text: dict[str, str]) -> None:
    first = plan_submit(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.station_a,
        text=plans_text["own"],
    )
    second = plan_submit(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.station_a,
        text=plans_text["own"] + "四是加强宣传。",
    )
    plan = Plan.objects.get()
    assert (first.number, second.number, plan.current) == (1, 2, second)
    assert plan.versions.count() == 2


def test_refusals(city: Any, campaign: Any) -> None:
    with pytest.raises(ValidationError):
        plan_submit(
            actor=city.user("unit_admin"), campaign=campaign, unit=city.station_a, text="太短"
        )
    with pytest.raises(PermissionDenied):  # another county's unit
        plan_submit(
            actor=city.user("unit_admin"), campaign=campaign, unit=city.station_b, text="x" * 100
        )
    with pytest.raises(PermissionDenied):  # plans are the unit lead's
        plan_submit(
            actor=city.user("officer"), campaign=campaign, unit=city.station_a, text="x" * 100
        )
    with pytest.raises(PermissionDenied):
        plan_submit(
            actor=city.user("leader"), campaign=campaign, unit=city.station_a, text="x" * 100
        )


def test_highlight() -> None:
    assert highlight("abcdefgh", [(2, 4), (3, 6)]) == [
        ("ab", False),
        ("cd", True),
        ("ef", True),
        ("gh", False),
    ]


def test_upload_a_docx_and_see_the_highlights(
    city: Any, campaign: Any, login: Any, plans_text: dict[str, str]
) -> None:
    import io

    import docx

    plan_submit(
        actor=city.user("city_admin"), campaign=campaign, unit=city.city, text=plans_text["city"]
    )
    document = docx.Document()
    document.add_heading("城关派出所大走访实施方案", level=1)
    for line in copy_of(plans_text["city"], "城关派出所").splitlines()[1:]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "时间", "任务"
    table.cell(1, 0).text, table.cell(1, 1).text = "1月", "走访辖区企业"
    buffer = io.BytesIO()
    document.save(buffer)
    url = reverse("campaigns:plan_detail", args=[campaign.slug, "JZ0101"])
    client = login("unit_admin")
    response = client.post(url, {"document": SimpleUploadedFile("方案.docx", buffer.getvalue())})
    assert response.status_code == 302
    page = client.get(url)
    body = page.content.decode()
    assert page.context["version"].verdict == "copied"
    assert body.count("<mark>") >= 2 and 'id="plan-city"' in body
    bad = client.post(url, {"document": SimpleUploadedFile("方案.docx", b"not a docx")})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_compare_plans_command(tmp_path: Any, plans_text: dict[str, str], db: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    base = tmp_path / "city.txt"
    base.write_text(plans_text["city"], encoding="utf-8")
    copied = tmp_path / "copy.txt"
    copied.write_text(copy_of(plans_text["city"], "临川县公安局"), encoding="gb18030")
    own = tmp_path / "own.txt"
    own.write_text(plans_text["own"], encoding="utf-8")
    out = StringIO()
    call_command("compare_plans", str(base), str(copied), str(own), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["base"] == str(base)
    verdicts = {row["file"]: row["verdict"] for row in result["results"]}
    assert verdicts == {str(copied): "copied", str(own): "original"}
    first = result["results"][0]
    assert 0.8 <= first["similarity"] <= 1 and first["passages"][0].keys() == {"base", "other"}
