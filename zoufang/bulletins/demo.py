"""Demo bulletins for the 2022 campaign: written, submitted and reviewed through the services
(so the rules, search tokens and audit apply), then dated back into 2022.

About two bulletins per county bureau and one to four per station; police branches and
agency departments markedly fewer (上冷下热); none for the planted zero-result units. Most
are adopted, some returned or still waiting; adopted ones get reads spread over the weeks
after publication, so the hot tabs have something to rank.
"""

from __future__ import annotations

import datetime
import random
from typing import Any
from zoneinfo import ZoneInfo

from zoufang.campaigns.models import Campaign
from zoufang.core.actors import Actor
from zoufang.org.models import Officer, Role, Unit, UnitKind

from .models import Bulletin, BulletinKind, BulletinStatus, BulletinView
from .services import bulletin_create, bulletin_transition

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2022
FIRST_DAY = datetime.date(YEAR, 1, 4)
LAST_DAY = datetime.date(YEAR, 12, 31)
ZERO_RESULT_UNITS = frozenset({"JZB08", "JZB09", "JZB15", "JZJ10", "JZ1203"})
# How many bulletins a unit of each kind writes: choices drawn at random (上冷下热).
PER_KIND = {
    UnitKind.COUNTY_BUREAU: (2, 2, 2, 3),
    UnitKind.STATION: (1, 2, 2, 3, 4),
    UnitKind.POLICE_BRANCH: (0, 0, 0, 1),
    UnitKind.AGENCY_DEPT: (0, 0, 0, 0, 1),
    UnitKind.CITY_OFFICE: (0,),
}
# Final states, weighted: mostly adopted.
OUTCOMES = (
    (BulletinStatus.ADOPTED, 76),
    (BulletinStatus.RETURNED, 11),
    (BulletinStatus.SUBMITTED, 9),
    (BulletinStatus.DRAFT, 4),
)
RETURN_COMMENTS = (
    "请补充走访数据和现场图片后重新报送。",
    "标题不够精炼，请修改后重新报送。",
    "内容与上期简报重复，请突出本单位特色做法。",
    "文中数字前后不一致，请核实后重新报送。",
    "请压缩篇幅，重点写清做法和成效。",
)
PLACES = ("幸福里", "文昌", "朝阳", "湖滨", "望江", "金桥", "桃源", "光明", "新村", "和平")
COMPANIES = (
    "恒丰机械制造有限公司",
    "宏达物流有限公司",
    "鑫源食品有限公司",
    "华兴电子有限公司",
    "瑞祥建材有限公司",
    "天成纺织有限公司",
    "利民商贸有限公司",
    "安泰医药有限公司",
)
MEETING_TOPICS = (
    "校园周边安全、夜间巡逻",
    "停车难、交通秩序",
    "电信网络诈骗防范、养老诈骗防范",
    "户籍办理、出入境证件办理",
    "邻里纠纷化解、消防安全",
)

# (kind, title templates, paragraph templates); {u} is the unit's name.
TOPICS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        BulletinKind.ACTIVITY_REPORT,
        (
            "{u}深入辖区企业开展“大走访”活动",
            "{u}走访辖区企业 助力企业安全发展",
            "{u}民警走进企业问需解难",
        ),
        (
            "{month}月{day}日，{u}组织民警深入辖区{company}等{n}家企业开展走访活动，"
            "面对面听取企业负责人对公安工作的意见建议。",
            "走访中，民警详细了解企业生产经营和内部安全防范情况，对发现的{m}处消防、治安隐患"
            "当场提出整改意见，并向企业员工宣传防范电信网络诈骗知识。",
            "企业负责人表示，公安机关主动上门服务，帮助企业解决了实际困难，"
            "为企业发展营造了安全稳定的环境。",
            "下一步，{u}将建立常态化联系机制，定期走访辖区企业，持续优化营商环境。",
        ),
    ),
    (
        BulletinKind.ACTIVITY_REPORT,
        (
            "{u}开展反诈宣传进社区活动",
            "{u}“反诈宣传进万家” 守护群众钱袋子",
            "{u}推广国家反诈中心APP 筑牢反诈防线",
        ),
        (
            "为进一步提高群众识骗防骗能力，{month}月{day}日，{u}民警走进{place}社区，"
            "开展反诈宣传活动。",
            "活动中，民警通过发放宣传资料、讲解典型案例等方式，向群众揭露冒充客服、刷单返利、"
            "虚假投资理财等常见电信网络诈骗手法，现场指导{n}余名群众下载安装国家反诈中心APP。",
            "民警提醒广大群众，不轻信陌生来电和短信，不点击陌生链接，遇到可疑情况及时拨打110报警。",
            "此次活动共发放宣传资料{m}余份，收集群众意见建议{k}条，进一步增强了群众的防骗意识。",
        ),
    ),
    (
        BulletinKind.ACTIVITY_REPORT,
        (
            "{u}走访慰问困难群众 传递警民温情",
            "{u}开展帮扶困难群众活动",
            "真情帮扶暖民心——{u}走访辖区困难家庭",
        ),
        (
            "{month}月{day}日，{u}组织民警走访慰问辖区困难群众，为他们送去米、面、油等生活物资"
            "和慰问金。",
            "在困难群众家中，民警与他们亲切交谈，详细了解家庭生活、身体状况和实际困难，"
            "并登记造册，建立帮扶台账。",
            "针对走访中发现的{k}户特殊困难家庭，{u}积极协调民政、社区等部门落实帮扶措施，"
            "帮助解决实际困难。",
            "此次共走访困难群众{n}户，捐款捐物折合人民币{money}元。",
        ),
    ),
    (
        BulletinKind.ACTIVITY_REPORT,
        (
            "{u}召开警民恳谈会 面对面听民意",
            "{u}举办“开门评警”警民恳谈会",
            "问计于民 {u}召开警民恳谈会",
        ),
        (
            "{month}月{day}日，{u}召开“大走访·开门评”警民恳谈会，邀请辖区人大代表、政协委员、"
            "群众代表和企业代表共{n}人参加。",
            "会上，{u}负责人通报了近期辖区治安形势和“大走访·开门评”活动开展情况，"
            "与会代表围绕{topic}等方面畅所欲言，提出意见建议{m}条。",
            "对代表们提出的意见建议，{u}逐条登记，明确责任部门和整改时限，"
            "做到件件有着落、事事有回音。",
        ),
    ),
    (
        BulletinKind.WORK_BRIEF,
        (
            "{u}“大走访·开门评”活动工作简报（第{issue}期）",
            "{u}扎实推进“大走访·开门评”活动",
        ),
        (
            "“大走访·开门评”活动开展以来，{u}高度重视，成立活动领导小组，制定实施方案，"
            "层层压实责任，推动活动有序开展。",
            "截至{month}月{day}日，全单位共走访群众{big}户，走访企事业单位{n}家，"
            "收集意见建议{m}条，已办结{k}条，化解矛盾纠纷{k2}起。",
            "活动中，{u}坚持面对面走访与键对键联系相结合，通过入户走访、电话回访、微信联系等方式，"
            "广泛听取群众意见建议。",
            "下一步，{u}将聚焦群众反映的突出问题，抓好整改落实，切实提升群众安全感和满意度。",
        ),
    ),
    (
        BulletinKind.NEWS,
        ("{u}化解一起邻里纠纷", "{u}民警走访中化解邻里矛盾"),
        (
            "{month}月{day}日，{u}民警在走访中了解到{place}小区两户居民因房屋漏水产生纠纷，"
            "第一时间上门核实情况。",
            "民警联合社区网格员耐心细致地做好双方工作，协调物业现场维修，纠纷得到妥善化解，"
            "双方对民警的工作表示感谢。",
            "近期，{u}在走访中共排查化解矛盾纠纷{k2}起。",
        ),
    ),
    (
        BulletinKind.NEWS,
        ("{u}开展节前安全隐患大排查", "{u}走访排查辖区安全隐患"),
        (
            "为确保节日期间辖区安全稳定，{month}月{day}日起，{u}组织民警对辖区{place}片区的"
            "商场、宾馆、网吧、出租屋等场所开展安全隐患排查。",
            "民警逐一检查消防设施、安全通道和内部安全管理制度落实情况，对发现的问题当场督促整改。",
            "此次共检查场所{n}家，排查安全隐患{m}处，已整改{k}处。",
        ),
    ),
    (
        BulletinKind.NEWS,
        ("{u}民警走访中帮助群众找回走失老人", "{u}民警暖心帮助走失老人回家"),
        (
            "{month}月{day}日，{u}民警在{place}社区走访时，发现一名老人在路边徘徊，神情焦急。",
            "民警上前询问得知老人记忆力不好，找不到回家的路，随即通过走访台账和社区网格员"
            "联系到老人家属，将老人安全送回家中。",
            "老人家属对民警表示衷心感谢。",
        ),
    ),
)


def _name(unit: Unit) -> str:
    """How a bulletin names its unit: 东湖城关派出所, 东湖分局, 市局治安支队."""
    if unit.kind == UnitKind.COUNTY_BUREAU:
        return f"{unit.short_name}分局" if unit.name.endswith("分局") else unit.name
    if unit.kind in (UnitKind.POLICE_BRANCH, UnitKind.AGENCY_DEPT):
        return f"市局{unit.short_name or unit.name}"
    return unit.name


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, rng.randrange(8, 19), rng.randrange(60), tzinfo=TZ
    )


def _text(rng: random.Random, unit: Unit, event: datetime.date) -> tuple[str, str, str]:
    kind, titles, paragraphs = rng.choice(TOPICS)
    values: dict[str, Any] = {
        "u": _name(unit),
        "month": event.month,
        "day": event.day,
        "company": rng.choice(COMPANIES),
        "place": rng.choice(PLACES),
        "topic": rng.choice(MEETING_TOPICS),
        "n": rng.randrange(5, 60),
        "m": rng.randrange(3, 300),
        "k": rng.randrange(2, 20),
        "k2": rng.randrange(1, 15),
        "big": rng.randrange(300, 5000),
        "money": rng.randrange(2, 40) * 500,
        "issue": rng.randrange(1, 20),
    }
    title = rng.choice(titles).format(**values)
    kept = [p for index, p in enumerate(paragraphs) if index == 0 or rng.random() < 0.9]
    body = "\n".join(p.format(**values) for p in kept)
    return kind, title, body


def build_demo_bulletins(*, rng: random.Random, campaign: Campaign, admin_user: Actor) -> int:
    """Write the demo city's bulletins for 2022; returns how many."""
    units = list(Unit.objects.active().order_by("path"))
    # The unit's visitation lead writes; the first account of each unit wins (lowest badge).
    authors = {
        officer.unit_id: officer.user
        for officer in Officer.objects.filter(role=Role.UNIT_ADMIN)
        .select_related("user")
        .order_by("-badge_no")
    }
    span = (LAST_DAY - FIRST_DAY).days - 3
    views: list[BulletinView] = []
    created = 0
    for unit in units:
        author = authors.get(unit.pk)
        if unit.code in ZERO_RESULT_UNITS or author is None:
            continue
        for _ in range(rng.choice(PER_KIND.get(UnitKind(unit.kind), (0,)))):
            submitted_day = FIRST_DAY + datetime.timedelta(days=rng.randrange(span))
            event = submitted_day - datetime.timedelta(days=rng.randrange(0, 3))
            kind, title, body = _text(rng, unit, max(event, FIRST_DAY))
            outcome = rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0]
            bulletin = bulletin_create(
                actor=author,
                campaign=campaign,
                unit=unit,
                kind=kind,
                title=title,
                body=body,
                submit=outcome != BulletinStatus.DRAFT,
            )
            if outcome in (BulletinStatus.ADOPTED, BulletinStatus.RETURNED):
                bulletin = bulletin_transition(
                    actor=admin_user,
                    bulletin_id=bulletin.pk,
                    action="adopt" if outcome == BulletinStatus.ADOPTED else "return",
                    comment=rng.choice(RETURN_COMMENTS)
                    if outcome == BulletinStatus.RETURNED
                    else "",
                )
            views += _date_back(rng, bulletin, submitted_day)
            created += 1
    BulletinView.objects.bulk_create(views, batch_size=1000)
    for bulletin_id, total in _totals(views).items():
        Bulletin.objects.filter(pk=bulletin_id).update(views=total)
    return created


def _date_back(
    rng: random.Random, bulletin: Bulletin, submitted_day: datetime.date
) -> list[BulletinView]:
    """Set the bulletin's times in 2022; for an adopted one, the reads of the weeks after."""
    submitted = _moment(submitted_day, rng)
    written = submitted - datetime.timedelta(hours=rng.randrange(1, 48))
    reviewed_day = min(submitted_day + datetime.timedelta(days=rng.randrange(0, 4)), LAST_DAY)
    reviewed = max(_moment(reviewed_day, rng), submitted + datetime.timedelta(minutes=30))
    reviewed = min(reviewed, datetime.datetime(YEAR, 12, 31, 23, 0, tzinfo=TZ))
    fields: dict[str, Any] = {"created_at": max(written, _moment(FIRST_DAY, rng))}
    if bulletin.status != BulletinStatus.DRAFT:
        fields["submitted_at"] = submitted
    if bulletin.status in (BulletinStatus.ADOPTED, BulletinStatus.RETURNED):
        fields["reviewed_at"] = reviewed
    if bulletin.status == BulletinStatus.ADOPTED:
        fields["published_at"] = reviewed
    fields["updated_at"] = max(fields.values())
    Bulletin.objects.filter(pk=bulletin.pk).update(**fields)
    if bulletin.status != BulletinStatus.ADOPTED:
        return []
    # Most bulletins are read a little; a few much more (a long tail).
    popularity = rng.paretovariate(1.6)
    rows = []
    for offset in range(rng.randrange(5, 40)):
        day = reviewed_day + datetime.timedelta(days=offset)
        if day > LAST_DAY:
            break
        count = int(popularity * rng.randrange(1, 12) / (1 + offset / 4))
        if count:
            rows.append(BulletinView(bulletin=bulletin, day=day, count=count))
    return rows


def _totals(views: list[BulletinView]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for row in views:
        totals[row.bulletin_id] = totals.get(row.bulletin_id, 0) + row.count
    return totals
