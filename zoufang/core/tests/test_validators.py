"""The validators the forms, the API and the importer share."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from zoufang.core import validators as v

TODAY = datetime.date(2022, 12, 31)


def valid_id(first17: str) -> str:
    return first17 + v.id_check_digit(first17)


# A real-format ID: region, a birth date, a sequence number.
ids = st.builds(
    lambda region, birth, seq: valid_id(f"{region:06d}{birth:%Y%m%d}{seq:03d}"),
    st.integers(110000, 820000),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
    st.integers(0, 999),
)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
)


class TestIdNumber:
    def test_known_number(self) -> None:
        # GB 11643's worked example: 11010519491231002X.
        assert v.normalize_id_number("11010519491231002x") == "11010519491231002X"

    @given(ids)
    def test_every_valid_number_passes_and_normalises(self, number: str) -> None:
        assert v.normalize_id_number(number.lower()) == number

    @given(ids, st.integers(0, 16), st.integers(1, 9))
    def test_one_changed_digit_is_caught(self, number: str, position: int, delta: int) -> None:
        digit = (int(number[position]) + delta) % 10
        altered = number[:position] + str(digit) + number[position + 1 :]
        with pytest.raises(ValidationError):
            v.normalize_id_number(altered)

    @given(ids)
    def test_wrong_check_digit(self, number: str) -> None:
        wrong = "0" if number[-1] != "0" else "1"
        with pytest.raises(ValidationError) as caught:
            v.normalize_id_number(number[:-1] + wrong)
        assert caught.value.code in ("check_digit", "characters")

    def test_full_width_and_spaces(self) -> None:
        assert (
            v.normalize_id_number("１１０１０５ １９４９１２３１００２Ｘ") == "11010519491231002X"
        )

    def test_number_cell_is_an_error_not_a_guess(self) -> None:
        with pytest.raises(ValidationError) as caught:
            v.normalize_id_number(110105194912310000.0)
        assert caught.value.code == "number_cell"

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("1101051949123100", "length"),
            ("11010519491331002X", "birth"),
            ("1101051949123100X2", "characters"),
        ],
    )
    def test_refusals(self, value: str, code: str) -> None:
        with pytest.raises(ValidationError) as caught:
            v.normalize_id_number(value)
        assert caught.value.code == code

    def test_message_is_chinese(self) -> None:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
            v.normalize_id_number("110105194912310021")
        assert caught.value.messages == ["身份证号校验位错误"]

    def test_blank_is_blank(self) -> None:
        assert v.normalize_id_number("  ") == ""


class TestPhone:
    @given(mobiles)
    def test_every_mobile_passes(self, number: str) -> None:
        assert v.normalize_phone(number) == number

    @given(mobiles, st.sampled_from([" ", "-"]))
    def test_separators_are_ignored(self, number: str, sep: str) -> None:
        spaced = number[:3] + sep + number[3:7] + sep + number[7:]
        assert v.normalize_phone(spaced) == number

    @given(st.integers(0, 10**9 - 1))
    def test_mobile_with_bad_second_digit_is_refused(self, rest: int) -> None:
        with pytest.raises(ValidationError):
            v.normalize_phone(f"12{rest:09d}")

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("0571-88886666", "0571-88886666"),
            ("010-12345678", "010-12345678"),
            ("01012345678", "010-12345678"),
            ("057188886666", "0571-88886666"),
            ("０５７１－８８８８６６６６", "0571-88886666"),
            ("+86 138 1234 5678", "13812345678"),
            (13812345678.0, "13812345678"),
            ("", ""),
        ],
    )
    def test_accepted(self, value: object, expected: str) -> None:
        assert v.normalize_phone(value) == expected

    @pytest.mark.parametrize("value", ["12345", "1381234567", "138123456789", "57188886666", "abc"])
    def test_refused(self, value: str) -> None:
        with pytest.raises(ValidationError):
            v.normalize_phone(value)


class TestDates:
    @pytest.mark.parametrize(
        "value",
        [
            "2022-01-05",
            "2022/1/5",
            "2022.1.5",
            "2022年1月5日",
            "２０２２年１月５日",
            "2022-01-05 00:00:00",
            datetime.date(2022, 1, 5),
            datetime.datetime(2022, 1, 5, 9, 30),
        ],
    )
    def test_spellings(self, value: object) -> None:
        assert v.parse_date(value, today=TODAY) == datetime.date(2022, 1, 5)

    @pytest.mark.parametrize("value", ["2022-13-01", "2022-02-30", "5/1/2022", "昨天", 44566, ""])
    def test_refused(self, value: object) -> None:
        with pytest.raises(ValidationError):
            v.parse_date(value, today=TODAY)

    def test_future_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            v.parse_date("2023-01-01", today=TODAY)
        assert caught.value.code == "future"


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("", 0), (None, 0), ("3", 3), (3.0, 3), ("１２", 12), ("1,200", 1200)],
    )
    def test_counters(self, value: object, expected: int) -> None:
        assert v.parse_counter(value) == expected

    @pytest.mark.parametrize("value", ["-1", "2.5", 2.5, "三", True, "1000001"])
    def test_bad_counters(self, value: object) -> None:
        with pytest.raises(ValidationError):
            v.parse_counter(value)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("1,234.50元", Decimal("1234.50")),
            ("１２３元", Decimal("123.00")),
            ("￥12", Decimal("12.00")),
            (100.1, Decimal("100.10")),
            (200, Decimal("200.00")),
            (0.1 + 0.2, Decimal("0.30")),  # a formula's float noise
            (1234.5600000000002, Decimal("1234.56")),
            ("", Decimal("0.00")),
        ],
    )
    def test_amounts(self, value: object, expected: Decimal) -> None:
        assert v.parse_amount(value) == expected

    @pytest.mark.parametrize("value", ["-5", "12.345", 12.345, 0.005, "十元", "1.2.3"])
    def test_bad_amounts(self, value: object) -> None:
        with pytest.raises(ValidationError):
            v.parse_amount(value)


class TestFlagsAndBadges:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("是", True),
            ("否", False),
            ("Y", True),
            ("n", False),
            ("1", True),
            (0, False),
            ("√", True),
            ("", False),
        ],
    )
    def test_bool(self, value: object, expected: bool) -> None:
        assert v.parse_bool(value) is expected

    def test_bool_refuses_other_words(self) -> None:
        with pytest.raises(ValidationError):
            v.parse_bool("也许")

    def test_badges_split_on_every_separator(self) -> None:
        assert v.split_badges("100001、100002,100003，100004;100005 100006；100001") == [
            "100001",
            "100002",
            "100003",
            "100004",
            "100005",
            "100006",
        ]

    def test_text_length(self) -> None:
        assert v.clean_text("  abc ", max_length=3) == "abc"
        with pytest.raises(ValidationError):
            v.clean_text("x" * 101, max_length=100)
