"""The demo campaign's plans, tasks, leaders' units, meetings and inspections.

Written through the apps' services (so verdicts, audit and rules apply), then dated back
into 2022, which is when the demo campaign ran.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from zoufang.campaigns.models import Campaign, MeetingKind, MeetingLevel, PlanVersion, Task
from zoufang.campaigns.plans import plan_submit
from zoufang.campaigns.services import (
    assignments_set,
    meeting_record,
    task_create,
    task_mark_done,
    task_report,
)
from zoufang.inspections.models import Finding, FindingKind, Inspection
from zoufang.inspections.services import finding_from_copied_plan, finding_record, inspection_create
from zoufang.org.models import Officer, Role, Unit, UnitKind

TZ = ZoneInfo("Asia/Shanghai")

CITY_PLAN = """江州市公安局2022年“大走访·开门评”活动实施方案

为深入贯彻以人民为中心的发展思想，进一步密切警民关系，根据上级公安机关部署，市局决定在全市公安机关开展“大走访·开门评”活动。现制定如下实施方案。

一、指导思想
坚持以习近平新时代中国特色社会主义思想为指导，坚持人民公安为人民，以走访群众、问需于民为基础，以开门评警、接受监督为关键，以解决问题、改进工作为目标，切实提升人民群众的安全感和满意度。

二、工作目标
通过开展大走访开门评活动，做到辖区情况全掌握、群众诉求全收集、矛盾纠纷全化解、安全隐患全排查、困难群众全帮扶，坚决防止不走访、不评议、不反馈、不整改等问题发生，推动公安工作和队伍建设全面进步。

三、走访对象和方式
（一）走访对象。各单位要全面走访辖区群众、企事业单位、重点场所，重点走访重点人员、困难群众、弱势群体，主动走访人大代表、政协委员、执法监督员和媒体记者。
（二）走访方式。坚持面对面走访与键对键联系相结合，通过入户走访、座谈交流、电话回访、微信联系等方式，广泛听取群众意见建议。

四、主要任务
（一）全面开展走访。市局各部门、各分局要组织全体民警深入辖区，建立走访台账，做到走访一户、登记一户、服务一户。
（二）认真开门评警。通过召开座谈会、发放问卷、网上评议等方式，听取群众对公安工作和民警队伍的意见建议。
（三）抓好整改落实。对收集到的意见建议，要逐条建立清单，明确责任部门和完成时限，做到件件有着落、事事有回音。
（四）帮扶困难群众。对走访中发现的困难群众，要积极协调相关部门帮扶救助，切实解决实际困难。

五、组织领导
市局成立大走访开门评活动领导小组，由局长任组长，各副局长任副组长，领导小组下设办公室，负责活动的组织协调、督导检查和考核评估。各单位要成立相应组织，主要领导亲自抓，分管领导具体抓。

六、工作要求
（一）高度重视。各单位要把大走访开门评活动作为一项重要政治任务，精心组织，周密部署，确保活动取得实效。
（二）强化督导。市局将采取明察暗访、随机抽查等方式，对各单位活动开展情况进行督导检查，对工作不力的单位予以通报。
（三）注重宣传。各单位要及时总结经验做法，报送活动快报，营造良好氛围。"""

SUBJECTS = (
    "所里",
    "本单位",
    "我们",
    "各警务室",
    "社区民警",
    "责任区民警",
    "全体民警",
    "所领导",
    "各中队",
    "驻村民警",
)
WHEN = ("每周", "每月", "每季度", "节前", "周末", "夜间", "上午", "汛期前", "开学前", "年底前")
ACTIONS = (
    "逐户走访",
    "上门走访",
    "集中走访",
    "分片包干走访",
    "电话回访",
    "入户核查",
    "联合走访",
    "带队走访",
)
TARGETS = (
    "独居老人",
    "出租屋房东",
    "沿街商户",
    "物流企业",
    "学校周边商铺",
    "农贸市场摊主",
    "外来务工人员",
    "重点企业负责人",
    "网吧业主",
    "建筑工地",
    "养老机构",
    "留守儿童家庭",
    "退役军人",
    "快递网点",
)
PURPOSES = (
    "登记联系方式",
    "宣传防诈骗知识",
    "听取意见建议",
    "排查安全隐患",
    "化解邻里矛盾",
    "发放警民联系卡",
    "了解实际困难",
    "核对实有人口",
    "开展消防检查",
    "征求对民警的评价",
)
FOLLOW_UPS = (
    "问题清单逐项销号",
    "三日内答复",
    "每周汇总上报",
    "纳入绩效考核",
    "由所长签批",
    "建立一户一档",
    "复核后回访",
    "张榜公示",
    "在例会上通报",
    "录入走访台账",
)


def _own_words(rng: random.Random, unit: Unit, sentences: int) -> list[str]:
    """Sentences in the unit's own words: parts combined at random, with its own places."""
    places = [
        unit.short_name or unit.name,
        *rng.sample(
            ("人民路", "解放街", "滨江小区", "工业园", "城南片区", "老城区", "开发区", "北门村"),
            k=3,
        ),
    ]
    lines = []
    for _ in range(sentences):
        lines.append(
            f"{rng.choice(SUBJECTS)}{rng.choice(WHEN)}{rng.choice(ACTIONS)}{rng.choice(places)}的"
            f"{rng.choice(TARGETS)}，{rng.choice(PURPOSES)}，发现问题{rng.choice(FOLLOW_UPS)}，"
            f"计划{rng.randrange(2, 9)}月底前完成{rng.randrange(20, 400)}户。"
        )
    return lines


def _unit_plan(rng: random.Random, unit: Unit, style: str, city_plan: str) -> str:
    """A plan for a unit: a copy of the city plan, a partial reuse, or its own words."""
    lines = city_plan.splitlines()
    name = unit.name
    if style == "copied":
        text = city_plan.replace("江州市公安局", name).replace("市局各部门、各分局", "本单位各部门")
        # A couple of sentences changed so it is not byte for byte the same.
        return text.replace("现制定如下实施方案。", "结合我单位实际，制定本方案。")
    if style == "partial":
        kept = lines[:10] + lines[18:24]
        own = _own_words(rng, unit, 8)
        return "\n".join([f"{name}大走访开门评活动工作方案", *kept[1:], "具体措施：", *own])
    return "\n".join([f"{name}开展“大走访·开门评”活动的工作安排", *_own_words(rng, unit, 14)])


def build_plans(rng: random.Random, campaign: Campaign, admin: Any) -> int:
    """The city plan and the plans of the county bureaus, police branches and departments."""
    city = Unit.objects.get(code="JZ")
    plan_submit(
        actor=admin,
        campaign=campaign,
        unit=city,
        text=CITY_PLAN,
        filename="江州市公安局实施方案.docx",
    )
    units = list(
        Unit.objects.filter(
            kind__in=(UnitKind.COUNTY_BUREAU, UnitKind.POLICE_BRANCH, UnitKind.AGENCY_DEPT)
        ).order_by("path")
    )
    count = 0
    for unit in units:
        if unit.code in ("JZB08", "JZB09", "JZB15", "JZJ10"):
            continue  # the zero-result units did not even write a plan
        style = rng.choices(("copied", "partial", "original"), weights=(3, 3, 4))[0]
        plan_submit(
            actor=admin,
            campaign=campaign,
            unit=unit,
            text=_unit_plan(rng, unit, style, CITY_PLAN),
            filename=f"{unit.short_name or unit.name}方案.docx",
        )
        count += 1
    # Two departments copying each other.
    first, second = Unit.objects.get(code="JZB02"), Unit.objects.get(code="JZB03")
    text = _unit_plan(rng, first, "original", CITY_PLAN)
    plan_submit(actor=admin, campaign=campaign, unit=first, text=text)
    plan_submit(
        actor=admin, campaign=campaign, unit=second, text=text.replace(first.name, second.name)
    )
    PlanVersion.objects.filter(plan__campaign=campaign).update(
        uploaded_at=datetime.datetime(2022, 1, 12, 10, tzinfo=TZ)
    )
    return count + 3


TASKS = (
    ("制定并报送本单位大走访开门评工作方案", 1, (1, 15), "all_county"),
    ("成立活动领导小组并召开动员部署会", 1, (1, 20), "all_county"),
    ("全面走访辖区重点企业，建立一企一档", 2, (4, 30), "county"),
    ("开展困难群众帮扶，春节前完成走访慰问", 1, (1, 28), "county"),
    ("组织警务开放日，邀请人大代表政协委员评警", 2, (5, 31), "branch"),
    ("对群众意见建议逐条建立整改清单", 2, (6, 30), "all"),
    ("开展窗口服务作风专项整治", 3, (8, 31), "agency"),
    ("对不满意事项开展回访复核", 3, (9, 30), "county"),
    ("总结活动经验，报送典型案例", 4, (11, 30), "all"),
    ("完成活动考评和情况通报", 4, (12, 20), "city"),
)


def build_tasks(rng: random.Random, campaign: Campaign, admin: Any) -> int:
    """Tasks with lead leaders and responsible units; most done, some late, a few open."""
    leaders = list(Officer.objects.filter(role=Role.LEADER).order_by("badge_no"))
    phases = {p.order: p for p in campaign.phases.all()}
    groups = {
        "county": list(Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU)),
        "branch": list(Unit.objects.filter(kind=UnitKind.POLICE_BRANCH)),
        "agency": list(Unit.objects.filter(kind=UnitKind.AGENCY_DEPT)),
        "city": list(Unit.objects.filter(kind=UnitKind.CITY_OFFICE)),
    }
    groups["all_county"] = groups["county"]
    groups["all"] = groups["county"] + groups["branch"] + groups["agency"]
    for index, (title, phase, (month, day), group) in enumerate(TASKS):
        units = (
            groups[group]
            if group.startswith("all") or group == "city"
            else rng.sample(groups[group], k=min(4, len(groups[group])))
        )
        deadline = datetime.date(2022, month, day)
        task = task_create(
            actor=admin,
            campaign=campaign,
            title=title,
            lead_leader=leaders[index % len(leaders)],
            responsible_units=units,
            deadline=deadline,
            phase=phases.get(phase),
            description=f"{title}。各责任部门按时报送进展。",
        )
        for unit in units[:3]:
            task_report(
                actor=admin,
                task=task,
                unit=unit,
                text=f"{unit.short_name or unit.name}已按要求推进，完成阶段性工作。",
            )
        roll = rng.random()
        if deadline < datetime.date(2022, 11, 1) and roll < 0.85:
            task_mark_done(actor=admin, task=task)
            late = roll > 0.65
            done = (
                deadline + datetime.timedelta(days=rng.randrange(3, 15))
                if late
                else deadline - datetime.timedelta(days=rng.randrange(0, 6))
            )
            Task.objects.filter(pk=task.pk).update(
                done_at=datetime.datetime(done.year, done.month, done.day, 17, tzinfo=TZ),
                created_at=datetime.datetime(2022, 1, 5, 9, tzinfo=TZ),
            )
    for number, leader in enumerate(leaders):
        counties = groups["county"][number * 2 : number * 2 + 2]
        if counties:
            assignments_set(actor=admin, campaign=campaign, leader=leader, units=counties)
    return len(TASKS)


def build_meetings(rng: random.Random, campaign: Campaign, admin: Any) -> int:
    """Leading groups and mobilisation meetings; agencies hold far fewer (上冷下热)."""
    count = 0
    for unit in Unit.objects.exclude(code__in=("JZB08", "JZB09", "JZB15", "JZJ10", "JZ1203")):
        if unit.kind == UnitKind.STATION and rng.random() < 0.6:
            continue
        if unit.kind in (UnitKind.AGENCY_DEPT, UnitKind.POLICE_BRANCH) and rng.random() < 0.5:
            continue
        level = {
            UnitKind.CITY_OFFICE: MeetingLevel.CITY,
            UnitKind.COUNTY_BUREAU: MeetingLevel.COUNTY,
        }.get(UnitKind(unit.kind), MeetingLevel.UNIT)
        for kind, title, day in (
            (MeetingKind.LEADING_GROUP, "成立大走访开门评活动领导小组", rng.randrange(5, 15)),
            (MeetingKind.MOBILISATION, "大走访开门评活动动员部署会", rng.randrange(10, 25)),
        ):
            if kind == MeetingKind.LEADING_GROUP and unit.kind == UnitKind.STATION:
                continue
            meeting_record(
                actor=admin,
                campaign=campaign,
                unit=unit,
                date=datetime.date(2022, 1, day),
                kind=kind,
                level=level,
                title=f"{unit.short_name or unit.name}{title}",
                attendees=rng.randrange(8, 60),
                minutes="传达市局部署，明确任务分工和时间节点。",
            )
            count += 1
        if unit.kind == UnitKind.STATION:
            meeting_record(
                actor=admin,
                campaign=campaign,
                unit=unit,
                date=datetime.date(2022, rng.randrange(3, 11), 15),
                kind=MeetingKind.SYMPOSIUM,
                level=MeetingLevel.UNIT,
                title=f"{unit.short_name}警民恳谈会",
                attendees=rng.randrange(15, 40),
                minutes="听取群众意见建议，现场答复。",
            )
            count += 1
    return count


def build_inspections(rng: random.Random, campaign: Campaign, admin: Any) -> int:
    """An unannounced inspection per phase and the plan review, with findings."""
    inspectors = list(Officer.objects.filter(role=Role.INSPECTOR))
    phases = list(campaign.phases.order_by("order"))
    counties = list(Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU))
    findings = 0
    for phase in phases[:3]:
        day = phase.start_date + datetime.timedelta(days=30)
        units = rng.sample(counties, k=4) + list(Unit.objects.filter(code__in=("JZB08", "JZJ10")))
        inspection = inspection_create(
            actor=admin,
            campaign=campaign,
            phase=phase,
            title=f"{phase.name}明察暗访",
            kind="unannounced",
            start_date=day,
            end_date=day + datetime.timedelta(days=4),
            inspectors=inspectors[:2],
            units=units,
        )
        for unit in units:
            kind = (
                FindingKind.NO_VISIT
                if unit.code in ("JZB08", "JZJ10")
                else rng.choice(
                    (
                        FindingKind.LEDGER_IRREGULAR,
                        FindingKind.NO_FEEDBACK,
                        FindingKind.NO_REVIEW,
                        FindingKind.NO_RECTIFICATION,
                    )
                )
            )
            descriptions = {
                FindingKind.NO_VISIT: "抽查发现本阶段无走访记录，民警对活动要求不清楚。",
                FindingKind.LEDGER_IRREGULAR: "走访台账不规范，部分记录缺少联系方式和走访内容。",
                FindingKind.NO_FEEDBACK: "群众反映的问题超过时限未反馈。",
                FindingKind.NO_REVIEW: "未组织群众开展评议，意见箱长期未开启。",
                FindingKind.NO_RECTIFICATION: "上阶段督导发现的问题未按期整改。",
            }
            finding_record(
                actor=admin,
                inspection=inspection,
                unit=unit,
                kind=kind,
                description=descriptions[kind],
                deduction=Decimal(rng.choice(("0.5", "1", "1.5", "2"))),
                rectify_by=datetime.date(2099, 1, 1),
            )
            findings += 1
        Inspection.objects.filter(pk=inspection.pk).update(
            created_at=datetime.datetime(day.year, day.month, day.day, 9, tzinfo=TZ)
        )
        Finding.objects.filter(inspection=inspection).update(
            found_on=day, rectify_by=day + datetime.timedelta(days=14)
        )
    copied = PlanVersion.objects.filter(
        plan__campaign=campaign, verdict="copied", plan__current__isnull=False
    ).order_by("plan__unit__path")
    for version in list(copied)[:4]:
        finding_from_copied_plan(actor=admin, version=version)
        findings += 1
    Finding.objects.filter(kind=FindingKind.PLAN_COPIED).update(
        found_on=datetime.date(2022, 1, 25), rectify_by=datetime.date(2022, 2, 15)
    )
    Inspection.objects.filter(findings__kind=FindingKind.PLAN_COPIED).distinct().filter(
        kind="planned"
    ).update(start_date=datetime.date(2022, 1, 25), end_date=datetime.date(2022, 1, 25))
    return findings


def build_services(rng: random.Random, admin: Any) -> int:
    """便民服务 per month (a record spanning a phase's bounds would count in no phase's figure,
    only 累计: figures.registry): stations do household registration, county bureaus also
    exit-entry and vehicles and drivers."""
    import calendar

    from zoufang.assessment.services import service_record_save

    count = 0
    for unit in Unit.objects.filter(kind__in=(UnitKind.STATION, UnitKind.COUNTY_BUREAU)).exclude(
        code="JZ1203"
    ):
        kinds = (
            ["household_registration"]
            if unit.kind == UnitKind.STATION
            else ["household_registration", "exit_entry", "vehicle_driver"]
        )
        for month in range(1, 13):
            for kind in kinds:
                end = datetime.date(2022, month, calendar.monthrange(2022, month)[1])
                service_record_save(
                    actor=admin,
                    unit=unit,
                    kind=kind,
                    period_start=datetime.date(2022, month, 1),
                    period_end=end,
                    items_delegated=rng.randrange(1, 5),
                    certificates_handled=rng.randrange(14, 200),
                )
                count += 1
    return count
