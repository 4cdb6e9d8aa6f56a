"""Authentication (docs/security.md, "Authentication"): lockout, password policy and age,
the first-login change, argon2 (tests/test_settings.py), the second factor.

Each test logs in through the real login page or token endpoint — never `force_login` —
so the controls run as they do for a user.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from zoufang.core.models import AuditAction, AuditLog
from zoufang.org.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
HOME = "/"
PASSWORD_PAGE = "/accounts/password/"
TWO_FACTOR = "/accounts/2fa/"
NEW_PASSWORD = "Zoufang#2024-new"


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    """Post the login form from an address."""
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    """The client's session holds a logged-in user."""
    return "_auth_user_id" in client.session


def failures(username: str) -> int:
    return AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr=username).count()


def failures_of_the_second_factor(username: str) -> int:
    return AuditLog.objects.filter(
        action=AuditAction.LOGIN_FAILED, object_repr=username, note="second factor"
    ).count()


# --- Lockout ---------------------------------------------------------------------------


def test_five_failures_lock_the_user_at_that_address_for_30_minutes(city: Any) -> None:
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        codes = [log_in(client, "officer", "wrong").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        locked = log_in(client, "officer", city.password)
        assert locked.status_code == 429 and not logged_in(client)
        assert "30" in locked.content.decode()  # says how long
        clock.shift(datetime.timedelta(minutes=29))
        assert log_in(client, "officer", city.password).status_code == 429
        clock.shift(datetime.timedelta(minutes=31))  # 30 minutes after the last attempt
        assert log_in(client, "officer", city.password).status_code == 302
        assert logged_in(client)


def test_the_lock_is_keyed_on_user_and_address(city: Any) -> None:
    for _ in range(5):
        log_in(Client(), "officer", "wrong", address="10.0.0.1")
    assert log_in(Client(), "officer", city.password, address="10.0.0.1").status_code == 429
    elsewhere = Client()
    assert log_in(elsewhere, "officer", city.password, address="10.0.0.2").status_code == 302
    colleague = Client()
    assert log_in(colleague, "unitadmin", city.password, address="10.0.0.1").status_code == 302


def test_four_failures_then_success_start_the_count_again(city: Any) -> None:
    for _ in range(4):
        log_in(Client(), "officer", "wrong")
    assert log_in(Client(), "officer", city.password).status_code == 302
    for _ in range(4):
        log_in(Client(), "officer", "wrong")
    assert log_in(Client(), "officer", city.password).status_code == 302


def test_every_failure_is_audited_locked_attempts_included(city: Any) -> None:
    for _ in range(7):
        log_in(Client(), "officer", "wrong")
    log_in(Client(), "officer", city.password)  # refused: locked
    assert failures("officer") == 8
    record = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).last()
    assert record is not None and record.ip == "10.0.0.1" and record.channel == "web"


# --- Password policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1#efgh9", "password_too_short"),  # 9 characters
        ("abcdefgh12345", "password_classes"),  # 2 classes
        ("ABCDEFGHIJ#$", "password_classes"),
        ("Password123", "password_too_common"),  # 3 classes, 11 characters, but common
        ("1234567890123", "password_entirely_numeric"),
        ("Officer#2022x", "password_too_similar"),  # the user name
    ],
)
def test_weak_passwords_are_refused(city: Any, password: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=city.user("officer"))
    assert code in {error.code for error in refused.value.error_list}


@pytest.mark.parametrize(
    "password", ["Zoufang#2024", "zoufang#20240", "ZOUFANG2024x", "走访Ab1234567"]
)
def test_good_passwords_pass(city: Any, password: str) -> None:
    validate_password(password, user=city.user("officer"))


def test_the_change_form_applies_the_policy(city: Any) -> None:
    client = Client()
    log_in(client, "officer", city.password)
    refused = client.post(
        PASSWORD_PAGE,
        {
            "old_password": city.password,
            "new_password1": "abcdefgh12",
            "new_password2": "abcdefgh12",
        },
    )
    assert refused.status_code == 200
    assert "至少" in refused.content.decode()  # "mix at least 3 of …" in Chinese
    user = User.objects.get(username="officer")
    assert user.check_password(city.password)


# --- Password age and the first login --------------------------------------------------


def set_password_age(username: str, days: int) -> None:
    User.objects.filter(username=username).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=days)
    )


def change_password(client: Client, old: str) -> Any:
    return client.post(
        PASSWORD_PAGE,
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_a_password_older_than_90_days_must_be_changed(city: Any) -> None:
    client = Client()
    log_in(client, "officer", city.password)
    set_password_age("officer", 89)
    assert client.get(HOME).status_code == 200
    set_password_age("officer", 91)
    for page in (HOME, "/ledger/visits/", "/opinions/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == PASSWORD_PAGE, page
    assert change_password(client, city.password).status_code == 302
    assert client.get(HOME).status_code == 200
    changed = User.objects.get(username="officer").password_changed_at
    assert changed is not None and timezone.now() - changed < datetime.timedelta(minutes=1)


@override_settings(ZOUFANG_PASSWORD_MAX_AGE_DAYS=30)
def test_the_maximum_age_is_configurable(city: Any) -> None:
    client = Client()
    log_in(client, "officer", city.password)
    set_password_age("officer", 31)
    assert client.get(HOME)["Location"] == PASSWORD_PAGE


def test_the_first_login_must_change_the_password(city: Any) -> None:
    from zoufang.org.services import officer_create

    officer_create(
        actor=None,
        username="newcomer",
        full_name="新民警",
        unit=city.station_a,
        badge_no="300001",
        password="Initial#2022",
    )  # must_change_password defaults to True: the administrator set the password
    client = Client()
    assert log_in(client, "newcomer", "Initial#2022").status_code == 302
    assert client.get(HOME)["Location"] == PASSWORD_PAGE
    assert client.get("/ledger/visits/")["Location"] == PASSWORD_PAGE
    assert change_password(client, "Initial#2022").status_code == 302
    assert client.get(HOME).status_code == 200
    assert not User.objects.get(username="newcomer").must_change_password


def test_the_current_password_is_not_a_new_one(city: Any) -> None:
    """Issue 19 item 7: at the forced change after 90 days the current password was accepted
    as the new one, which kept it for another 90 days."""
    client = Client()
    log_in(client, "officer", city.password)
    set_password_age("officer", 91)
    assert client.get(HOME)["Location"] == PASSWORD_PAGE
    same = {
        "old_password": city.password,
        "new_password1": city.password,
        "new_password2": city.password,
    }
    refused = client.post(PASSWORD_PAGE, same)
    assert refused.status_code == 200
    assert "新密码不能与当前密码相同" in refused.content.decode()
    assert client.get(HOME)["Location"] == PASSWORD_PAGE  # still owed
    changed = User.objects.get(username="officer").password_changed_at
    assert changed is not None and timezone.now() - changed > datetime.timedelta(days=90)
    assert change_password(client, city.password).status_code == 302  # another one is fine
    with pytest.raises(ValidationError) as again:  # and now that one is the current one
        validate_password(NEW_PASSWORD, user=User.objects.get(username="officer"))
    assert "password_is_current" in {error.code for error in again.value.error_list}


def test_the_first_login_may_not_keep_the_initial_password(city: Any) -> None:
    from zoufang.org.services import officer_create

    officer_create(
        actor=None,
        username="newcomer",
        full_name="新民警",
        unit=city.station_a,
        badge_no="300001",
        password="Initial#2022",
    )
    client = Client()
    log_in(client, "newcomer", "Initial#2022")
    kept = client.post(
        PASSWORD_PAGE,
        {
            "old_password": "Initial#2022",
            "new_password1": "Initial#2022",
            "new_password2": "Initial#2022",
        },
    )
    assert kept.status_code == 200 and "新密码不能与当前密码相同" in kept.content.decode()
    assert User.objects.get(username="newcomer").must_change_password


# --- Second factor ---------------------------------------------------------------------


def code_of(device: Any) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def totp_now(user: Any) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return code_of(TOTPDevice.objects.get(user=user))


def wrong_code(user: Any) -> str:
    return f"{(int(totp_now(user)) + 1) % 1_000_000:06d}"


def setup_key_of(page: Any) -> str:
    """The signed authenticator key of the set-up page (what its QR code holds)."""
    found = re.search(r'name="setup_key" value="([^"]+)"', page.content.decode())
    assert found, "no set-up key on the page"
    return found.group(1)


def setup_code(setup_key: str, *, wrong: bool = False) -> str:
    """The code an authenticator app that scanned the set-up page shows now."""
    from django.core import signing
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zoufang.org.services import SETUP_SALT

    code = code_of(TOTPDevice(key=signing.loads(setup_key, salt=SETUP_SALT)["key"]))
    return f"{(int(code) + 1) % 1_000_000:06d}" if wrong else code


@override_settings(ZOUFANG_REQUIRE_2FA_ROLES=["city_admin"])
def test_a_role_the_deployment_names_must_use_the_second_factor(city: Any) -> None:
    client = Client()
    assert log_in(client, "cityadmin", city.password).status_code == 302
    for page in (HOME, "/ledger/visits/", PASSWORD_PAGE, "/admin/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(TWO_FACTOR), page
    setup = client.get(TWO_FACTOR)
    assert setup.status_code == 200 and "<svg" in setup.content.decode()  # the QR code
    key = setup_key_of(setup)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = client.post(TWO_FACTOR, {"token": setup_code(key, wrong=True), "setup_key": key})
        assert wrong.status_code == 400
        assert setup_key_of(wrong) == key  # the QR code scanned stays the same
        assert client.get(HOME).status_code == 302
        clock.shift(datetime.timedelta(seconds=2))
        verified = client.post(
            TWO_FACTOR + "?next=/ledger/visits/", {"token": setup_code(key), "setup_key": key}
        )
    assert verified.status_code == 302 and verified["Location"] == "/ledger/visits/"
    assert failures_of_the_second_factor("cityadmin") == 1
    assert client.get(HOME).status_code == 200
    # The next login asks again.
    client.post("/accounts/logout/")
    again = Client()
    log_in(again, "cityadmin", city.password)
    assert again.get(HOME)["Location"].startswith(TWO_FACTOR)


@override_settings(ZOUFANG_REQUIRE_2FA_ROLES=["city_admin"])
def test_the_set_up_page_writes_nothing_until_a_code_is_confirmed(city: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    log_in(client, "cityadmin", city.password)
    key = setup_key_of(client.get(TWO_FACTOR))
    assert setup_key_of(client.get(TWO_FACTOR)) != key  # each visit offers a new key
    assert not TOTPDevice.objects.exists()
    other = setup_key_of(login_page_of(city, "officer"))  # another user's key is refused
    refused = client.post(TWO_FACTOR, {"token": setup_code(other), "setup_key": other})
    assert refused.status_code == 400 and not TOTPDevice.objects.exists()
    client.post(TWO_FACTOR, {"token": setup_code(key), "setup_key": key})
    device = TOTPDevice.objects.get()
    assert device.user == city.user("city_admin") and device.confirmed
    assert AuditLog.objects.filter(action=AuditAction.UPDATE, note="second factor set up").exists()


def login_page_of(city: Any, username: str) -> Any:
    client = Client()
    log_in(client, username, city.password)
    return client.get(TWO_FACTOR)


@override_settings(ZOUFANG_REQUIRE_2FA_ROLES=["city_admin"])
def test_other_roles_need_it_only_once_they_set_it_up(city: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    log_in(client, "officer", city.password)
    assert client.get(HOME).status_code == 200
    TOTPDevice.objects.create(user=city.user("officer"), name="app", confirmed=True)
    fresh = Client()
    log_in(fresh, "officer", city.password)
    assert fresh.get(HOME)["Location"].startswith(TWO_FACTOR)


@override_settings(ZOUFANG_REQUIRE_2FA_ROLES=["city_admin"])
def test_the_api_session_needs_the_second_factor_too(city: Any) -> None:
    client = Client()
    log_in(client, "cityadmin", city.password)
    assert client.get("/api/v1/units").status_code == 401
    key = setup_key_of(client.get(TWO_FACTOR))
    client.post(TWO_FACTOR, {"token": setup_code(key), "setup_key": key})
    assert client.get("/api/v1/units").status_code == 200


@override_settings(ZOUFANG_REQUIRE_2FA_ROLES=["city_admin"])
def test_an_api_token_needs_the_second_factor_too(city: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def issue(**extra: str) -> Any:
        body = {"username": "cityadmin", "password": city.password, **extra}
        return Client().post(
            "/api/v1/auth/token", json.dumps(body), content_type="application/json"
        )

    assert issue().status_code == 401  # no device yet: set it up on the web first
    device = TOTPDevice.objects.create(user=city.user("city_admin"), name="app", confirmed=True)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert issue().status_code == 401
        assert issue(otp=wrong_code(city.user("city_admin"))).status_code == 401
        clock.shift(datetime.timedelta(seconds=2))
        assert issue(otp=code_of(device)).status_code == 200
    assert failures_of_the_second_factor("cityadmin") == 3  # no device, no code, wrong code
    officer = {"username": "officer", "password": city.password}
    assert (
        Client()
        .post("/api/v1/auth/token", json.dumps(officer), content_type="application/json")
        .status_code
        == 200
    )


def test_an_api_token_needs_a_current_password(city: Any) -> None:
    body = json.dumps({"username": "officer", "password": city.password})
    set_password_age("officer", 91)
    expired = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert expired.status_code == 403
    set_password_age("officer", 1)
    User.objects.filter(username="officer").update(must_change_password=True)
    first = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert first.status_code == 403
    User.objects.filter(username="officer").update(must_change_password=False)
    assert (
        Client().post("/api/v1/auth/token", body, content_type="application/json").status_code
        == 200
    )


def test_the_api_session_needs_a_current_password(city: Any) -> None:
    client = Client()
    log_in(client, "officer", city.password)
    assert client.get("/api/v1/units").status_code == 200
    set_password_age("officer", 91)
    assert client.get("/api/v1/units").status_code == 401


def test_login_redirects_only_within_the_site(city: Any) -> None:
    client = Client()
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "officer", "password": city.password}
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:home")
