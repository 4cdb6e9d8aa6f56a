"""The client's address behind the documented nginx (issue 19 item 8; docs/deploy.md, "Client
addresses"; docs/security.md, "Issue 19 findings closed").

Everything that keys on an address — the login lockout (django-axes), the audit trail's
"from where", the public form's 5-an-hour limit, the token endpoint's throttle, the sessions
list — asks `core.addresses.client_ip`. With the proxy named in `ZOUFANG_TRUSTED_PROXIES`
each client is itself; with none named, a forwarded header a client writes changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from zoufang.core.addresses import client_ip
from zoufang.core.models import AuditAction, AuditLog
from zoufang.opinions.models import Opinion
from zoufang.org.models import UserSession

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"  # nginx on the app server's host, as docs/deploy.md draws it
BEHIND_NGINX = override_settings(ZOUFANG_TRUSTED_PROXIES=[NGINX])


def via_nginx(client_address: str) -> Client:
    """A browser at `client_address`, its requests passed on by nginx (which appends the
    address it saw to X-Forwarded-For)."""
    return Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=client_address)


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def submit_opinion(client: Client, text: str) -> int:
    body = {"content": text, "submitter_name": "", "submitter_phone": ""}
    return client.post(reverse("public:opinion_create", args=["JZ0101"]), body).status_code


# --- the function --------------------------------------------------------------------------


def address(remote: str, forwarded: str | None = None) -> str | None:
    meta: dict[str, str] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))  # type: ignore[arg-type]


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert address("203.0.113.5") == "203.0.113.5"
    assert address("203.0.113.5", "198.51.100.7") == "203.0.113.5"
    assert address("127.0.0.1", "198.51.100.7") == "127.0.0.1"


@BEHIND_NGINX
def test_behind_nginx_the_address_nginx_saw() -> None:
    assert address(NGINX, "198.51.100.7") == "198.51.100.7"
    # a client's own header comes first; nginx appends what it saw
    assert address(NGINX, "10.9.9.9, 1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert address(NGINX, "garbage, 198.51.100.7") == "198.51.100.7"
    # a request straight to the app server, not through nginx: its header is not believed
    assert address("198.51.100.7", "10.9.9.9") == "198.51.100.7"
    # no header (a health check from nginx itself): the proxy's own address
    assert address(NGINX) == NGINX


@override_settings(ZOUFANG_TRUSTED_PROXIES=["127.0.0.1", "10.1.0.0/16"])
def test_a_chain_of_named_proxies_is_walked_to_the_first_stranger() -> None:
    # browser → load balancer 10.1.2.3 → nginx 127.0.0.1 → gunicorn
    assert address(NGINX, "198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert address(NGINX, "10.9.9.9, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    # an entry that is no address, after the named proxies: stop at the last of them
    assert address(NGINX, "198.51.100.7, not-an-address, 10.1.2.3") == "10.1.2.3"
    # IPv6, with a port, and IPv4-mapped forms as proxies write them
    assert address(NGINX, "[2001:db8::5]:443, 10.1.2.3") == "2001:db8::5"
    assert address(NGINX, "198.51.100.7:5123") == "198.51.100.7"
    assert address("::ffff:127.0.0.1", "198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize("value", ["2", "nginx", "10.0.0.0/33"])
def test_a_bad_setting_stops_the_start_naming_it(value: str) -> None:
    import subprocess
    import sys

    from tests.test_settings import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "zoufang.cli", "check"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "ZOUFANG_TRUSTED_PROXIES": f"127.0.0.1,{value}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "ZOUFANG_TRUSTED_PROXIES" in done.stderr and repr(value) in done.stderr


# --- what keys on it -----------------------------------------------------------------------


@BEHIND_NGINX
def test_the_lockout_behind_nginx_locks_the_attacker_not_everyone(city: Any) -> None:
    """Keyed on nginx's address, five wrong passwords from anywhere locked the user out for
    everybody: anyone could lock any user out."""
    attacker = via_nginx("198.51.100.66")
    codes = [log_in(attacker, "officer", "wrong").status_code for _ in range(5)]
    assert codes[-1] == 429
    assert log_in(attacker, "officer", city.password).status_code == 429
    colleague = via_nginx("10.20.30.40")
    assert log_in(colleague, "officer", city.password).status_code == 302


def test_a_forged_header_does_not_escape_the_lockout(city: Any) -> None:
    """No proxy named: each attempt claiming another forwarded address is still one client."""
    codes = [
        log_in(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"), "officer", "wrong").status_code
        for n in range(5)
    ]
    assert codes[-1] == 429
    fresh = Client(HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert log_in(fresh, "officer", city.password).status_code == 429


@BEHIND_NGINX
def test_the_audit_trail_and_the_sessions_name_the_client(city: Any) -> None:
    browser = via_nginx("198.51.100.7")
    assert log_in(browser, "officer", city.password).status_code == 302
    login = AuditLog.objects.filter(action=AuditAction.LOGIN).latest("id")
    assert login.ip == "198.51.100.7"
    assert UserSession.objects.get(user=city.user("officer")).ip == "198.51.100.7"
    log_in(via_nginx("198.51.100.8"), "officer", "wrong")
    failed = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    assert failed.ip == "198.51.100.8"


@BEHIND_NGINX
def test_the_public_forms_limit_is_per_citizen_behind_nginx(city: Any) -> None:
    """Keyed on nginx's address, the 5-an-hour limit covered the whole city."""
    neighbour = via_nginx("198.51.100.7")
    assert [submit_opinion(neighbour, f"意见{n}") for n in range(6)] == [302] * 5 + [429]
    assert submit_opinion(via_nginx("203.0.113.20"), "另一位群众的意见") == 302
    assert Opinion.objects.count() == 6


def test_the_public_forms_limit_ignores_a_forged_header(city: Any) -> None:
    codes = [
        submit_opinion(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"), f"意见{n}") for n in range(6)
    ]
    assert codes == [302] * 5 + [429]


def test_the_token_throttle_ignores_a_forged_header(city: Any) -> None:
    """django-ninja's own throttle keyed on X-Forwarded-For as the client wrote it: a new
    value each time and the token endpoint was never throttled."""
    codes = [
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .post(
            "/api/v1/auth/token",
            {"username": f"nobody{n}", "password": "x"},
            content_type="application/json",
        )
        .status_code
        for n in range(11)
    ]
    assert codes[:10] == [401] * 10 and codes[10] == 429


@BEHIND_NGINX
def test_the_token_throttle_is_per_client_behind_nginx(city: Any) -> None:
    def ask(client_address: str, n: int) -> int:
        return (
            via_nginx(client_address)
            .post(
                "/api/v1/auth/token",
                {"username": f"nobody{n}", "password": "x"},  # not the lockout: one try each
                content_type="application/json",
            )
            .status_code
        )

    assert [ask("198.51.100.7", n) for n in range(11)] == [401] * 10 + [429]
    assert ask("203.0.113.20", 11) == 401
