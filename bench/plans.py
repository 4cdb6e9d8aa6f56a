"""Copied unit plans (照搬照抄): every related pair among N generated plans, and one new plan.

    python -m bench.plans --plans 2000 --json

Generates N campaign plans of about 3,000 characters (seeded, so every run is the same): city
plans, unit plans written independently, near-copies of a city plan or of another unit's plan
(names and scope words swapped, a few sentences changed, added or removed, layout changed) and
partial reuses (about half the sentences taken over). Plans descending from the same plan form a
family; the ground truth is every same-family pair whose exact similarity (`exhaustive_pairs`
within each family) is 0.8 or more in either direction, and a sample of cross-family pairs is
checked to be unrelated (`unrelated_sample_max_similarity`). `PlanIndex` then finds all pairs
from the raw texts; `recall_partial` is the same for same-family pairs from 0.3 to 0.8.

Figures: `seconds_all_pairs` (normalising every plan, indexing, finding all pairs of similarity
≥ 0.3 and exactly checking them), precision and recall of the pairs ≥ 0.8 against the ground
truth, `query_ms` (median of normalising one new plan and querying the corpus with it).
`ratios.vs_exhaustive` is the time of the exact check of every pair of a subset of plans divided
by `PlanIndex`'s time on the same subset (both from normalised texts).
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import emit, parser, peak_rss_mb, stopwatch
from zoufang.campaigns.comparison import (
    COPIED_AT,
    PARTIAL_AT,
    Normalized,
    PlanIndex,
    exhaustive_pairs,
    normalize,
    similarity,
)

# --------------------------------------------------------------------------------------------
# Units and their names
# --------------------------------------------------------------------------------------------

_FIRST = "江临东西南青白金龙凤玉清永兴华长宁海河桥湾松柏梅兰竹石岩峰泉溪云霞丰盛鹤鹿"
_SECOND = "州川湖山阳水口林原坪冈岭浦塘田坝沟滩洲城庄峪台亭堡"
_STATION_EXTRA = ("火车站", "汽车站", "机场路", "人民路", "解放路", "中山路")


@dataclass(frozen=True)
class Unit:
    """Who writes a plan: its full name, how it calls itself, its area and its places."""

    kind: str  # city, county, branch, station
    full: str
    short: str  # 市局, 县局, 分局, 本所
    scope: str  # 全市, 全县, 全区, 辖区
    place: str
    villages: tuple[str, ...]
    level: str  # 市级, 县级, 区级, 所级


def _stem(rng: random.Random, known: set[str]) -> str:
    """A two-character place name the generic name patterns recognise (names may repeat);
    `known` remembers the stems already checked."""
    while True:
        stem = rng.choice(_FIRST) + rng.choice(_SECOND)
        if stem in known or normalize(f"{stem}县公安局").text == "\ue000":
            known.add(stem)
            return stem


def _villages(rng: random.Random, known: set[str]) -> tuple[str, ...]:
    return tuple(_stem(rng, known) + rng.choice(("村", "社区", "村", "街道")) for _ in range(4))


def make_unit(rng: random.Random, kind: str, city: str, known: set[str]) -> Unit:
    """A unit of `kind` in the city with the stem `city`."""
    if kind == "city":
        return Unit(
            kind, f"{city}市公安局", "市局", "全市", f"{city}市", _villages(rng, known), "市级"
        )
    stem = _stem(rng, known)
    if kind == "county":
        full = f"{stem}县公安局"
        return Unit(kind, full, "县局", "全县", f"{stem}县", _villages(rng, known), "县级")
    if kind == "branch":
        full = f"{city}市公安局{stem}分局"
        return Unit(kind, full, "分局", "全区", f"{stem}区", _villages(rng, known), "区级")
    name = rng.choice(_STATION_EXTRA) if rng.random() < 0.15 else stem
    return Unit(kind, f"{name}派出所", "本所", "辖区", f"{stem}镇", _villages(rng, known), "所级")


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_CAMPAIGNS = _words(
    "大走访 百万警进千万家 开门评警 枫桥式派出所创建 夏季治安打击整治 平安守护 民生警务 "
    "万名民警进万家 警民同心 护航民生 亮剑 清风 暖警惠民 平安家园"
)
_TIMES = _words(
    "每周 每月 每季度 每半月 节假日期间 活动期间 汛期前后 重大活动前 每月上旬 每周五 "
    "农忙时节 春节前后 开学前后 夜间 周末 每日"
)
_VISIT_VERBS = _words("走访 上门走访 逐户走访 登门拜访 定期回访 主动联系 分片走访 集中走访 约见")
_VISIT_OBJECTS = _words(
    "辖区群众 辖区企业 重点人员 困难群众 矛盾纠纷当事人 中小学校 幼儿园 金融网点 寄递物流企业 "
    "出租房屋业主 流动人口 刑满释放人员 社区矫正对象 精神障碍患者监护人 留守老人 留守儿童 "
    "人大代表 政协委员 村居干部 治安积极分子 个体工商户 建筑工地负责人 旅馆业主 网吧业主 "
    "退役军人 快递外卖骑手 物业公司 沿街商户 重点单位 养老机构 医疗机构 农贸市场经营户 "
    "危化品企业 娱乐场所 外来务工人员 信访群众 独居老人 返乡人员 网约车司机"
)
_ACT_VERBS = _words("听取 收集 排查 化解 宣传 解决 掌握 核查 登记 梳理 回应 了解 摸排 整治")
_ACT_OBJECTS = _words(
    "意见建议 社情民意 矛盾纠纷 安全隐患 防范知识 急难愁盼问题 治安动态 实有人口底数 群众诉求 "
    "涉稳线索 消防隐患 交通安全隐患 反诈知识 法律法规 民生难题 信访积案 重点人员动态 "
    "出租房屋底数 群众关切 治安乱点 邻里纠纷 婚恋家庭纠纷 劳资纠纷 黄赌毒线索"
)
_CONNECTORS = _words("并 同时 进一步 切实 努力 着力 全力 坚持 注重 及时 认真 主动 扎实")
_GOALS = _words(
    "提升群众安全感和满意度 夯实基层基础工作 推动警务工作提质增效 密切警民关系 "
    "提高见警率和管事率 增强群众防范意识 维护辖区社会稳定 筑牢平安建设根基 "
    "打通服务群众最后一公里 促进警务工作转型升级 提升基层治理水平 把矛盾化解在萌芽状态 "
    "守护群众安居乐业 树立公安机关良好形象 擦亮平安底色 推动平安建设走深走实 "
    "实现小事不出村大事不出镇 让群众看得见警察找得到警察"
)
_METHODS = _words(
    "采取入户走访和电话回访相结合的方式 通过开门评警和警民恳谈会 结合一村一辅警建设 "
    "依托智慧警务平台 利用微信群和警民联系卡 以民警加网格员的模式 按照地毯式排查的要求 "
    "采取白天走访与夜间回访相结合的办法 运用大数据研判手段 借助综治网格力量 实行包村包片责任制 "
    "采用线上线下相结合的方式 坚持问题导向和目标导向 发挥警务助理作用 联合司法所和综治中心 "
    "组织党员民警带头 依靠群防群治队伍 发动平安志愿者 借力乡贤和调解员 开设流动警务室"
)
_RESULTS = _words(
    "做到底数清情况明 确保件件有着落事事有回音 形成工作闭环 实现矛盾不上交 做到发现在早处置在小 "
    "确保不漏一户不漏一人 做到有登记有反馈有评价 推动问题及时解决 实现走访全覆盖 确保取得实效 "
    "确保群众满意 做到立行立改 实现动态清零 形成长效机制"
)
_HANDLING = _words(
    "建立台账逐一销号 第一时间移交相关部门 落实专人跟踪督办 限期整改到位 及时研判处置 依法妥善处理 "
    "会同有关部门联合化解 纳入绩效考评 实行挂牌督办 开展回头看"
)
_DAYS = _words("三个工作日 五个工作日 七日 十日 一个月 两周 半个月 二十日")
_REQUIREMENTS = _words(
    "高度重视精心组织 加强协调密切配合 严明纪律转变作风 注重宣传营造氛围 强化督导严格考核 "
    "及时总结建章立制 统筹兼顾务求实效 落实责任压实担子 改进作风密切联系群众 坚持标准注重质量"
)
_LEADERS = _words("主要负责同志 分管负责同志 政委 党委副书记 常务副局长 教导员 所长 副所长 指导员")
_DEPARTMENTS = _words("指挥中心 治安管理大队 政治处 警务保障室 办公室 法制大队 社区警务队 综合室")
_GRIPS = _words("重要抓手 有力举措 关键一招 重要载体 突破口 切入点")
_STAGES = _words("动员部署 宣传发动 集中走访 排查整改 巩固提升 总结验收 督导检查")
_MONTHS = tuple(f"{m}月" for m in range(1, 13))
_GUIDING = (
    "坚持以习近平新时代中国特色社会主义思想为指导",
    "全面贯彻党的二十大精神",
    "深入践行以人民为中心的发展思想",
    "坚持和发展新时代枫桥经验",
    "认真落实公安部和省厅关于群众工作的部署要求",
)
_HEADINGS = ("指导思想", "工作目标", "组织领导", "主要任务", "实施步骤", "工作要求")


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return rng.choice(options)


def _visit(rng: random.Random) -> str:
    when = _pick(rng, _TIMES) if rng.random() < 0.5 else ""
    return f"{when}{_pick(rng, _VISIT_VERBS)}{_pick(rng, _VISIT_OBJECTS)}"


def _act(rng: random.Random) -> str:
    connector = _pick(rng, _CONNECTORS) if rng.random() < 0.6 else ""
    return f"{connector}{_pick(rng, _ACT_VERBS)}{_pick(rng, _ACT_OBJECTS)}"


def _clauses(rng: random.Random, count: int) -> str:
    makers = (
        _visit,
        _act,
        _act,
        lambda r: _pick(r, _GOALS),
        lambda r: _pick(r, _METHODS),
        lambda r: _pick(r, _RESULTS),
    )
    return "，".join(rng.choice(makers)(rng) for _ in range(count))


def _sentence(rng: random.Random, section: str) -> str:
    """One sentence with name slots: {U} unit, {S} self, {A} scope, {P} place, {V} village,
    {L} level."""
    c, g, m, r = (_pick(rng, x) for x in (_CAMPAIGNS, _GOALS, _METHODS, _RESULTS))
    more = _clauses(rng, rng.randint(1, 3))
    n = rng.randint(85, 100)
    templates: dict[str, tuple[str, ...]] = {
        "指导思想": (
            f"{_pick(rng, _GUIDING)}，{_pick(rng, _GUIDING)}，以{c}为载体，{more}。",
            f"紧紧围绕{g}的目标，{m}，{more}，为{{P}}经济社会发展保驾护航。",
            f"{{A}}公安机关要把{c}作为{g}的{_pick(rng, _GRIPS)}，{more}。",
        ),
        "工作目标": (
            f"通过{c}，{{A}}民警{_visit(rng)}率达到百分之{n}以上，{more}。",
            f"力争用{_pick(rng, _DAYS)}时间，{more}，{r}。",
            f"到{_pick(rng, _MONTHS)}底，{{V}}等重点区域{_visit(rng)}全覆盖，{more}。",
            f"{_act(rng)}工作取得明显成效，{more}。",
        ),
        "组织领导": (
            f"{{S}}成立{c}领导小组，由{_pick(rng, _LEADERS)}任组长，"
            f"{{L}}{_pick(rng, _LEADERS)}任副组长，{more}。",
            f"领导小组下设办公室，设在{{U}}{_pick(rng, _DEPARTMENTS)}，负责{_act(rng)}等工作，"
            f"{more}。",
            f"各警种各部门按照职责分工，{m}，{more}。",
        ),
        "主要任务": (
            f"{{A}}各派出所要{_visit(rng)}，{m}，{more}。",
            f"{{S}}将{_visit(rng)}作为{c}的{_pick(rng, _GRIPS)}，{more}。",
            f"要把{_visit(rng)}与{_visit(rng)}结合起来，{more}，{r}。",
            f"对{_visit(rng)}中发现的问题，要{_pick(rng, _HANDLING)}，{_pick(rng, _DAYS)}内{r}。",
            f"在{{V}}开展{c}主题宣传，{more}。",
            f"{{U}}要建立{_pick(rng, _ACT_OBJECTS)}工作台账，{more}，{_pick(rng, _HANDLING)}。",
            f"结合{{P}}实际，{m}，{more}。",
            f"民警{_visit(rng)}时要主动亮明身份，{more}，{r}。",
            f"{_clauses(rng, rng.randint(3, 5))}。",
        ),
        "实施步骤": (
            f"{_pick(rng, _MONTHS)}为{_pick(rng, _STAGES)}阶段，{{S}}{more}。",
            f"{_pick(rng, _MONTHS)}至{_pick(rng, _MONTHS)}为{_pick(rng, _STAGES)}阶段，"
            f"{{A}}民警{_visit(rng)}，{more}。",
            f"{_pick(rng, _STAGES)}阶段要{_pick(rng, _HANDLING)}，{more}。",
        ),
        "工作要求": (
            f"要{_pick(rng, _REQUIREMENTS)}，{{L}}领导带头{_visit(rng)}，{more}。",
            f"{{S}}将把{c}开展情况纳入年度考核，{_pick(rng, _HANDLING)}，{more}。",
            f"各单位要{_pick(rng, _TIMES)}报送工作进展，{more}。",
            f"严禁走过场搞形式，对工作不力的，{_pick(rng, _HANDLING)}，{more}。",
        ),
    }
    return rng.choice(templates[section])


@dataclass
class Skeleton:
    """A plan before names are filled in: a campaign and sentences per heading."""

    campaign: str
    sections: list[tuple[str, list[str]]]


def new_skeleton(rng: random.Random, *, target: int = 3000) -> Skeleton:
    """An independently written plan of about `target` characters."""
    sections: list[tuple[str, list[str]]] = [(h, []) for h in _HEADINGS]
    weights = (1, 1, 1, 5, 2, 2)
    length = 0
    while length < target * 0.9:  # names and headings add the rest
        (_, sentences) = rng.choices(sections, weights=weights)[0]
        heading = next(h for h, s in sections if s is sentences)
        sentence = _sentence(rng, heading)
        sentences.append(sentence)
        length += len(sentence)
    return Skeleton(campaign=rng.choice(_CAMPAIGNS), sections=sections)


def copy_skeleton(rng: random.Random, source: Skeleton, *, edits: float) -> Skeleton:
    """A near-copy: each sentence changed, removed or followed by a new one with `edits` odds."""
    sections = []
    for heading, sentences in source.sections:
        copied: list[str] = []
        for sentence in sentences:
            roll = rng.random()
            if roll < edits / 3:
                copied.append(_sentence(rng, heading))  # rewritten
            elif roll < 2 * edits / 3:
                continue  # removed
            else:
                copied.append(sentence)
                if roll > 1 - edits / 3:
                    copied.append(_sentence(rng, heading))  # added
        sections.append((heading, copied))
    return Skeleton(campaign=source.campaign, sections=sections)


def partial_skeleton(rng: random.Random, source: Skeleton, *, share: float) -> Skeleton:
    """A partial reuse: runs of two to five sentences, `share` of them in all, taken over; the
    other sentences written anew."""
    places = [
        (number, i)
        for number, (_, sentences) in enumerate(source.sections)
        for i in range(len(sentences))
    ]
    runs: list[list[tuple[int, int]]] = []
    at = 0
    while at < len(places):
        length = rng.randint(2, 5)
        runs.append(places[at : at + length])
        at += length
    rng.shuffle(runs)
    taken: set[tuple[int, int]] = set()
    for run in runs:
        if len(taken) >= share * len(places):
            break
        taken.update(run)
    sections = []
    for number, (heading, sentences) in enumerate(source.sections):
        sections.append(
            (
                heading,
                [
                    sentence if (number, i) in taken else _sentence(rng, heading)
                    for i, sentence in enumerate(sentences)
                ],
            )
        )
    return Skeleton(campaign=source.campaign, sections=sections)


_NUMERALS = "一二三四五六七八九十"


def render(rng: random.Random, skeleton: Skeleton, unit: Unit) -> str:
    """The plan's text as the unit would write it, in a randomly chosen layout."""
    ascii_punctuation = rng.random() < 0.2
    numbered = rng.choice(("chinese", "arabic", "none"))
    lines = [f"{unit.full}关于开展“{skeleton.campaign}”活动的工作方案", ""]
    lines.append(
        f"为深入推进{skeleton.campaign}活动，根据上级部署，结合{unit.place}实际，"
        f"{unit.short}决定在{unit.scope}范围内开展{skeleton.campaign}活动，现制定方案如下。"
    )
    for number, (heading, sentences) in enumerate(skeleton.sections):
        if not sentences:
            continue
        if numbered == "chinese":
            lines.append(f"{_NUMERALS[number]}、{heading}")
        elif numbered == "arabic":
            lines.append(f"{number + 1}. {heading}")
        else:
            lines.append(heading)
        paragraph: list[str] = []
        for sentence in sentences:
            paragraph.append(
                sentence.format(
                    U=unit.full,
                    S=unit.short,
                    A=unit.scope,
                    P=unit.place,
                    V=rng.choice(unit.villages),
                    L=unit.level,
                )
            )
            if len(paragraph) >= rng.randint(2, 5):
                lines.append("    " + "".join(paragraph))
                paragraph = []
        if paragraph:
            lines.append("    " + "".join(paragraph))
    text = (
        "\n".join(lines) + f"\n\n{unit.full}\n2024年{rng.randint(1, 12)}月{rng.randint(1, 28)}日\n"
    )
    if ascii_punctuation:
        text = text.replace("，", ", ").replace("。", ". ").replace("、", ",")
    return text


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Generated plans, the family each descends from and how each was made."""

    texts: list[str] = field(default_factory=list)
    family: list[int] = field(default_factory=list)
    how: list[str] = field(default_factory=list)
    skeletons: list[Skeleton] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    source: list[int | None] = field(default_factory=list)


def generate(count: int, *, seed: int = 20240601) -> Corpus:
    """`count` plans: about one city plan in 25, then unit plans that are original (55 %),
    near-copies (30 %) or partial reuses (15 %) of a city plan or an earlier unit plan."""
    rng = random.Random(seed)
    known: set[str] = set()
    corpus = Corpus()
    cities: list[tuple[str, Unit, int]] = []  # city stem, city unit, index of its plan
    kinds = ("county", "branch", "station", "station")
    while len(corpus.texts) < count:
        if not cities or rng.random() < 1 / 25:
            stem = _stem(rng, known)
            unit = make_unit(rng, "city", stem, known)
            skeleton = new_skeleton(rng)
            cities.append((stem, unit, len(corpus.texts)))
            _append(corpus, rng, skeleton, unit, len(corpus.texts), "city", None)
            continue
        stem, _city_unit, city_index = rng.choice(cities)
        unit = make_unit(rng, rng.choice(kinds), stem, known)
        roll = rng.random()
        source = city_index if rng.random() < 0.65 else rng.randrange(len(corpus.texts))
        if roll < 0.55:
            _append(corpus, rng, new_skeleton(rng), unit, len(corpus.texts), "original", None)
        elif roll < 0.85:
            edits = rng.uniform(0.02, 0.10)
            skeleton = copy_skeleton(rng, corpus.skeletons[source], edits=edits)
            _append(corpus, rng, skeleton, unit, corpus.family[source], "copy", source)
        else:
            skeleton = partial_skeleton(rng, corpus.skeletons[source], share=rng.uniform(0.4, 0.6))
            _append(corpus, rng, skeleton, unit, corpus.family[source], "partial", source)
    return corpus


def _append(
    corpus: Corpus,
    rng: random.Random,
    skeleton: Skeleton,
    unit: Unit,
    family: int,
    how: str,
    source: int | None,
) -> None:
    corpus.texts.append(render(rng, skeleton, unit))
    corpus.family.append(family)
    corpus.how.append(how)
    corpus.skeletons.append(skeleton)
    corpus.units.append(unit)
    corpus.source.append(source)


def _ground_truth(
    corpus: Corpus, plans: list[Normalized]
) -> tuple[dict[tuple[int, int], float], float]:
    """Exact similarity (larger direction) of every same-family pair, and the largest one
    among a sample of cross-family pairs."""
    members: dict[int, list[int]] = {}
    for index, family in enumerate(corpus.family):
        members.setdefault(family, []).append(index)
    truth: dict[tuple[int, int], float] = {}
    for group in members.values():
        for pair in exhaustive_pairs(items=[(i, plans[i]) for i in group], threshold=0.0):
            truth[(min(pair.a, pair.b), max(pair.a, pair.b))] = pair.similarity
    rng = random.Random(7)
    worst = 0.0
    for _ in range(1000):
        a, b = rng.sample(range(len(plans)), 2)
        if corpus.family[a] != corpus.family[b]:
            worst = max(
                worst,
                similarity(base=plans[a], other=plans[b]),
                similarity(base=plans[b], other=plans[a]),
            )
    return truth, worst


def _spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "min": round(ordered[0], 3),
        "p05": round(ordered[len(ordered) // 20], 3),
        "median": round(statistics.median(ordered), 3),
        "max": round(ordered[-1], 3),
    }


def main() -> None:
    """Run the benchmark."""
    p = parser(__doc__.splitlines()[0] if __doc__ else "plans")
    p.add_argument("--plans", type=int, default=2000, help="how many plans (default 2000)")
    p.add_argument("--queries", type=int, default=50, help="how many new plans to query")
    p.add_argument("--subset", type=int, default=250, help="plans compared exhaustively")
    args = p.parse_args()

    corpus = generate(args.plans)
    texts = corpus.texts
    normalize("warm-up 江州市公安局")  # the character table is built once per process

    with stopwatch() as total:
        with stopwatch() as normalising:
            plans = [normalize(text) for text in texts]
        with stopwatch() as indexing:
            index: PlanIndex[int] = PlanIndex(items=enumerate(plans))
        with stopwatch() as pairing:
            related = index.pairs(threshold=PARTIAL_AT)
    rss_after_pairs = peak_rss_mb()

    found = {(min(x.a, x.b), max(x.a, x.b)) for x in related if x.similarity >= COPIED_AT}
    found_partial = {(min(x.a, x.b), max(x.a, x.b)) for x in related if x.similarity < COPIED_AT}
    truth_scores, unrelated_max = _ground_truth(corpus, plans)
    truth = {pair for pair, score in truth_scores.items() if score >= COPIED_AT}
    truth_partial = {
        pair for pair, score in truth_scores.items() if PARTIAL_AT <= score < COPIED_AT
    }
    hits = len(found & truth)
    # The planted pairs themselves (a plan and the plan it was made from), exactly.
    planted: dict[str, list[float]] = {"copy": [], "partial": []}
    for made, source in enumerate(corpus.source):
        if source is not None:
            planted[corpus.how[made]].append(truth_scores[(min(made, source), max(made, source))])

    # New plans, not in the corpus: near-copies, partial reuses and originals.
    rng = random.Random(99)
    known = {u.place[:2] for u in corpus.units}
    queries: list[str] = []
    for number in range(args.queries):
        source = rng.randrange(len(texts))
        unit = make_unit(rng, "county", corpus.units[source].place[:2], known)
        if number % 3 == 0:
            skeleton = copy_skeleton(rng, corpus.skeletons[source], edits=0.05)
        elif number % 3 == 1:
            skeleton = partial_skeleton(rng, corpus.skeletons[source], share=0.5)
        else:
            skeleton = new_skeleton(rng)
        queries.append(render(rng, skeleton, unit))
    samples: list[float] = []
    answered = 0
    for number, text in enumerate(queries):
        started = time.perf_counter()
        result = index.query(normalize(text))
        samples.append((time.perf_counter() - started) * 1000)
        answered += number % 3 == 0 and any(hit.similarity >= COPIED_AT for hit in result)

    subset = plans[: args.subset]
    with stopwatch() as exhaustive_time:
        exhaustive = {
            (min(x.a, x.b), max(x.a, x.b))
            for x in exhaustive_pairs(items=enumerate(subset), threshold=PARTIAL_AT)
        }
    with stopwatch() as indexed_time:
        small: PlanIndex[int] = PlanIndex(items=enumerate(subset))
        indexed = {(min(x.a, x.b), max(x.a, x.b)) for x in small.pairs(threshold=PARTIAL_AT)}

    counts = {how: corpus.how.count(how) for how in ("city", "original", "copy", "partial")}
    figures: dict[str, Any] = {
        "plans": len(texts),
        "mean_chars": round(statistics.mean(len(t) for t in texts)),
        "made": counts,
        "planted_copy_similarity": _spread(planted["copy"]),
        "planted_partial_similarity": _spread(planted["partial"]),
        "planted_pairs": len(truth),
        "planted_partial_pairs": len(truth_partial),
        "found_pairs": len(found),
        "found_partial_pairs": len(found_partial),
        "seconds_all_pairs": round(total["seconds"], 3),
        "seconds_normalise": round(normalising["seconds"], 3),
        "seconds_index": round(indexing["seconds"], 3),
        "seconds_pairs": round(pairing["seconds"], 3),
        "precision": round(hits / len(found), 4) if found else 1.0,
        "recall": round(hits / len(truth), 4) if truth else 1.0,
        "recall_partial": (
            round(len(found_partial & truth_partial) / len(truth_partial), 4)
            if truth_partial
            else 1.0
        ),
        "unrelated_sample_max_similarity": round(unrelated_max, 4),
        "query_ms": round(statistics.median(samples), 2),
        "query_ms_max": round(max(samples), 2),
        "query_copies_found": f"{answered}/{len(range(0, args.queries, 3))}",
        "subset_plans": len(subset),
        "subset_seconds_exhaustive": round(exhaustive_time["seconds"], 3),
        "subset_seconds_index": round(indexed_time["seconds"], 3),
        "subset_pairs_exhaustive": len(exhaustive),
        "subset_pairs_index": len(indexed & exhaustive),
        "peak_rss_mb_after_pairs": round(rss_after_pairs, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    ratios = {
        "vs_exhaustive": round(exhaustive_time["seconds"] / indexed_time["seconds"], 1),
    }
    emit("plans", figures, ratios, as_json=args.json)


if __name__ == "__main__":
    main()
