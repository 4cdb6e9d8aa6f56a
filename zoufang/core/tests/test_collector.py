"""The cycle collector held back during a long loop (core.collector)."""

from __future__ import annotations

import gc

import pytest

from zoufang.core.collector import collect_young, collector_paused


def test_paused_inside_the_block_and_running_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0  # what existed before is set aside
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_nested_pauses_end_with_the_last() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_lets_it_run_again() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_young_cycles_are_collected_while_paused() -> None:
    class Node:
        pass

    with collector_paused():
        collect_young()
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        del node
        assert not gc.isenabled()
        assert collect_young() >= 1


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_frozen_before_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
