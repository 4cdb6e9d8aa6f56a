"""The ledger template's vocabularies agree with the models and the Chinese interface."""

from __future__ import annotations

from django.utils import translation

from zoufang.ledger.columns import CHANNEL_BY_LABEL, COLUMNS, TARGET_TYPE_BY_LABEL
from zoufang.ledger.models import Channel, TargetType


def test_every_code_has_exactly_one_template_label() -> None:
    assert sorted(TARGET_TYPE_BY_LABEL.values()) == sorted(TargetType.values)
    assert sorted(CHANNEL_BY_LABEL.values()) == sorted(Channel.values)


def test_the_interface_shows_the_template_labels() -> None:
    with translation.override("zh-hans"):
        for label, code in TARGET_TYPE_BY_LABEL.items():
            assert str(TargetType(code).label) == label
        for label, code in CHANNEL_BY_LABEL.items():
            assert str(Channel(code).label) == label


def test_columns_follow_the_design() -> None:
    assert [c.header for c in COLUMNS] == [
        "走访日期", "单位编码", "走访民警", "对象类型", "走访方式", "是否回访", "对象名称",
        "联系电话", "身份证号", "地址", "收集意见数", "调解纠纷数", "排查隐患数", "帮扶户数",
        "捐款捐物金额(元)", "走访内容", "意见建议", "备注",
    ]  # fmt: skip
    assert [c.header for c in COLUMNS if c.required] == [
        "走访日期", "单位编码", "走访民警", "对象类型", "走访方式", "对象名称",
    ]  # fmt: skip
