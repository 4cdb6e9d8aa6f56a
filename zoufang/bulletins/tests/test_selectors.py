"""Hot this week / this month, related bulletins, and the figures assessment reads."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zoufang.bulletins.models import Bulletin, BulletinView
from zoufang.bulletins.selectors import (
    ColumnFilters,
    Tab,
    adopted_between,
    bulletin_counts,
    column_list,
    hot_window,
    related_bulletins,
    units_without_bulletins,
)
from zoufang.bulletins.services import bulletin_transition, bulletin_view_record

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2022, month, day, hour, tzinfo=TZ)


def read(bulletin: Any, times: int, day: datetime.date) -> None:
    for _ in range(times):
        bulletin_view_record(bulletin_id=bulletin.pk, day=day)


def test_hot_this_week_and_this_month(publish: Any) -> None:
    with time_machine.travel(at(5, 1), tick=False):
        old_favourite = publish("五月初的热门快报")
        new_favourite = publish("本周的热门快报")
        unread = publish("无人阅读的快报")
    read(old_favourite, 9, datetime.date(2022, 5, 10))  # 20 days before "today"
    read(new_favourite, 3, datetime.date(2022, 5, 28))
    read(new_favourite, 2, datetime.date(2022, 5, 30))
    read(old_favourite, 1, datetime.date(2022, 3, 1))  # outside both windows
    with time_machine.travel(at(5, 30), tick=False):
        week: list[Any] = list(column_list(filters=ColumnFilters(tab=Tab.WEEK)))
        month: list[Any] = list(column_list(filters=ColumnFilters(tab=Tab.MONTH)))
        newest = list(column_list())
    assert [(b.pk, b.hot) for b in week] == [(new_favourite.pk, 5)]
    assert [(b.pk, b.hot) for b in month] == [(old_favourite.pk, 9), (new_favourite.pk, 5)]
    assert unread.pk in [b.pk for b in newest]
    assert Bulletin.objects.get(pk=old_favourite.pk).views == 10


def test_views_are_counted_per_day_with_an_upsert(publish: Any, write: Any) -> None:
    bulletin = publish()
    day = datetime.date(2022, 4, 1)
    read(bulletin, 3, day)
    read(bulletin, 1, day + datetime.timedelta(days=1))
    assert dict(BulletinView.objects.values_list("day", "count")) == {
        day: 3,
        day + datetime.timedelta(days=1): 1,
    }
    draft = write("草稿")
    assert bulletin_view_record(bulletin_id=draft.pk, day=day) is False
    assert not BulletinView.objects.filter(bulletin=draft).exists()


def test_related_bulletins_by_text(publish: Any, city: Any, campaign: Any) -> None:
    fanzha = (
        "民警走进社区开展反诈宣传，向群众讲解电信网络诈骗常见手法，提醒群众下载国家反诈中心APP。"
    )
    target = publish("东湖分局开展反诈宣传进社区", body=fanzha)
    close = publish(
        "城关派出所反诈宣传进社区",
        body="社区民警开展反诈宣传，讲解电信网络诈骗常见手法，指导群众安装国家反诈中心APP。",
    )
    nearer = publish("西岭分局开展反诈宣传进社区", body=fanzha.replace("民警", "西岭分局民警"))
    publish("走访困难群众", body="民警走访辖区困难群众，送去米面油等慰问品，了解生活困难。")
    publish("警民恳谈会", body="召开警民恳谈会，邀请人大代表和政协委员参加，听取意见建议。")
    related = related_bulletins(bulletin=target)
    assert [b.pk for b in related] == [nearer.pk, close.pk]
    assert target not in related


def test_related_bulletins_ignore_unpublished_ones(publish: Any, write: Any) -> None:
    body = "开展反诈宣传进社区活动，发放宣传资料。"
    target = publish("反诈宣传", body=body)
    write("反诈宣传草稿", body=body)
    assert related_bulletins(bulletin=target) == []


def test_assessment_counts(city: Any, campaign: Any, write: Any) -> None:
    admin = city.user("city_admin")
    with time_machine.travel(at(1, 10), tick=False):
        early = write("一月快报", submit=True)
        write("一月草稿")  # never submitted: counts nowhere
        other = write("二分局快报", unit=city.station_b, actor=city.user("officer_b"), submit=True)
        bulletin_transition(actor=admin, bulletin_id=other.pk, action="return", comment="重写")
    with time_machine.travel(at(2, 28, 23), tick=False):  # the phase's last evening
        bulletin_transition(actor=admin, bulletin_id=early.pk, action="adopt")
    with time_machine.travel(at(3, 1, 0), tick=False):  # just after the phase
        late = write("三月快报", unit=city.county_a, actor=city.user("unit_admin"), submit=True)
        bulletin_transition(actor=admin, bulletin_id=late.pk, action="adopt")

    phase = {
        "campaign": campaign,
        "since": datetime.date(2022, 1, 1),
        "until": datetime.date(2022, 2, 28),
    }
    assert bulletin_counts(**phase) == {
        city.station_a.pk: {"submitted": 1, "adopted": 1},
        city.station_b.pk: {"submitted": 1, "adopted": 0},
    }
    assert bulletin_counts(
        campaign=campaign, since=datetime.date(2022, 3, 1), until=datetime.date(2022, 3, 31)
    ) == {city.county_a.pk: {"submitted": 1, "adopted": 1}}
    assert [u.code for u in units_without_bulletins(**phase)] == ["JZ01", "JZ02", "JZJ01", "JZB01"]
    assert [b.pk for b in adopted_between(**phase)] == [early.pk]
    assert [
        b.pk
        for b in adopted_between(
            campaign=campaign, since=datetime.date(2022, 3, 1), until=datetime.date(2022, 3, 1)
        )
    ] == [late.pk]


def test_units_without_bulletins_skips_inactive_units(city: Any, campaign: Any) -> None:
    from zoufang.org.models import Unit

    Unit.objects.filter(pk=city.agency.pk).update(is_active=False)
    codes = [
        u.code
        for u in units_without_bulletins(
            campaign=campaign, since=datetime.date(2022, 1, 1), until=datetime.date(2022, 12, 31)
        )
    ]
    assert "JZB01" not in codes and "JZ" not in codes
    assert "JZ0101" in codes


def test_the_hot_window_ends_on_the_last_day_anyone_read(publish: Any) -> None:
    bulletin = publish()
    assert hot_window(Tab.WEEK, today=datetime.date(2023, 6, 1)) == (
        datetime.date(2023, 5, 26),
        datetime.date(2023, 6, 1),
    )
    read(bulletin, 2, datetime.date(2022, 12, 30))
    read(bulletin, 1, datetime.date(2023, 7, 1))  # after "today": not counted
    assert hot_window(Tab.WEEK, today=datetime.date(2023, 6, 1)) == (
        datetime.date(2022, 12, 24),
        datetime.date(2022, 12, 30),
    )
    assert hot_window(Tab.MONTH, today=datetime.date(2022, 12, 30)) == (
        datetime.date(2022, 12, 1),
        datetime.date(2022, 12, 30),
    )
    week: list[Any] = list(
        column_list(
            filters=ColumnFilters(tab=Tab.WEEK),
            window=hot_window(Tab.WEEK, today=datetime.date(2023, 6, 1)),
        )
    )
    assert [(b.pk, b.hot) for b in week] == [(bulletin.pk, 2)]
