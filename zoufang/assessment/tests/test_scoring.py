"""Scoring on hand-computed examples (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zoufang.assessment.scoring import (
    Method,
    NoData,
    Rule,
    UnitScore,
    flags_for,
    imbalance,
    indicator_points,
    rank,
    score_group,
)

VISITS = Rule(code="visits", source="v", method=Method.BEST, weight=D(30))
SATISFIED = Rule(code="sat", source="s", method=Method.TARGET, weight=D(10), target=D("0.9"))
REOPEN = Rule(code="reopen", source="r", method=Method.LOWER_BETTER, weight=D(5), target=D("0.3"))
DEDUCT = Rule(
    code="ded", source="d", method=Method.DEDUCTION, weight=D(0), per_unit=D("0.5"), cap=D(10)
)
BONUS = Rule(
    code="bonus", source="b", method=Method.BONUS, weight=D(5), per_unit=D("0.01"), cap=D(5)
)


@pytest.mark.parametrize(
    ("rule", "value", "group", "expected"),
    [
        (VISITS, 12, [12, 6, 0], "30.00"),  # the best gets the weight
        (VISITS, 6, [12, 6, 0], "15.00"),  # half the best, half the weight
        (VISITS, 0, [12, 6, 0], "0.00"),
        (VISITS, 3, [0, 0, 3], "30.00"),
        (VISITS, 0, [0, 0, 0], "0.00"),  # nobody did anything: nobody scores
        (SATISFIED, 0.45, [], "5.00"),  # 0.45 ÷ 0.9 × 10
        (SATISFIED, 0.99, [], "10.00"),  # capped at the weight
        (REOPEN, 0.0, [], "5.00"),
        (REOPEN, 0.15, [], "2.50"),
        (REOPEN, 0.6, [], "0.00"),
        (DEDUCT, 3, [], "-1.50"),
        (DEDUCT, 50, [], "-10.00"),  # capped
        (BONUS, 250, [], "2.50"),
        (BONUS, 900, [], "5.00"),
    ],
)
def test_indicator_points(rule: Rule, value: float, group: list[float], expected: str) -> None:
    assert indicator_points(rule, value, group).points == D(expected)


def test_no_data_scores_nothing_unless_the_scheme_says_full() -> None:
    result = indicator_points(SATISFIED, None, [])
    assert (result.points, result.note) == (D("0.00"), "no data")
    lenient = Rule(
        code="sat", source="s", method=Method.TARGET, weight=D(10), target=D(1), no_data=NoData.FULL
    )
    assert indicator_points(lenient, None, []).points == D("10.00")


def test_a_worked_example() -> None:
    """The example of docs/scoring.md."""
    rules = [VISITS, SATISFIED, DEDUCT]
    figures: dict[str, dict[str, float | None]] = {
        "JZ01": {"v": 12.0, "s": 0.9, "d": 2},  # 30 + 10 − 1
        "JZ02": {"v": 8.0, "s": 0.72, "d": 0},  # 20 + 8
        "JZ03": {"v": 4.0, "s": None, "d": 0},  # 10 + 0 (no ratings)
    }
    ranked = score_group(rules, figures)
    assert [(s.unit, s.score, s.rank) for s in ranked] == [
        ("JZ01", D("39.00"), 1),
        ("JZ02", D("28.00"), 2),
        ("JZ03", D("10.00"), 3),
    ]
    assert ranked[0].breakdown == {"visits": D("30.00"), "sat": D("10.00"), "ded": D("-1.00")}
    assert ranked[2].notes == {"sat": "no data"}
    for item in ranked:
        assert sum(item.breakdown.values()) == item.score


def test_the_breakdown_always_sums_to_the_score() -> None:
    thirds = Rule(code="t", source="t", method=Method.BEST, weight=D(10))
    ranked = score_group(
        [thirds, thirds.__class__(**{**thirds.__dict__, "code": "u", "source": "u"})],
        {"a": {"t": 1, "u": 1}, "b": {"t": 3, "u": 3}},
    )
    for item in ranked:
        assert sum(item.breakdown.values()) == item.score  # 3.33 + 3.33 = 6.66, not 6.67


def test_ties_share_a_rank() -> None:
    scores = [
        UnitScore("a", D(90), {}),
        UnitScore("b", D(95), {}),
        UnitScore("c", D(90), {}),
        UnitScore("d", D(80), {}),
    ]
    assert [(s.unit, s.rank) for s in rank(scores)] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]


def test_a_new_unit_with_nothing_is_flagged_and_last() -> None:
    rules = [VISITS, SATISFIED]
    ranked = score_group(rules, {"old": {"v": 5, "s": 0.8}, "mid": {"v": 2, "s": 0.5}, "new": {}})
    assert ranked[-1].unit == "new" and ranked[-1].score == D("0.00")
    flags_for(
        ranked,
        activity={
            "old": {"visits": 5, "opinions": 2, "bulletins": 1},
            "mid": {"visits": 2, "opinions": 0, "bulletins": 0},
            "new": {},
        },
        overdue={"mid": 1},
        bottom=1,
    )
    flags = {s.unit: s.flags for s in ranked}
    assert flags["new"] == [
        "zero_result",
        "zero_visits",
        "zero_opinions",
        "zero_bulletins",
        "bottom",
    ]
    assert flags["mid"] == ["zero_opinions", "zero_bulletins", "overdue"]
    assert flags["old"] == []


def test_bottom_takes_the_last_places_with_their_ties() -> None:
    tied = [("a", 90), ("b", 80), ("c", 70), ("d", 0), ("e", 0), ("f", 0), ("g", 0)]
    ranked = rank([UnitScore(u, D(s), {}) for u, s in tied])
    flags_for(ranked, activity={}, overdue={}, bottom=3)
    assert [s.unit for s in ranked if "bottom" in s.flags] == ["d", "e", "f", "g"]
    plain = [("a", 90), ("b", 80), ("c", 70), ("d", 60), ("e", 50)]
    ranked = rank([UnitScore(u, D(s), {}) for u, s in plain])
    flags_for(ranked, activity={}, overdue={}, bottom=2)
    assert [s.unit for s in ranked if "bottom" in s.flags] == ["d", "e"]


def test_a_unit_with_no_officers_gets_nothing_per_officer() -> None:
    ranked = score_group([VISITS], {"staffed": {"v": 4.0}, "empty": {"v": None}})
    assert [(s.unit, s.score) for s in ranked] == [("staffed", D("30.00")), ("empty", D("0.00"))]
    assert ranked[1].notes == {"visits": "no data"}


def test_imbalance() -> None:
    cold = imbalance(
        agency_visits=30, agency_officers=300, grassroots_visits=2000, grassroots_officers=1000
    )
    assert (
        cold.agencies_per_officer,
        cold.grassroots_per_officer,
        cold.ratio,
        cold.imbalanced,
    ) == (0.1, 2.0, 0.05, True)
    even = imbalance(
        agency_visits=600, agency_officers=300, grassroots_visits=2000, grassroots_officers=1000
    )
    assert even.ratio == 1.0 and not even.imbalanced
    assert (
        imbalance(
            agency_visits=0, agency_officers=0, grassroots_visits=0, grassroots_officers=0
        ).ratio
        is None
    )
