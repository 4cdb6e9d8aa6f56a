"""Catching plans copied from the city plan: normalisation, exact comparison, the corpus index."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zoufang.campaigns.comparison import (
    COPIED_AT,
    MIN_LEN,
    PARTIAL_AT,
    PLACEHOLDER,
    Comparison,
    Normalized,
    Pair,
    PlanIndex,
    Verdict,
    compare,
    exhaustive_pairs,
    normalize,
    similarity,
    verdict_for,
)
from zoufang.core.documents import read_text

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def normalized_chars(plan: Normalized, start: int, end: int) -> str:
    """The normalised characters that came from the original span [start, end)."""
    return "".join(
        char
        for char, offset in zip(plan.text, plan.offsets.tolist(), strict=True)
        if start <= offset < end
    )


def brute_similarity(base: str, other: str, min_len: int = MIN_LEN) -> float:
    """The contract, literally: the share of `other` covered by its windows found in `base`."""
    if len(other) < min_len:
        return 0.0
    windows = {base[i : i + min_len] for i in range(len(base) - min_len + 1)}
    covered: set[int] = set()
    for i in range(len(other) - min_len + 1):
        if other[i : i + min_len] in windows:
            covered.update(range(i, i + min_len))
    return len(covered) / len(other)


# ------------------------------------------------------------------------------------------
# Normalisation
# ------------------------------------------------------------------------------------------


class TestNormalize:
    @pytest.mark.parametrize(
        "name",
        [
            "江州市公安局",
            "临川县公安局",
            "东湖分局",
            "城关派出所",
            "江州市公安局东湖分局",
            "临川县公安局城关派出所",
            "东湖区城关街道阳光社区",
            "红星村",
            "城关镇",
            "江州市",
            "市局",
            "县局",
            "分局",
            "我局",
            "本局",
            "全局",
            "各县局",
            "各分局",
            "全市",
            "全县",
            "本所",
            "市级",
            "县委",
            "省公安厅",
            "各县（市、区）公安局",
            "市局、县局",  # names separated only by punctuation: one placeholder
        ],
    )
    def test_generic_names_become_one_placeholder(self, name: str) -> None:
        plan = normalize(f"由{name}负责")
        assert plan.text == f"由{PLACEHOLDER}负责"

    @pytest.mark.parametrize(
        "phrase",
        [
            "加强农贸市场管理",
            "维护市场秩序",
            "区别对待不同情况",
            "有所区别",
            "深入开展社区警务工作",
            "走访辖区群众",
            "城乡社区治理",
            "农村地区",
            "民警进社区",
            "民警要进村入户",
            "超市和商场",
            "上市公司",
            "区域警务协作",
            "属地派出所",
            "辖区派出所",
            "平安社区创建",
            "枫桥式派出所",
            "实行包村包片责任制",
            "联合社区网格员",
            "国道和省道",
            "下辖三个行政村",
            "局面总体稳定",
            "服务大局",
        ],
    )
    def test_ordinary_words_are_kept(self, phrase: str) -> None:
        assert normalize(phrase).text == phrase

    def test_long_names_keep_their_first_characters(self) -> None:
        # A documented trade-off: a generic stem is two characters.
        assert normalize("乌鲁木齐市").text == f"乌鲁{PLACEHOLDER}"

    def test_supplied_names_longest_first(self) -> None:
        text = "红旗岭治安卡点和红旗岭共同负责"
        plan = normalize(text, names=["红旗岭", "红旗岭治安卡点", " ", ""])
        assert plan.text == f"{PLACEHOLDER}和{PLACEHOLDER}共同负责"
        assert plan.original_span(start=0, end=1) == (0, len("红旗岭治安卡点"))

    def test_only_supplied_names(self) -> None:
        text = "江州市公安局东湖分局"
        assert normalize(text, generic_names=False).text == text
        plan = normalize(text, names=["东湖分局"], generic_names=False)
        assert plan.text == f"江州市公安局{PLACEHOLDER}"

    def test_supplied_names_are_folded_like_the_text(self) -> None:
        assert normalize("ＡＢ派出所警务室", names=["AB派出所警务室"]).text == PLACEHOLDER

    def test_white_space_punctuation_and_symbols_dropped(self) -> None:
        text = " 一、工作目标：\n\t（１）提高“见警率”！★ 100%…… Ａｂｃ\u3000\u200b。"
        assert normalize(text).text == "一工作目标1提高见警率100abc"

    def test_offsets_point_into_the_original(self) -> None:
        text = "第一，江州市公安局 要求：全面走访。"
        plan = normalize(text)
        assert plan.text == f"第一{PLACEHOLDER}要求全面走访"
        assert [text[s:e] for s, e in zip(plan.offsets, plan.ends, strict=True)] == [
            "第",
            "一",
            "江州市公安局",
            "要",
            "求",
            "全",
            "面",
            "走",
            "访",
        ]
        assert plan.original_span(start=1, end=5) == (1, text.index("求") + 1)
        assert plan.original_span(start=3, end=3) == (text.index("要"), text.index("要"))

    def test_empty(self) -> None:
        plan = normalize("")
        assert plan.text == "" and len(plan) == 0 and len(plan.offsets) == 0
        assert normalize(" \n，。").text == ""

    def test_characters_beyond_the_bmp(self) -> None:
        text = "𠀀字，🚓警车"
        plan = normalize(text)
        assert plan.text == "𠀀字警车"  # the emoji is a symbol
        assert text[plan.offsets[2] : plan.ends[2]] == "警"


# ------------------------------------------------------------------------------------------
# Exact comparison
# ------------------------------------------------------------------------------------------


class TestVerdict:
    @pytest.mark.parametrize(
        ("value", "verdict"),
        [
            (1.0, Verdict.COPIED),
            (COPIED_AT, Verdict.COPIED),
            (0.7999, Verdict.PARTIAL),
            (PARTIAL_AT, Verdict.PARTIAL),
            (0.2999, Verdict.ORIGINAL),
            (0.0, Verdict.ORIGINAL),
        ],
    )
    def test_thresholds(self, value: float, verdict: Verdict) -> None:
        assert verdict_for(similarity=value) is verdict

    def test_constants(self) -> None:
        assert (MIN_LEN, COPIED_AT, PARTIAL_AT) == (15, 0.8, 0.3)
        assert Verdict.COPIED == "copied"


class TestFixturePlans:
    city = fixture("city_plan")

    def test_county_copy_is_copied(self) -> None:
        county = fixture("county_plan")
        result = compare(base=normalize(self.city), other=normalize(county))
        assert result.verdict is Verdict.COPIED
        assert result.similarity > 0.9
        # Both ways: the city plan is almost all in the county's too.
        back = compare(base=normalize(county), other=normalize(self.city))
        assert back.verdict is Verdict.COPIED

    def test_partial_reuse_is_partial(self) -> None:
        result = compare(base=normalize(self.city), other=normalize(fixture("partial_plan")))
        assert result.verdict is Verdict.PARTIAL
        assert 0.35 < result.similarity < 0.5
        assert len(result.passages) == 3

    def test_original_is_original(self) -> None:
        result = compare(base=normalize(self.city), other=normalize(fixture("original_plan")))
        assert result.verdict is Verdict.ORIGINAL
        assert result.similarity < 0.05

    def test_passages_point_at_the_same_text_on_both_sides(self) -> None:
        county = fixture("county_plan")
        base, other = normalize(self.city), normalize(county)
        result = compare(base=base, other=other)
        assert result.passages
        for passage in result.passages:
            base_text = normalized_chars(base, *passage.base)
            other_text = normalized_chars(other, *passage.other)
            assert base_text == other_text
            assert len(base_text) >= MIN_LEN
        first = result.passages[0]
        assert self.city[slice(*first.base)].startswith("江州市公安局关于开展“大走访”")
        assert county[slice(*first.other)].startswith('临川县公安局关于开展"大走访"')
        # The passage about key people, in its own layout on each side.
        key_people = next(p for p in result.passages if "刑满释放人员" in self.city[slice(*p.base)])
        assert "要对刑满释放人员、社区矫正对象" in self.city[slice(*key_people.base)]
        assert "要对刑满释放人员、社区矫正对象" in county[slice(*key_people.other)]
        assert "\n" in county[slice(*key_people.other)]  # a hard-wrapped line inside
        # Passages are ordered and do not overlap on the other side.
        ends = [p.other[1] for p in result.passages]
        starts = [p.other[0] for p in result.passages]
        assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))

    def test_passages_exclude_the_added_sentence(self) -> None:
        county = fixture("county_plan")
        result = compare(base=normalize(self.city), other=normalize(county))
        added = county.index("及时报送信息")
        assert not any(p.other[0] <= added < p.other[1] for p in result.passages)

    def test_as_dict(self) -> None:
        result = compare(base=normalize(self.city), other=normalize(fixture("partial_plan")))
        data = result.as_dict()
        assert data["verdict"] == "partial"
        assert data["similarity"] == round(result.similarity, 4)
        assert data["passages"][0] == {
            "base": list(result.passages[0].base),
            "other": list(result.passages[0].other),
        }

    def test_docx_plan_read_through_read_text(self) -> None:
        """The city plan as a Word document: headings auto-numbered, the team in a table."""
        document = docx.Document()
        lines = [line for line in self.city.splitlines() if line.strip()]
        for line in lines:
            heading = re.fullmatch(r"[一二三四五六七八九十]、(.+)", line)
            if heading:  # Word's numbering replaces the typed "一、"
                document.add_paragraph(heading.group(1), style="List Number")
            elif line.startswith("市局成立"):
                document.add_paragraph(line)
                table = document.add_table(rows=3, cols=2)
                for row, (role, person) in enumerate(
                    (
                        ("组长", "市局党委书记、局长"),
                        ("副组长", "市局党委副书记、政委"),
                        ("成员", "各县局、各分局主要负责同志"),
                    )
                ):
                    table.cell(row, 0).text = role
                    table.cell(row, 1).text = person
            else:
                document.add_paragraph(line)
        stream = io.BytesIO()
        document.save(stream)
        text = read_text(data=stream.getvalue(), filename="江州市局方案.docx")
        assert "组长\t市局党委书记、局长" in text
        county = normalize(fixture("county_plan"))
        result = compare(base=normalize(text), other=county)
        assert result.verdict is Verdict.COPIED
        assert result.similarity > 0.85


class TestEdgeCases:
    @pytest.mark.parametrize(
        ("base", "other"),
        [("", ""), ("", "任意一段足够长的文字内容用于比较是否照搬"), ("短", "短"), ("x" * 40, "")],
    )
    def test_empty_or_short(self, base: str, other: str) -> None:
        result = compare(base=normalize(base), other=normalize(other))
        assert result == Comparison(
            similarity=0.0,
            verdict=Verdict.ORIGINAL,
            passages=(),
            covered=0,
            length=len(normalize(other)),
        )
        assert similarity(base=normalize(base), other=normalize(other)) == 0.0

    def test_shorter_than_min_len_even_if_identical(self) -> None:
        text = "十四个字的一句话也不算照搬照抄"[:14]
        assert compare(base=normalize(text), other=normalize(text)).similarity == 0.0

    def test_exactly_min_len(self) -> None:
        text = "十五个字的一句话算作照搬照抄了"
        assert len(text) == MIN_LEN
        result = compare(base=normalize(text), other=normalize(text))
        assert result.similarity == 1.0
        assert result.passages == (((0, MIN_LEN), (0, MIN_LEN)),)

    def test_layout_does_not_matter(self) -> None:
        text = "坚持以人民为中心的发展思想，坚持和发展新时代枫桥经验。"
        relaid = "坚持以人民为中心的\n发展思想, 坚持和发展新时代“枫桥经验”!"
        assert compare(base=normalize(text), other=normalize(relaid)).similarity == 1.0

    def test_names_swapped(self) -> None:
        city = "江州市公安局决定在全市开展走访活动，市局成立领导小组，由市局局长任组长。"
        county = "临川县公安局决定在全县开展走访活动，县局成立领导小组，由县局局长任组长。"
        assert compare(base=normalize(city), other=normalize(county)).similarity == 1.0
        # Without normalising names, the swaps break every passage.
        assert brute_similarity(city, county) < 0.3

    def test_repeated_text_in_the_base(self) -> None:
        sentence = "各单位要高度重视精心组织确保活动取得实效"
        base = normalize(sentence * 3)
        other = normalize("开头不同的话" + sentence + "结尾也不同的话")
        result = compare(base=base, other=other)
        assert result.covered == len(sentence)
        assert len(result.passages) == 1


alphabet = st.text(alphabet="甲乙丙丁", min_size=0, max_size=120)


class TestContract:
    @settings(max_examples=150, deadline=None)
    @given(base=alphabet, other=alphabet, min_len=st.sampled_from([3, 5, 15]))
    def test_matches_the_definition(self, base: str, other: str, min_len: int) -> None:
        a, b = normalize(base), normalize(other)
        result = compare(base=a, other=b, min_len=min_len)
        expected = brute_similarity(base, other, min_len)
        if len(base) < min_len:
            expected = 0.0
        assert result.similarity == pytest.approx(expected)
        assert similarity(base=a, other=b, min_len=min_len) == pytest.approx(expected)
        # The passages cover exactly the covered characters, with equal text on both sides.
        covered = 0
        previous_end = 0
        for passage in result.passages:
            assert passage.other[0] >= previous_end
            previous_end = passage.other[1]
            assert base[slice(*passage.base)] == other[slice(*passage.other)]
            covered += passage.other[1] - passage.other[0]
        assert covered == result.covered == round(expected * len(other))


# ------------------------------------------------------------------------------------------
# The corpus index
# ------------------------------------------------------------------------------------------

_UNITS = [("江州市公安局", "市局", "全市"), ("临川县公安局", "县局", "全县")] + [
    (f"{a}{b}派出所", "本所", "辖区") for a in "东西南北中" for b in "湖山林关桥"
]


def random_sentence(rng: random.Random) -> str:
    """A sentence of random common characters: independent plans share next to nothing."""
    return "".join(chr(rng.randrange(0x4E00, 0x9000)) for _ in range(rng.randint(12, 30))) + "。"


def small_corpus(seed: int = 5) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Originals, near-copies with the unit's names swapped and partial reuses, by name."""
    rng = random.Random(seed)
    plans: dict[str, list[str]] = {}
    planted: set[tuple[str, str]] = set()
    for number in range(30):
        plans[f"original-{number}"] = [random_sentence(rng) for _ in range(60)]
    for number in range(15):
        source = f"original-{rng.randrange(30)}"
        copied = [s if rng.random() > 0.05 else random_sentence(rng) for s in plans[source]]
        plans[f"copy-{number}"] = copied
        planted.add((source, f"copy-{number}"))
    for number in range(8):
        source = f"original-{rng.randrange(30)}"
        mixed = plans[source][:30] + [random_sentence(rng) for _ in range(30)]
        plans[f"partial-{number}"] = mixed
        planted.add((source, f"partial-{number}"))
    texts = {}
    for number, (key, sentences) in enumerate(plans.items()):
        full, short, scope = _UNITS[number % len(_UNITS)]
        texts[key] = (
            f"{full}工作方案\n"
            + "".join(
                (f"{short}要求{scope}：" if i % 5 == 0 else "") + s for i, s in enumerate(sentences)
            )
            + f"\n{full}"
        )
    return texts, planted


def reference_pairs(plans: dict[str, Normalized]) -> dict[tuple[str, str], float]:
    keys = sorted(plans)
    found = {}
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            best = max(
                similarity(base=plans[b], other=plans[a]),
                similarity(base=plans[a], other=plans[b]),
            )
            if best >= PARTIAL_AT:
                found[(a, b)] = best
    return found


class TestPlanIndex:
    def test_finds_every_related_pair(self) -> None:
        texts, planted = small_corpus()
        plans = {key: normalize(text) for key, text in texts.items()}
        index: PlanIndex[str] = PlanIndex(items=plans.items())
        assert len(index) == len(plans)
        pairs = index.pairs()
        found = {(min(p.a, p.b), max(p.a, p.b)): p for p in pairs}
        truth = reference_pairs(plans)
        assert set(found) == set(truth)
        reference = exhaustive_pairs(items=plans.items())
        assert {(min(p.a, p.b), max(p.a, p.b)): p.similarity for p in reference} == truth
        for key, pair in found.items():
            assert pair.similarity == pytest.approx(truth[key])
        # Copies of the same original are related to each other too; every planted pair is in.
        assert {(min(a, b), max(a, b)) for a, b in planted} <= set(found)
        copies = [p for p in pairs if p.verdict is Verdict.COPIED]
        assert all(p.similarity >= COPIED_AT for p in copies)
        assert any(p.verdict is Verdict.PARTIAL for p in pairs)
        assert [p.similarity for p in pairs] == sorted((p.similarity for p in pairs), reverse=True)

    def test_pair_directions(self) -> None:
        texts, _ = small_corpus()
        plans = {key: normalize(text) for key, text in texts.items()}
        index: PlanIndex[str] = PlanIndex(items=plans.items())
        partial = next(p for p in index.pairs() if "partial" in p.a + p.b)
        assert isinstance(partial, Pair)
        assert partial.a_in_b == pytest.approx(
            similarity(base=plans[partial.b], other=plans[partial.a])
        )
        assert partial.b_in_a == pytest.approx(
            similarity(base=plans[partial.a], other=plans[partial.b])
        )
        assert partial.similarity == max(partial.a_in_b, partial.b_in_a)

    def test_threshold(self) -> None:
        texts, _ = small_corpus()
        index: PlanIndex[str] = PlanIndex(
            items=((key, normalize(text)) for key, text in texts.items())
        )
        assert all(p.similarity >= COPIED_AT for p in index.pairs(threshold=COPIED_AT))
        assert len(index.pairs(threshold=COPIED_AT)) < len(index.pairs())

    def test_query(self) -> None:
        texts, _ = small_corpus()
        index: PlanIndex[str] = PlanIndex()
        for key, text in texts.items():
            index.add(key=key, plan=normalize(text))
        # A new county plan copying original-3 with the names swapped.
        source = texts["original-3"]
        new = source.replace("江州市公安局", "青山县公安局").replace("市局", "县局")
        new = new.replace("全市", "全县") + "新增的一段自己写的内容并不长。"
        hits = index.query(normalize(new))
        best = hits[0]
        assert best.key == "original-3"
        assert best.similarity > 0.95 and best.verdict is Verdict.COPIED
        assert {hit.key for hit in hits} >= {"original-3"}
        expected = {
            key
            for key, text in texts.items()
            if max(
                similarity(base=normalize(text), other=normalize(new)),
                similarity(base=normalize(new), other=normalize(text)),
            )
            >= PARTIAL_AT
        }
        assert {hit.key for hit in hits} == expected

    def test_query_original_and_short(self) -> None:
        texts, _ = small_corpus()
        index: PlanIndex[str] = PlanIndex(
            items=((key, normalize(text)) for key, text in texts.items())
        )
        rng = random.Random(99)
        original = "".join(random_sentence(rng) for _ in range(50))
        assert index.query(normalize(original)) == []
        assert index.query(normalize("太短")) == []

    def test_empty_and_short_plans(self) -> None:
        index: PlanIndex[int] = PlanIndex()
        assert index.pairs() == [] and index.query(normalize("一" * 40)) == []
        index.add(key=1, plan=normalize(""))
        index.add(key=2, plan=normalize("短短的"))
        index.add(key=3, plan=normalize("短短的"))
        assert index.pairs() == []

    def test_identical_plans(self) -> None:
        rng = random.Random(3)
        text = "".join(random_sentence(rng) for _ in range(40))
        index: PlanIndex[int] = PlanIndex(items=[(n, normalize(text)) for n in range(5)])
        pairs = index.pairs()
        assert len(pairs) == 10
        assert all(p.a_in_b == p.b_in_a == 1.0 for p in pairs)

    def test_bad_parameters(self) -> None:
        with pytest.raises(ValueError):
            PlanIndex(num_perm=100)
        with pytest.raises(ValueError):
            PlanIndex(rows=0)
