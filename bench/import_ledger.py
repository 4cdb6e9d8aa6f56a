"""Importing a ledger sheet: `python -m bench.import_ledger --rows N --json`.

In one run, on a throwaway database (a test database of whatever DATABASE_URL names), with
the demo city's units and officers:

1. writes an N-row template sheet (.xlsx, the contract's columns) of realistic visits;
2. imports it with our importer (`ledger_import`: every row validated, duplicates checked,
   phone and ID numbers sealed, roll-ups, audit, opinions) and times it end to end, file
   to commit;
3. imports the same sheet with django-import-export, set up as its documentation shows
   (a ModelResource with widgets for the unit, the officers and the vocabularies, model
   validation on, one transaction), over the first `--baseline-rows` rows (it is too slow to
   wait for at 100,000; its rate is rows per second all the same);
4. loads the same rows, already parsed, with raw COPY (PostgreSQL) or executemany (SQLite)
   into the visits table: the ceiling of the database itself.

`ratios.vs_import_export` and `ratios.vs_copy` are our rows/s over theirs; `peak_rss_mb` is
this process's peak memory after our import (before the others run), `reader_peak_rss_mb`
the child process's that read and checked the sheet (`ledger.xlsxworker`).
"""

from __future__ import annotations

import datetime
import gc
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import emit, parser, peak_rss_mb, setup_django, stopwatch

SEED = 2022


def sheet_rows(total: int) -> Any:
    """Rows for the sheet, as the template's cells (labels, badge numbers, clear phones)."""
    from zoufang.demo.services import generate_visits
    from zoufang.ledger.columns import CHANNEL_LABEL, COLUMNS, TARGET_TYPE_LABEL
    from zoufang.org.models import Officer, Unit

    units = list(Unit.objects.order_by("path"))
    officers: dict[int, list[Any]] = {unit.pk: [] for unit in units}
    for officer in Officer.objects.filter(user__is_active=True).order_by("pk"):
        officers[officer.unit_id].append(officer)
    rng = random.Random(SEED)
    fields = [column.field for column in COLUMNS]
    for chunk in generate_visits(rng, units, officers, total):
        for visit in chunk:
            cells = {
                "visit_date": visit.visit_date,
                "unit": visit.unit.code,
                "officers": "、".join(o.badge_no for o in visit.officers),
                "target_type": TARGET_TYPE_LABEL[visit.target_type],
                "channel": CHANNEL_LABEL[visit.channel],
                "is_return_visit": "是" if visit.is_return_visit else "否",
                "target_name": visit.target_name,
                "phone": visit.phone,
                "id_number": visit.id_number,
                "address": visit.address,
                "opinions_collected": visit.opinions_collected,
                "disputes_mediated": visit.disputes_mediated,
                "hazards_found": visit.hazards_found,
                "households_helped": visit.households_helped,
                "donation_amount": float(visit.donation_amount),
                "summary": visit.summary,
                "opinions": "；".join(visit.opinions),
                "note": visit.note,
            }
            yield [cells[name] for name in fields]


def write_sheet(path: Path, total: int) -> None:
    """An N-row sheet in the template's layout: title row, header row, rows."""
    from openpyxl import Workbook

    from zoufang.ledger.columns import COLUMNS
    from zoufang.ledger.workbooks import TEMPLATE_TITLE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("走访台账")
    sheet.append([TEMPLATE_TITLE])
    sheet.append([column.header for column in COLUMNS])
    for cells in sheet_rows(total):
        sheet.append(cells)
    workbook.save(path)


def clear_visits() -> None:
    """Empty the ledger (visits, officers on them, roll-ups, opinions) between the runs."""
    from zoufang.ledger.models import Visit, VisitDaily, VisitDailyCity, VisitOfficer
    from zoufang.opinions.models import Opinion

    Opinion.objects.all().delete()
    VisitOfficer.objects.all()._raw_delete(VisitOfficer.objects.db)
    Visit.objects.all()._raw_delete(Visit.objects.db)
    VisitDaily.objects.all()._raw_delete(VisitDaily.objects.db)
    VisitDailyCity.objects.all()._raw_delete(VisitDailyCity.objects.db)


def run_ours(path: Path, actor: Any) -> tuple[float, Any]:
    from zoufang.ledger.imports import ledger_import

    gc.collect()
    with stopwatch() as timer:
        result = ledger_import(actor=actor, source=path, filename=path.name)
    if result.errors:
        raise SystemExit(f"our import refused the sheet: {result.errors[:3]}")
    return timer["seconds"], result


def import_export_resource() -> Any:
    """django-import-export's usual set-up for the visits: a ModelResource with widgets."""
    from import_export import fields, resources, widgets

    from zoufang.core.personal import seal_id_number, seal_phone
    from zoufang.ledger.columns import CHANNEL_BY_LABEL, TARGET_TYPE_BY_LABEL
    from zoufang.ledger.models import Visit
    from zoufang.ledger.services import dedup_key
    from zoufang.org.models import Officer, Unit

    class LabelWidget(widgets.Widget):
        def __init__(self, labels: dict[str, str]) -> None:
            super().__init__()
            self.labels = labels

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            if value not in self.labels:
                raise ValueError(f"unknown label {value!r}")
            return self.labels[value]

    class VisitResource(resources.ModelResource):
        visit_date = fields.Field("visit_date", "走访日期", widgets.DateWidget())
        unit = fields.Field("unit", "单位编码", widgets.ForeignKeyWidget(Unit, "code"))
        officers = fields.Field(
            "officers", "走访民警", widgets.ManyToManyWidget(Officer, "、", "badge_no")
        )
        target_type = fields.Field("target_type", "对象类型", LabelWidget(TARGET_TYPE_BY_LABEL))
        channel = fields.Field("channel", "走访方式", LabelWidget(CHANNEL_BY_LABEL))
        is_return_visit = fields.Field("is_return_visit", "是否回访")
        target_name = fields.Field("target_name", "对象名称")
        phone = fields.Field(column_name="联系电话")
        id_number = fields.Field(column_name="身份证号")
        address = fields.Field("address", "地址")
        opinions_collected = fields.Field(
            "opinions_collected", "收集意见数", widgets.IntegerWidget()
        )
        disputes_mediated = fields.Field("disputes_mediated", "调解纠纷数", widgets.IntegerWidget())
        hazards_found = fields.Field("hazards_found", "排查隐患数", widgets.IntegerWidget())
        households_helped = fields.Field("households_helped", "帮扶户数", widgets.IntegerWidget())
        donation_amount = fields.Field(
            "donation_amount", "捐款捐物金额(元)", widgets.DecimalWidget()
        )
        summary = fields.Field("summary", "走访内容")
        note = fields.Field("note", "备注")

        class Meta:
            model = Visit
            import_id_fields: tuple[str, ...] = ()
            fields = (
                "visit_date",
                "unit",
                "officers",
                "target_type",
                "channel",
                "is_return_visit",
                "target_name",
                "address",
                "opinions_collected",
                "disputes_mediated",
                "hazards_found",
                "households_helped",
                "donation_amount",
                "summary",
                "note",
            )
            clean_model_instances = True
            use_transactions = True
            skip_unchanged = False

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            phone, id_number = str(row.get("联系电话") or ""), str(row.get("身份证号") or "")
            sealed_phone, sealed_id = seal_phone(phone), seal_id_number(id_number)
            instance.phone_cipher, instance.phone_hash = sealed_phone.cipher, sealed_phone.digest
            instance.phone_masked = sealed_phone.masked
            instance.id_number_cipher = sealed_id.cipher
            instance.id_number_hash, instance.id_number_masked = sealed_id.digest, sealed_id.masked

        def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            super().import_instance(instance, row, **kwargs)
            instance.is_return_visit = row.get("是否回访") == "是"
            instance.source = "import"
            instance.dedup_key = dedup_key(
                unit_id=instance.unit_id,
                visit_date=instance.visit_date,
                target_type=instance.target_type,
                target_name=instance.target_name,
                officer_ids=[badges[b] for b in str(row.get("走访民警") or "").split("、")],
                channel=instance.channel,
            )

    badges = dict(Officer.objects.values_list("badge_no", "pk"))
    return VisitResource()


def run_import_export(path: Path, rows: int) -> float:
    """Seconds django-import-export takes over the first `rows` rows of the sheet."""
    import tablib
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    sheet = workbook.active
    values = sheet.iter_rows(min_row=2, max_row=rows + 2, values_only=True)
    headers = [str(h) for h in next(values)]
    dataset = tablib.Dataset(headers=headers)
    for cells in values:
        dataset.append(["" if v is None else v for v in cells])
    workbook.close()
    resource = import_export_resource()
    with stopwatch() as timer:
        result = resource.import_data(dataset, dry_run=False, raise_errors=False)
    if result.has_errors() or result.has_validation_errors():
        problems = [repr(e.error) for e in result.base_errors]
        problems += [e.traceback for _, errors in result.row_errors()[:1] for e in errors]
        problems += [str(r.error_dict) for r in result.invalid_rows[:3]]
        raise SystemExit(f"django-import-export refused rows: {problems[:3]}")
    return timer["seconds"]


def copy_rows(path: Path) -> list[tuple[Any, ...]]:
    """The sheet's rows as the visits table's columns, read before timing the raw load."""
    from openpyxl import load_workbook

    from zoufang.org.models import Unit

    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    workbook = load_workbook(path, read_only=True)
    now = datetime.datetime.now(datetime.UTC)
    prepared = []
    for number, cells in enumerate(workbook.active.iter_rows(min_row=3, values_only=True)):
        (day, unit, _badges, target_type, channel, returning, name, phone, id_number) = cells[:9]
        (address, opinions, disputes, hazards, helped, donation, summary) = cells[9:16]
        note = cells[17]
        prepared.append(
            (
                day.date() if isinstance(day, datetime.datetime) else day,
                unit_ids[unit],
                target_type,
                channel,
                returning == "是",
                name,
                phone or "",
                id_number or "",
                address or "",
                opinions or 0,
                disputes or 0,
                hazards or 0,
                helped or 0,
                Decimal(str(donation or 0)),
                summary or "",
                note or "",
                f"copy-{number}",
                "import",
                "",
                "",
                "",
                "",
                now,
                now,
                1,
            )
        )
    workbook.close()
    return prepared


COPY_COLUMNS = (
    "visit_date",
    "unit_id",
    "target_type",
    "channel",
    "is_return_visit",
    "target_name",
    "phone_masked",
    "id_number_masked",
    "address",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_amount",
    "summary",
    "note",
    "dedup_key",
    "source",
    "phone_cipher",
    "phone_hash",
    "id_number_cipher",
    "id_number_hash",
    "created_at",
    "updated_at",
    "version",
)


def run_copy(prepared: list[tuple[Any, ...]]) -> float:
    """Seconds raw COPY (PostgreSQL) or executemany (SQLite) takes to load the rows."""
    from django.db import connection, transaction

    from zoufang.ledger.models import Visit

    table = Visit._meta.db_table
    columns = ", ".join(COPY_COLUMNS)
    with stopwatch() as timer, transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
        else:
            marks = ", ".join("?" for _ in COPY_COLUMNS)
            cursor.cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
    return timer["seconds"]


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--rows", type=int, default=100_000)
    args_parser.add_argument(
        "--baseline-rows",
        type=int,
        default=5_000,
        help="rows django-import-export imports (0 skips it)",
    )
    args_parser.add_argument("--keep", action="store_true", help="keep the sheet in var/bench")
    args = args_parser.parse_args()
    setup_django("config.settings.dev")

    from django.db import connection
    from django.test.utils import setup_test_environment

    from zoufang.demo.services import demo_build
    from zoufang.org.models import User

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    folder = Path(tempfile.mkdtemp(prefix="zoufang-bench-"))
    path = folder / "台账.xlsx"
    try:
        demo_build(scale="small", visits=0)
        actor = User.objects.get(username="admin")
        with stopwatch() as written:
            write_sheet(path, args.rows)
        seconds, result = run_ours(path, actor)
        peak, child_peak = peak_rss_mb(), peak_rss_mb(children=True)
        ours = args.rows / seconds
        clear_visits()
        figures: dict[str, Any] = {
            "rows": args.rows,
            "database": connection.vendor,
            "sheet_mb": round(path.stat().st_size / 2**20, 1),
            "sheet_write_seconds": round(written["seconds"], 1),
            "seconds": round(seconds, 2),
            "rows_per_second": round(ours),
            "imported": result.imported,
            "duplicates": result.duplicates,
            "peak_rss_mb": round(peak),
            "reader_peak_rss_mb": round(child_peak),
        }
        ratios: dict[str, Any] = {}
        if args.baseline_rows:
            baseline = min(args.baseline_rows, args.rows)
            theirs_seconds = run_import_export(path, baseline)
            theirs = baseline / theirs_seconds
            figures["import_export_rows"] = baseline
            figures["import_export_rows_per_second"] = round(theirs)
            ratios["vs_import_export"] = round(ours / theirs, 2)
            clear_visits()
        prepared = copy_rows(path)
        started = time.perf_counter()
        copy_seconds = run_copy(prepared)
        assert time.perf_counter() - started >= copy_seconds
        copy_rate = len(prepared) / copy_seconds
        figures["copy_rows_per_second"] = round(copy_rate)
        ratios["vs_copy"] = round(ours / copy_rate, 3)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        if args.keep:
            Path("var/bench").mkdir(parents=True, exist_ok=True)
            path.replace(Path("var/bench") / path.name)
        path.unlink(missing_ok=True)
        folder.rmdir()
    emit("import_ledger", figures, ratios, as_json=args.json)


if __name__ == "__main__":
    main()
