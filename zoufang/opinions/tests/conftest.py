"""Helpers for the opinion tests."""

from __future__ import annotations

from typing import Any

import pytest

from zoufang.opinions.services import opinion_register


@pytest.fixture
def register(city: Any) -> Any:
    """`register(content, unit=station_a, actor=officer)` registers an opinion."""

    def _register(
        content: str = "希望加强夜间巡逻", unit: Any = None, actor: Any = None, **kw: Any
    ) -> Any:
        return opinion_register(
            actor=actor or city.user("officer"),
            origin_unit=unit or city.station_a,
            content=content,
            source=kw.pop("source", "visit"),
            **kw,
        )

    return _register
