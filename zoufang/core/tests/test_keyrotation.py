"""Key rotation: values readable before, during and after; old keys removable; resumable."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.db.models import QuerySet

from zoufang.core import personal
from zoufang.core.keyrotation import field_keys_rotate, rotation_pending
from zoufang.core.models import AuditLog
from zoufang.ledger.models import Visit
from zoufang.ledger.tests.factories import make_visit
from zoufang.opinions.models import Opinion
from zoufang.opinions.services import opinion_register

ID_NUMBER = "11010519491231002X"


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def legacy_token(key_text: str, plain: str, purpose: str) -> str:
    """A ciphertext in the format written before rotation existed: `1.<base64>`."""
    nonce = os.urandom(12)
    sealed = AESGCM(base64.b64decode(key_text)).encrypt(nonce, plain.encode(), purpose.encode())
    return "1." + base64.b64encode(nonce + sealed).decode()


def rotate_to_new_keys(settings: Any, *, hash_too: bool = True) -> None:
    """What an operator does first: the new keys current, the old ones kept as previous."""
    settings.ZOUFANG_FIELD_KEYS_PREVIOUS = [settings.ZOUFANG_FIELD_KEY]
    settings.ZOUFANG_FIELD_KEY = new_key()
    if hash_too:
        settings.ZOUFANG_FIELD_HASH_KEYS_PREVIOUS = [settings.ZOUFANG_FIELD_HASH_KEY]
        settings.ZOUFANG_FIELD_HASH_KEY = new_key()


def drop_previous_keys(settings: Any) -> None:
    settings.ZOUFANG_FIELD_KEYS_PREVIOUS = []
    settings.ZOUFANG_FIELD_HASH_KEYS_PREVIOUS = []


def clear_values() -> dict[tuple[str, int, str], str]:
    """Every sealed value in the database, decrypted: (model, pk, prefix) → clear text."""
    values = {}
    for column in personal.sealed_columns():
        cipher = f"{column.prefix}_cipher"
        for pk, token in column.model._base_manager.exclude(**{cipher: ""}).values_list(
            "pk", cipher
        ):
            values[(column.label, pk, column.prefix)] = personal.decrypt(
                token, purpose=column.purpose
            )
    return values


# --- the cipher format, without the database --------------------------------------------


def test_the_current_format_names_both_keys(settings: Any) -> None:
    token = personal.encrypt("13812345678", purpose="phone")
    version, enc_id, hash_id, body = token.split(".")
    enc_key = base64.b64decode(settings.ZOUFANG_FIELD_KEY)
    hash_key = base64.b64decode(settings.ZOUFANG_FIELD_HASH_KEY)
    assert (version, enc_id, hash_id) == ("2", personal.key_id(enc_key), personal.key_id(hash_key))
    assert body and personal.decrypt(token, purpose="phone") == "13812345678"


def test_ciphertexts_of_the_old_format_still_open(settings: Any) -> None:
    old = settings.ZOUFANG_FIELD_KEY
    token = legacy_token(old, "13812345678", "phone")
    assert personal.decrypt(token, purpose="phone") == "13812345678"
    rotate_to_new_keys(settings)
    assert personal.decrypt(token, purpose="phone") == "13812345678"
    assert not personal.is_current(token)
    with pytest.raises(ValueError):
        personal.decrypt(token, purpose="id_number")


def test_a_value_under_an_old_key_needs_that_key(settings: Any) -> None:
    token = personal.encrypt(ID_NUMBER, purpose="id_number")
    rotate_to_new_keys(settings)
    assert personal.decrypt(token, purpose="id_number") == ID_NUMBER
    assert not personal.is_current(token)
    fresh = personal.encrypt(ID_NUMBER, purpose="id_number")
    assert personal.is_current(fresh) and fresh.split(".")[1] != token.split(".")[1]
    drop_previous_keys(settings)
    with pytest.raises(personal.UnknownKeyError):
        personal.decrypt(token, purpose="id_number")
    with pytest.raises(ValueError):
        personal.decrypt(legacy_token(new_key(), ID_NUMBER, "id_number"), purpose="id_number")


def test_lookups_find_old_and_new_hashes_during_a_rotation(settings: Any) -> None:
    before = personal.phone_digest("13812345678")
    rotate_to_new_keys(settings)
    after = personal.phone_digest("13812345678")
    assert after != before
    assert personal.phone_digests("13812345678") == [after, before]
    assert personal.id_number_digests(ID_NUMBER)[0] == personal.id_number_digest(ID_NUMBER)
    drop_previous_keys(settings)
    assert personal.phone_digests("13812345678") == [after]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZOUFANG_FIELD_KEYS_PREVIOUS", ["not base64!"]),
        ("ZOUFANG_FIELD_KEYS_PREVIOUS", [base64.b64encode(b"short").decode()]),
        ("ZOUFANG_FIELD_HASH_KEYS_PREVIOUS", ["not base64!"]),
    ],
)
def test_a_bad_previous_key_is_a_configuration_error(settings: Any, name: str, value: Any) -> None:
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured) as caught:
        personal.encrypt("13812345678", purpose="phone")
    assert name in str(caught.value)


def test_the_current_key_repeated_as_previous_is_refused(settings: Any) -> None:
    settings.ZOUFANG_FIELD_KEYS_PREVIOUS = [settings.ZOUFANG_FIELD_KEY]
    with pytest.raises(ImproperlyConfigured):
        personal.encrypt("13812345678", purpose="phone")


def test_every_cipher_column_is_declared_for_rotation() -> None:
    """A model with a `*_cipher` column that does not declare it in `sealed_fields` would be
    left under the old key by a rotation."""
    declared = {(c.model, c.prefix) for c in personal.sealed_columns()}
    found = {
        (model, f.name.removesuffix("_cipher"))
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.name.endswith("_cipher")
    }
    assert found == declared
    assert {c.label for c in personal.sealed_columns()} >= {
        "ledger.visit.phone",
        "ledger.visit.id_number",
        "opinions.opinion.submitter_phone",
    }


# --- the rotation, on the database ------------------------------------------------------


@pytest.fixture
def sealed_data(city: Any, settings: Any) -> dict[str, Any]:
    """Seven visits and two opinions sealed under the current (soon old) keys; one visit
    and one opinion in the format written before rotation existed."""
    visits = [
        make_visit(city.officer, phone=f"1381234567{n}", id_number=ID_NUMBER if n % 2 else "")
        for n in range(6)
    ]
    visits.append(make_visit(city.officer, phone="", id_number=""))
    legacy = visits[0]
    Visit.objects.filter(pk=legacy.pk).update(
        phone_cipher=legacy_token(settings.ZOUFANG_FIELD_KEY, "13812345670", "phone")
    )
    opinions = [
        opinion_register(
            actor=city.user("officer"),
            origin_unit=city.station_a,
            content=f"希望加强夜间巡逻{n}",
            source="visit",
            submitter_phone=f"1391234567{n}",
        )
        for n in range(2)
    ]
    Opinion.objects.filter(pk=opinions[0].pk).update(
        submitter_phone_cipher=legacy_token(settings.ZOUFANG_FIELD_KEY, "13912345670", "phone")
    )
    return {"visits": visits, "opinions": opinions}


@pytest.mark.django_db
def test_values_stay_readable_before_during_and_after(
    sealed_data: dict[str, Any], settings: Any, city: Any
) -> None:
    original = clear_values()
    assert len(original) == 6 + 3 + 2
    rotate_to_new_keys(settings)
    # Before the run: everything still opens, lookups find the old hashes.
    assert clear_values() == original
    old_hash_visit = Visit.objects.filter(
        phone_hash__in=personal.phone_digests("13812345671")
    ).get()
    assert old_hash_visit.phone_hash != personal.phone_digest("13812345671")
    # A value written now is sealed under the new keys at once.
    newcomer = make_visit(city.officer, phone="13700000000", id_number="")
    assert personal.is_current(newcomer.phone_cipher)
    assert rotation_pending() == {
        "ledger.visit.phone": 6,
        "ledger.visit.id_number": 3,
        "opinions.opinion.submitter_phone": 2,
    }
    during: list[bool] = []

    def check(result: Any) -> None:
        during.append(clear_values() == {**original, **newcomer_values})

    newcomer_values = {("ledger.visit.phone", newcomer.pk, "phone"): "13700000000"}
    result = field_keys_rotate(batch_size=2, on_batch=check)
    assert during and all(during)
    assert result.completed and not result.unreadable
    assert dict(result.resealed) == {
        "ledger.visit.phone": 6,
        "ledger.visit.id_number": 3,
        "opinions.opinion.submitter_phone": 2,
    }
    assert set(rotation_pending().values()) == {0}
    # After: the old keys can go; every value opens and is found by the current hash alone.
    drop_previous_keys(settings)
    assert clear_values() == {**original, **newcomer_values}
    for n in range(1, 6):
        assert Visit.objects.filter(phone_hash=personal.phone_digest(f"1381234567{n}")).exists()
    assert Visit.objects.filter(id_number_hash=personal.id_number_digest(ID_NUMBER)).count() == 3
    assert Opinion.objects.filter(
        submitter_phone_hash=personal.phone_digest("13912345670")
    ).exists()
    # Masks unchanged, nobody's edit form goes stale.
    assert set(Visit.objects.values_list("version", flat=True)) == {1}
    record = AuditLog.objects.filter(object_type="core.personal").get()
    assert record.after is not None and record.after["completed"] is True
    assert record.after["resealed"]["ledger.visit.phone"] == 6
    assert "13812345671" not in str(record.before) + str(record.after)


@pytest.mark.django_db
def test_without_the_rotation_the_old_key_cannot_go(
    sealed_data: dict[str, Any], settings: Any
) -> None:
    rotate_to_new_keys(settings)
    drop_previous_keys(settings)
    with pytest.raises(ValueError):
        clear_values()


@pytest.mark.django_db
def test_an_interrupted_run_resumes_where_it_stopped(
    sealed_data: dict[str, Any], settings: Any
) -> None:
    original = clear_values()
    rotate_to_new_keys(settings)

    def crash_after_first_batch(result: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        field_keys_rotate(batch_size=3, on_batch=crash_after_first_batch)
    done_first = 11 - sum(rotation_pending().values())
    assert 0 < done_first < 11
    assert clear_values() == original  # half-rotated: everything still opens
    stopped = AuditLog.objects.filter(object_type="core.personal").get()
    assert stopped.after is not None and stopped.after["completed"] is False
    assert sum(stopped.after["resealed"].values()) == done_first

    result = field_keys_rotate(batch_size=3)
    assert result.completed
    assert sum(result.resealed.values()) == 11 - done_first  # nothing done twice
    drop_previous_keys(settings)
    assert clear_values() == original


@pytest.mark.django_db
def test_a_failing_batch_leaves_nothing_half_written(
    sealed_data: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    rotate_to_new_keys(settings)
    before = dict(Visit.objects.values_list("pk", "phone_cipher"))
    real_bulk_update = QuerySet.bulk_update
    calls: list[int] = []

    def write_then_fail(self: Any, objs: Any, fields: Any, **kwargs: Any) -> Any:
        written = real_bulk_update(self, objs, fields, **kwargs)
        calls.append(len(objs))
        if len(calls) == 2:
            raise DatabaseError("connection lost")
        return written

    monkeypatch.setattr(QuerySet, "bulk_update", write_then_fail)
    with pytest.raises(DatabaseError):
        field_keys_rotate(batch_size=3)
    after = dict(Visit.objects.values_list("pk", "phone_cipher"))
    first_batch, rest = sorted(before)[:3], sorted(before)[3:]
    assert all(personal.is_current(after[pk]) for pk in first_batch if after[pk])
    assert all(after[pk] == before[pk] for pk in rest)  # the failed batch: all or nothing


@pytest.mark.django_db
def test_rotating_the_hash_key_alone_rehashes(sealed_data: dict[str, Any], settings: Any) -> None:
    settings.ZOUFANG_FIELD_HASH_KEYS_PREVIOUS = [settings.ZOUFANG_FIELD_HASH_KEY]
    settings.ZOUFANG_FIELD_HASH_KEY = new_key()
    assert sum(rotation_pending().values()) == 11
    field_keys_rotate()
    drop_previous_keys(settings)
    assert Visit.objects.filter(phone_hash=personal.phone_digest("13812345673")).exists()


@pytest.mark.django_db
def test_a_value_no_key_opens_is_named_and_the_run_goes_on(
    sealed_data: dict[str, Any], settings: Any, capsys: Any
) -> None:
    broken = sealed_data["visits"][3]
    Visit.objects.filter(pk=broken.pk).update(
        phone_cipher=legacy_token(new_key(), "13812345673", "phone")
    )
    rotate_to_new_keys(settings)
    with pytest.raises(CommandError) as caught:
        call_command("rotate_field_key", "--batch-size", "2")
    assert f"ledger.visit.phone: ids {broken.pk}" in str(caught.value)
    assert rotation_pending()["ledger.visit.phone"] == 1
    assert rotation_pending()["ledger.visit.id_number"] == 0


@pytest.mark.django_db
def test_the_command_and_its_check(
    sealed_data: dict[str, Any], settings: Any, capsys: Any, tmp_path: Path
) -> None:
    rotate_to_new_keys(settings)
    with pytest.raises(CommandError):
        call_command("rotate_field_key", "--check")
    assert "11 values not yet re-sealed" in capsys.readouterr().out
    call_command("rotate_field_key", "--batch-size", "4")
    assert "re-sealed 11 values" in capsys.readouterr().out
    call_command("rotate_field_key", "--check")
    assert "0 values not yet re-sealed" in capsys.readouterr().out
    call_command("rotate_field_key")  # nothing left: a no-op, still audited
    assert "re-sealed 0 values" in capsys.readouterr().out
    assert AuditLog.objects.filter(object_type="core.personal").count() == 2
