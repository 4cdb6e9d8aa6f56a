"""The demo city: deterministic, every role, a spread of activity with planted zero units."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from zoufang.ledger.imports import ledger_import
from zoufang.ledger.models import Visit, VisitDaily
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.opinions.models import Opinion, OpinionEvent, SurveyResponse
from zoufang.org.models import Officer, Role, Unit, UnitKind, User

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprint() -> list[tuple]:
    return list(
        Visit.objects.order_by("id").values_list(
            "visit_date", "unit__code", "target_type", "channel", "target_name", "phone_masked"
        )
    )


def test_seed_tiny(django_db_blocker: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "seed_demo", "--scale", "tiny", "--seed", "7", "--ledger-files", tmp_path, stdout=out
    )
    text = out.getvalue()
    for username in ("admin", "leader", "inspector", "unitadmin", "officer"):
        assert f" {username} " in text
    skipped = int(re.search(r"\((\d+) generated duplicates skipped\)", text).group(1))  # type: ignore[union-attr]
    assert Visit.objects.filter(source="seed").count() == 2000 - skipped

    kinds = dict(Unit.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[UnitKind.COUNTY_BUREAU] == 12
    assert kinds[UnitKind.POLICE_BRANCH] == 12
    assert kinds[UnitKind.AGENCY_DEPT] == 15
    assert 36 <= kinds[UnitKind.STATION] <= 96
    assert set(Officer.objects.values_list("role", flat=True)) == set(Role.values)

    # Planted zero-result units have nothing; agencies are far quieter than stations.
    busy = VisitDaily.objects.values("unit__kind").annotate(v=Sum("visits"))
    per_kind = {row["unit__kind"]: row["v"] for row in busy}
    heads = dict(Unit.objects.values_list("kind").annotate(h=Sum("headcount")))
    station_rate = per_kind[UnitKind.STATION] / heads[UnitKind.STATION]
    agency_rate = per_kind.get(UnitKind.AGENCY_DEPT, 0) / heads[UnitKind.AGENCY_DEPT]
    assert agency_rate < station_rate / 5
    assert not Visit.objects.filter(unit__code__in=["JZB08", "JZB09", "JZB15", "JZJ10"]).exists()

    # The roll-ups the loader kept equal a recomputation from the visits.
    kept = sorted(
        VisitDaily.objects.values_list("unit_id", "day", "target_type", "channel", "visits")
    )
    rollup_rebuild()
    assert kept == sorted(
        VisitDaily.objects.values_list("unit_id", "day", "target_type", "channel", "visits")
    )

    # Opinions went round the loop in 2022; the survey has answers.
    statuses = set(Opinion.objects.values_list("status", flat=True))
    assert {"closed", "replied"} <= statuses or "closed" in statuses
    assert OpinionEvent.objects.filter(action="rate").exists()
    assert SurveyResponse.objects.exists()
    assert not OpinionEvent.objects.filter(at__year__gt=2022).exists()

    # A second run refuses to pile a second city on top; --if-empty leaves it alone.
    with pytest.raises(Exception, match="already has data"):
        call_command("seed_demo", "--scale", "tiny", stdout=io.StringIO())
    call_command("seed_demo", "--scale", "tiny", "--if-empty", stdout=io.StringIO())
    assert Unit.objects.count() == sum(kinds.values())


def test_same_seed_same_city(tmp_path: Path) -> None:
    files = ("--ledger-files", tmp_path)
    call_command("seed_demo", "--scale", "tiny", "--seed", "11", *files, stdout=io.StringIO())
    first = fingerprint()
    call_command("flush", "--no-input")
    call_command("seed_demo", "--scale", "tiny", "--seed", "11", *files, stdout=io.StringIO())
    assert [row[:5] for row in fingerprint()] == [row[:5] for row in first]


def test_the_ledger_files_to_try_the_import_with(tmp_path: Path) -> None:
    """The officer's station's March sheet, written as a unit keeps it and imported while the
    city is built (again: nothing added); its April sheet refused row by row."""
    out = io.StringIO()
    call_command("seed_demo", "--scale", "tiny", "--ledger-files", tmp_path, stdout=out)
    clean, wrong = sorted(tmp_path.iterdir(), key=lambda path: "有错误" in path.name)
    assert clean.name == "东湖十里铺派出所走访台账-2022年3月.xlsx" and "有错误" in wrong.name
    assert f"{clean} (imported while building: 40 visits" in out.getvalue()
    imported = Visit.objects.filter(source="import")
    assert imported.count() == 40 and {v.unit.code for v in imported} == {"JZ0101"}
    officer = User.objects.get(username="officer")
    assert {v.created_by for v in imported} == {officer}

    again = ledger_import(actor=officer, source=clean, filename=clean.name)
    assert (again.imported, again.duplicates, again.errors) == (0, 40, [])
    assert again.warnings == ["未知列“序号”已忽略"]
    refused = ledger_import(actor=officer, source=wrong, filename=wrong.name)
    assert refused.imported == 0 and refused.valid == 34
    assert [(e.row, e.column) for e in refused.errors] == [
        (7, "走访方式"),
        (12, "身份证号"),
        (19, "走访日期"),
        (25, "走访民警"),
        (31, "身份证号"),
        (37, "联系电话"),
    ]
    assert Visit.objects.filter(source="import").count() == 40
