"""The stage notice (通报) as an official document, from plain data: the frozen assessment's
figures and rankings, the problems found, and the narrative the city office edited.

Pure: no database. `notices/selectors.py` gathers `NoticeData`; `render_docx` prints it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zoufang.core.officialdoc import (
    Block,
    Heading1,
    Heading2,
    Image,
    OfficialDocument,
    Paragraph,
    Table,
)

from .charts import bar_chart_png

KIND_LABELS = {
    "county_bureau": "县（市、区）局",
    "station": "派出所",
    "police_branch": "警种部门",
    "agency_dept": "局直机关部门",
}
NARRATIVE_KEYS = ("opening", "good_practices", "next_steps")


CHINESE_NUMERALS = "一二三四五六七八九十"


def ordinal(number: int) -> str:
    """1 → 一, 11 → 十一 (enough for headings and phases)."""
    if number <= 10:
        return CHINESE_NUMERALS[number - 1]
    return "十" + CHINESE_NUMERALS[number - 11] if number < 20 else str(number)


def stage_label(order: int, phase_name: str) -> str:
    """第二阶段（3–6月 集中走访）."""
    return f"第{ordinal(order)}阶段（{phase_name}）" if order else phase_name


def count(value: float | int) -> str:
    """A whole number as notices write it (no thousands separators)."""
    return str(round(value))


def wan(yuan: float) -> str:
    """Yuan in 万元 with one decimal, as notices write money."""
    return f"{yuan / 10000:.1f}"


@dataclass
class NoticeData:
    """Everything a notice states, as plain data (frozen in the Notice when drafted)."""

    campaign_name: str
    phase_name: str
    year: int
    phase_order: int
    figures: Mapping[str, Any]  # the registry's city figures: {"phase": …, "cumulative": …}
    groups: Sequence[Mapping[str, Any]]
    zero_result: Sequence[str]
    bottom: Mapping[str, Sequence[str]]
    overdue_opinions: int
    overdue_units: Sequence[tuple[str, int]]
    findings: Sequence[Mapping[str, Any]]
    copied_plans: Sequence[str]
    imbalance: Mapping[str, Any]
    top: Mapping[str, Sequence[str]]
    adopted_bulletins: Sequence[tuple[str, str]] = field(default_factory=list)


def amount(value: float | int) -> str:
    """A figure in 万元 as the registry gives it (two decimals), without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def figures_sentence(values: Mapping[str, Any]) -> str:
    """The registry's figures in the bureau's own words, each in its counting unit."""
    f = values
    return (
        f"走访群众{count(f['visits_people'])}人次（其中回访{count(f['return_visits'])}人次），"
        f"走访企事业单位、场所{count(f['places_visited'])}家，"
        f"走访重点人员{count(f['key_persons'])}人，"
        f"帮扶困难群众{count(f['hardship_households'])}户，"
        f"捐款捐物{amount(f['donations_wan'])}万元，"
        f"调解矛盾纠纷{count(f['disputes'])}起，排查安全隐患{count(f['hazards'])}处，"
        f"收集意见建议{count(f['opinions_collected'])}条、其中已办结{count(f['opinions_closed'])}条，"
        f"办理户政、出入境、车驾管等证件{count(f['certificates'])}件"
    )


def figures_paragraph(data: NoticeData) -> str:
    """The phase's figures of the city, from the registry, introduced by the phase."""
    stage = stage_label(data.phase_order, data.phase_name)
    return f"{stage}，全市公安机关共{figures_sentence(data.figures['phase']['values'])}。"


def default_narrative(data: NoticeData) -> dict[str, str]:
    """The narrative paragraphs a draft starts with; the city office edits them."""
    good = []
    for kind, units in data.top.items():
        if units:
            kind_label = KIND_LABELS.get(kind, kind)
            good.append(
                f"{'、'.join(units)}等单位在{kind_label}中考评排名靠前，"
                "走访覆盖面广，群众意见办理及时。"
            )
    for unit, title in list(data.adopted_bulletins)[:5]:
        good.append(f"{unit}报送的《{title}》被市局采用，做法值得借鉴。")
    return {
        "opening": (
            f"{data.year}年“大走访·开门评”活动开展以来，全市各级公安机关认真落实市局部署，"
            f"扎实开展走访和开门评警工作。根据{stage_label(data.phase_order, data.phase_name)}"
            "考评结果，现将有关情况通报如下。"
        ),
        "good_practices": "\n".join(good) or "各单位结合实际开展走访，涌现出一批好的做法。",
        "next_steps": "\n".join(
            (
                "各单位要对照通报指出的问题，逐项制定整改措施，明确责任人和完成时限，确保整改到位。",
                "零战果和排名靠后的单位要深刻查找原因，主要领导要亲自过问，下一阶段迎头赶上。",
                "对群众意见建议要做到件件有着落、事事有回音，坚决杜绝超期不办、办而不复。",
                "市局将持续开展明察暗访，对工作不力、问题整改不到位的单位予以通报。",
            )
        ),
    }


def problem_paragraphs(data: NoticeData) -> list[Block]:
    """The problems, numbered （一）（二）…: zero results, bottom units, overdue opinions,
    inspection findings, copied plans, 上冷下热."""
    items: list[tuple[str, str]] = []
    if data.zero_result:
        items.append(
            (
                "零战果单位。",
                f"{'、'.join(data.zero_result)}在本阶段无走访记录、无意见建议办理、无活动快报，工作明显滞后。",
            )
        )
    bottom = [
        f"{KIND_LABELS.get(kind, kind)}中{'、'.join(units)}"
        for kind, units in data.bottom.items()
        if units
    ]
    if bottom:
        items.append(("排名靠后单位。", "；".join(bottom) + "排名靠后。"))
    if data.overdue_opinions:
        names = "、".join(f"{unit}（{n}件）" for unit, n in list(data.overdue_units)[:10])
        items.append(
            (
                "意见建议逾期办理。",
                f"全市有{data.overdue_opinions}件意见建议逾期未签收或未反馈，主要集中在{names}。",
            )
        )
    if data.findings:
        kinds: dict[str, list[str]] = {}
        for finding in data.findings:
            kinds.setdefault(finding["kind_label"], []).append(finding["unit"])
        text = "；".join(
            f"{kind}问题{len(units)}个（{'、'.join(dict.fromkeys(units))}）"
            for kind, units in kinds.items()
        )
        items.append(
            ("督导检查发现的问题。", f"督导检查共发现问题{len(data.findings)}个，其中{text}。")
        )
    if data.copied_plans:
        items.append(
            (
                "工作方案照搬照抄。",
                f"{'、'.join(data.copied_plans)}的工作方案与市局方案或其他单位方案高度雷同，未结合本单位实际。",
            )
        )
    balance = data.imbalance
    if balance.get("imbalanced"):
        items.append(
            (
                "上冷下热。",
                f"机关部门人均走访{balance['agencies_per_officer']}人次，基层单位人均走访{balance['grassroots_per_officer']}人次，机关部门明显偏冷。",
            )
        )
    if not items:
        return [Paragraph("本阶段未发现突出问题。")]
    return [
        Heading2(f"（{ordinal(n)}）{title}", body=body)
        for n, (title, body) in enumerate(items, start=1)
    ]


def ranking_tables(data: NoticeData) -> list[Block]:
    """The rankings by unit kind, as tables."""
    blocks: list[Block] = []
    for group in data.groups:
        rows = [
            [row["rank"], row["name"], f"{row['score']:.2f}", _flag_text(row["flags"])]
            for row in group["ranking"]
        ]
        blocks.append(
            Table(
                header=["名次", "单位", "得分", "备注"],
                rows=rows,
                caption=f"{KIND_LABELS.get(group['kind'], group['kind'])}考评排名",
                column_widths_mm=[18, 78, 25, 35],
                font_size_pt=12,
            )
        )
    return blocks


def _flag_text(flags: Sequence[str]) -> str:
    labels = {"zero_result": "零战果", "bottom": "末位", "overdue": "有逾期"}
    return "、".join(labels[f] for f in flags if f in labels)


def score_chart(data: NoticeData) -> Block | None:
    """The county bureaus' scores as a bar chart (where a picture says it better)."""
    counties = next((g for g in data.groups if g["kind"] == "county_bureau"), None)
    if not counties or not counties["ranking"]:
        return None
    png = bar_chart_png(
        title="县（市、区）局考评得分",
        labels=[r["name"] for r in counties["ranking"]],
        values=[float(r["score"]) for r in counties["ranking"]],
        unit="分",
        width_mm=150,
    )
    return Image(png=png, width_mm=150, caption="图1 县（市、区）局考评得分")


def compose(
    data: NoticeData,
    *,
    narrative: Mapping[str, str],
    issuer: str,
    doc_number: str,
    title: str,
    date: datetime.date,
    with_chart: bool = True,
) -> OfficialDocument:
    """The notice as an official document."""
    blocks: list[Block] = [Paragraph(line) for line in _lines(narrative.get("opening", ""))]
    blocks += [Heading1("一、总体情况"), Paragraph(figures_paragraph(data))]
    blocks += [
        Heading1("二、好的做法"),
        *(Paragraph(line) for line in _lines(narrative.get("good_practices", ""))),
    ]
    blocks += [Heading1("三、存在的问题"), *problem_paragraphs(data)]
    blocks += [
        Heading1("四、下一步工作要求"),
        *(Paragraph(line) for line in _lines(narrative.get("next_steps", ""))),
    ]
    blocks += [Heading1("五、考评排名")]
    chart = score_chart(data) if with_chart else None
    if chart is not None:
        blocks.append(chart)
    blocks += ranking_tables(data)
    return OfficialDocument(
        issuer=issuer,
        doc_number=doc_number,
        title=title,
        recipients="各县（市、区）公安局，市局各警种、部门：",
        blocks=blocks,
        signature=issuer,
        date=date,
        copy_to="市局领导",
        printed_by=issuer,
        printed_date=date,
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
