"""The ledger template (台账) of the contract (../shared/DESIGN.md): its columns and vocabularies.

This is a file format fixed by the contract, so its headers and labels are Chinese whatever
the interface language. Import, export and the blank template all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Channel, TargetType


@dataclass(frozen=True)
class Column:
    """One column of a spreadsheet template (the ledger's; also the 便民服务 import's)."""

    header: str
    field: str
    required: bool
    accepts: str


TARGET_TYPE_BY_LABEL: dict[str, str] = {
    "群众": TargetType.RESIDENT,
    "企事业单位": TargetType.ENTERPRISE,
    "场所": TargetType.VENUE,
    "重点人员": TargetType.KEY_PERSON,
    "涉稳人员": TargetType.STABILITY_RISK,
    "困难群众": TargetType.HARDSHIP_HOUSEHOLD,
    "弱势群体": TargetType.VULNERABLE,
    "人大代表": TargetType.NPC_DEPUTY,
    "政协委员": TargetType.CPPCC_MEMBER,
    "执法监督员": TargetType.OVERSIGHT_MONITOR,
    "媒体记者": TargetType.JOURNALIST,
    "其他": TargetType.OTHER,
}
TARGET_TYPE_LABEL = {code: label for label, code in TARGET_TYPE_BY_LABEL.items()}

CHANNEL_BY_LABEL: dict[str, str] = {
    "面对面": Channel.IN_PERSON,
    "电话": Channel.PHONE,
    "微博": Channel.WEIBO,
    "微信": Channel.WECHAT,
    "其他线上": Channel.ONLINE_OTHER,
}
CHANNEL_LABEL = {code: label for label, code in CHANNEL_BY_LABEL.items()}

_COUNTER = "不小于0的整数，空白为0"

COLUMNS: tuple[Column, ...] = (
    Column(
        "走访日期",
        "visit_date",
        True,
        "日期单元格，或文字 2022-01-05、2022/1/5、2022.1.5、2022年1月5日；不能晚于今天",
    ),
    Column("单位编码", "unit", True, "本单位或下属单位的单位编码"),
    Column(
        "走访民警", "officers", True, "警号，多人用“、”“，”“;”或空格分隔；须属于该单位或其下属单位"
    ),
    Column("对象类型", "target_type", True, "从下拉列表选择：" + "、".join(TARGET_TYPE_BY_LABEL)),
    Column("走访方式", "channel", True, "从下拉列表选择：" + "、".join(CHANNEL_BY_LABEL)),
    Column("是否回访", "is_return_visit", False, "是/否，也可填 Y/N、1/0、√；空白为否"),
    Column("对象名称", "target_name", True, "被走访的人或单位的名称，不超过100字"),
    Column("联系电话", "phone", False, "11位手机号，或 0571-88886666 样式的固定电话"),
    Column("身份证号", "id_number", False, "18位身份证号；请把该列设为文本格式，否则末几位会丢失"),
    Column("地址", "address", False, "不超过200字"),
    Column("收集意见数", "opinions_collected", False, _COUNTER),
    Column("调解纠纷数", "disputes_mediated", False, _COUNTER),
    Column("排查隐患数", "hazards_found", False, _COUNTER),
    Column("帮扶户数", "households_helped", False, _COUNTER),
    Column(
        "捐款捐物金额(元)", "donation_amount", False, "不小于0，最多两位小数，可带千位分隔符和“元”"
    ),
    Column("走访内容", "summary", False, "所见所谈，不超过1000字"),
    Column(
        "意见建议",
        "opinions",
        False,
        "群众提出的意见建议，每行一条或用“；”分隔，每条登记为一件意见建议",
    ),
    Column("备注", "note", False, "不超过500字"),
)
COLUMN_BY_HEADER = {column.header: column for column in COLUMNS}
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_HEADERS = tuple(column.header for column in COLUMNS if column.required)
COUNTER_FIELDS = ("opinions_collected", "disputes_mediated", "hazards_found", "households_helped")
