"""Ledger files to try the import page with, written by `seed_demo` into var/demo/.

The first is one station's March 2022 as its officers keep it in Excel: two title rows, its
own order of columns and a 序号 column the template has not, dates, digits, marks and officers
written every way the importer accepts. `seed_demo` imports it as the station's officer, so
uploading it again shows that a re-import adds nothing. The second is the station's April
with the mistakes the importer refuses, one on each of a few rows, for the preview, the marked
copy and "import the valid rows".
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from zoufang.core.validators import id_check_digit
from zoufang.demo.services import id_number, mobile, person_name
from zoufang.ledger.imports import ledger_import
from zoufang.org.models import Officer, Unit, UnitKind

# The station's own layout: its order of the template's columns, and a 序号 column first.
HEADERS = (
    "序号",
    "走访日期",
    "对象名称",
    "对象类型",
    "走访方式",
    "走访民警",
    "单位编码",
    "联系电话",
    "身份证号",
    "地址",
    "走访内容",
    "收集意见数",
    "调解纠纷数",
    "排查隐患数",
    "帮扶户数",
    "捐款捐物金额(元)",
    "是否回访",
    "备注",
)
TARGETS = (("群众", 6), ("企事业单位", 2), ("场所", 2), ("困难群众", 1), ("重点人员", 1))
CHANNELS = (("面对面", 6), ("电话", 2), ("微信", 2))
TOPICS = (
    "了解邻里纠纷化解情况，宣传防诈骗知识",
    "走访辖区商户，排查消防通道堵塞隐患",
    "听取对夜间巡逻的意见，留下警民联系卡",
    "上门看望困难家庭，了解生活所需",
    "核实出租房屋登记信息，提示用电安全",
)
VILLAGES = ("城关镇东街", "十里铺村", "新华路", "滨江小区", "工业园")
ROWS = 40


def demo_ledger_files(directory: Path, *, seed: int) -> tuple[Path, Path, int]:
    """Write the sheets of the `officer` login's station into `directory` and import the
    first as that officer; return both paths and the visits imported."""
    officer = Officer.objects.select_related("unit", "user").get(user__username="officer")
    station = officer.unit
    stranger = (
        Officer.objects.filter(unit__kind=UnitKind.STATION)
        .exclude(unit__path__startswith=station.path)
        .order_by("badge_no")
        .first()
    )
    assert stranger is not None
    clean, wrong = _write(
        directory,
        rng=random.Random(f"{seed}-ledger-files"),  # the city's own draws stay as they were
        unit=station,
        officers=list(
            Officer.objects.filter(unit=station, user__is_active=True).order_by("badge_no")
        ),
        stranger=stranger,
    )
    result = ledger_import(actor=officer.user, source=clean, filename=clean.name)
    if result.errors:  # a demo bug
        raise RuntimeError(f"the demo ledger file {clean.name} has errors: {result.errors[:3]}")
    return clean, wrong, result.imported


def _write(
    directory: Path,
    *,
    rng: random.Random,
    unit: Unit,
    officers: Sequence[Officer],
    stranger: Officer,
) -> tuple[Path, Path]:
    """Write the station's March sheet and its April sheet with mistakes; return their paths.
    `officers`: the station's; `stranger`: an officer of another unit (one of the mistakes)."""
    directory.mkdir(parents=True, exist_ok=True)
    people = [(person_name(rng), mobile(rng), id_number(rng, 1)) for _ in range(ROWS * 2)]
    badges = [officer.badge_no for officer in officers]

    def line(number: int, day: datetime.date, person: tuple[str, str, str]) -> list[object]:
        name, phone, id_card = person
        target = _pick(rng, TARGETS)
        if target in ("企事业单位", "场所"):
            name = f"{rng.choice(VILLAGES)}{name[0]}记{'商行' if target == '场所' else '公司'}"
            id_card = ""
        together = rng.sample(badges, k=min(len(badges), rng.choice((1, 1, 2))))
        return [
            number,
            _date_as_written(rng, day),
            name,
            target,
            _pick(rng, CHANNELS),
            rng.choice(("、", "，", " ", ";")).join(together),
            unit.code if number % 7 else _fullwidth(unit.code),
            f"{phone[:3]} {phone[3:7]} {phone[7:]}" if number % 3 == 0 else phone,
            id_card if rng.random() < 0.3 else "",
            f"{rng.choice(VILLAGES)}{rng.randint(1, 120)}号",
            rng.choice(TOPICS),
            rng.choice((0, 0, 1, 2)),
            rng.choice((0, 0, 0, 1)),
            rng.choice((0, 0, 1)),
            rng.choice((0, 0, 0, 1)),
            rng.choice(("", "", "", "200元", "1,500.00", "300")),
            rng.choice(("否", "否", "是", "√", "")),
            "",
        ]

    march = [
        line(n + 1, datetime.date(2022, 3, 1 + (n * 29) // ROWS), people[n]) for n in range(ROWS)
    ]
    april = [
        line(n + 1, datetime.date(2022, 4, 1 + (n * 28) // ROWS), people[ROWS + n])
        for n in range(ROWS)
    ]
    _plant_mistakes(april, stranger)
    clean = directory / f"{unit.name}走访台账-2022年3月.xlsx"
    wrong = directory / f"{unit.name}走访台账-2022年4月-有错误.xlsx"
    _save(clean, "3月", unit, march)
    _save(wrong, "4月", unit, april)
    return clean, wrong


def _plant_mistakes(rows: list[list[object]], stranger: Officer) -> None:
    column = {header: index for index, header in enumerate(HEADERS)}
    rows[3][column["走访方式"]] = "上门"
    first17 = "36990119800101001"
    right = id_check_digit(first17)
    rows[8][column["身份证号"]] = first17 + ("1" if right == "0" else "0")  # wrong check digit
    rows[8][column["对象类型"]] = "群众"
    rows[15][column["走访日期"]] = "2099年4月15日"
    rows[21][column["走访民警"]] = stranger.badge_no
    rows[27][column["身份证号"]] = 369901198001010012  # a number cell: its last digits are lost
    rows[27][column["对象类型"]] = "群众"
    rows[33][column["联系电话"]] = "1381234"


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([label for label, _ in weighted], [w for _, w in weighted])[0]


def _date_as_written(rng: random.Random, day: datetime.date) -> object:
    spelling = rng.randrange(5)
    if spelling == 0:
        return day  # a date cell
    if spelling == 1:
        return f"{day.year}年{day.month}月{day.day}日"
    if spelling == 2:
        return f"{day.year}/{day.month}/{day.day}"
    if spelling == 3:
        return f"{day.year}.{day.month}.{day.day}"
    return _fullwidth(day.isoformat())


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _save(path: Path, month: str, unit: Unit, rows: list[list[object]]) -> None:
    """The sheet as the station keeps it: a title, who filled it in, then the header."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = month
    sheet.append([f"{unit.name}“大走访”工作台账（2022年{month}）"])
    sheet.append([f"填报单位：{unit.name}", "", "", "", "", "填报人：内勤"])
    sheet.append(list(HEADERS))
    for values in rows:
        sheet.append(values)
    for index, width in enumerate((6, 14, 22, 12, 10, 16, 10, 16, 22, 22, 36), start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    workbook.save(path)
