"""Personal data: encryption, keyed hashes and masks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zoufang.core import personal


@given(st.text(min_size=1, max_size=40))
def test_round_trip(value: str) -> None:
    token = personal.encrypt(value, purpose="phone")
    assert personal.decrypt(token, purpose="phone") == value


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_a_number_never_appears_in_its_ciphertext(value: str) -> None:
    assert value not in personal.encrypt(value, purpose="phone")


def test_ciphertexts_differ_for_the_same_value() -> None:
    assert personal.encrypt("13812345678", purpose="phone") != personal.encrypt(
        "13812345678", purpose="phone"
    )


def test_a_tampered_ciphertext_is_refused() -> None:
    token = personal.encrypt("13812345678", purpose="phone")
    raw = bytearray(token.encode())
    raw[-3] = ord("A") if raw[-3] != ord("A") else ord("B")
    with pytest.raises(ValueError):
        personal.decrypt(raw.decode(), purpose="phone")


def test_ciphertext_is_bound_to_its_purpose() -> None:
    token = personal.encrypt("11010519491231002X", purpose="id_number")
    with pytest.raises(ValueError):
        personal.decrypt(token, purpose="phone")


def test_keyed_hash_is_stable_and_keyed(settings) -> None:
    first = personal.keyed_hash("13812345678", purpose="phone")
    assert first == personal.keyed_hash("13812345678", purpose="phone")
    assert first != personal.keyed_hash("13812345678", purpose="id_number")
    settings.ZOUFANG_FIELD_HASH_KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
    assert personal.keyed_hash("13812345678", purpose="phone") != first


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0571-88886666", "0571-****6666"),
        ("010-12345678", "010-****5678"),
    ],
)
def test_phone_masks(value: str, masked: str) -> None:
    assert personal.mask_phone(value) == masked


def test_id_mask() -> None:
    assert personal.mask_id_number("330102199001011234") == "330102********1234"


def test_seal_keeps_no_clear_value() -> None:
    sealed = personal.seal_id_number("11010519491231002X")
    assert "11010519491231002X" not in (sealed.cipher + sealed.digest + sealed.masked)
    assert sealed.masked == "110105********002X"
    assert personal.seal_phone("") == personal.EMPTY


@pytest.mark.parametrize("value", ["13812345678", "0571-88886666", "11010519491231002X"])
def test_a_masked_value_is_known_by_its_stars(value: str) -> None:
    """What pages and exports show is masked; a value as entered, or stars in other text,
    is not."""
    masked = (personal.mask_id_number if len(value) == 18 else personal.mask_phone)(value)
    assert personal.is_masked(masked) and personal.is_masked(f" {masked} ")
    assert not personal.is_masked(value)
    assert not personal.is_masked("138****5678 请核对") and not personal.is_masked("***")
