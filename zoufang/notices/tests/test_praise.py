"""The notice's praise rules, without a database: praise only what a unit's own figures
support, never a unit the notice criticises."""

from __future__ import annotations

from typing import Any

from zoufang.notices.praise import Praise, praise_for, reasons_for


def row(code: str, rank: int, score: float = 90.0, flags: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"unit": code, "name": f"{code}单位", "rank": rank, "score": score, "flags": list(flags)}


GOOD = {
    "visits": 100,
    "officers": 10,
    "accepted": 4,
    "replied": 4,
    "late_steps": 0,
    "overdue_now": 0,
    "rated": 4,
    "satisfied": 4,
}


def test_each_reason_needs_its_own_figures() -> None:
    assert reasons_for(GOOD, group_median=10.0) == ("coverage", "timely", "satisfied")
    assert "coverage" not in reasons_for(GOOD, group_median=10.5)  # below the median
    assert "timely" not in reasons_for({**GOOD, "late_steps": 1}, 1.0)  # a step done late
    assert "timely" not in reasons_for({**GOOD, "overdue_now": 1}, 1.0)  # one overdue
    assert "timely" not in reasons_for({**GOOD, "accepted": 0, "replied": 0}, 1.0)  # none
    assert "satisfied" not in reasons_for({**GOOD, "rated": 2, "satisfied": 2}, 1.0)  # too few
    assert "satisfied" not in reasons_for({**GOOD, "rated": 10, "satisfied": 8}, 1.0)  # 80 %
    assert reasons_for({"visits": 0, "officers": 5}, 0.0) == ()


def test_only_the_first_three_unflagged_and_uncriticised() -> None:
    groups = [
        {
            "kind": "station",
            "ranking": [
                row("A", 1),
                row("B", 2, flags=("overdue",)),
                row("C", 3),
                row("D", 4),
                row("E", 5, score=0, flags=("zero_result",)),
            ],
        }
    ]
    counts = dict.fromkeys("ABCDE", GOOD)
    praised = praise_for(groups, counts, criticised=["C单位"])
    assert praised == [Praise("A单位", "station", 1, ("coverage", "timely", "satisfied"))]
    assert praise_for([{"kind": "station", "ranking": [row("A", 1, score=0)]}], counts, []) == []
