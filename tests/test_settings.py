"""Settings: prod refuses to start without its secrets and passes the deploy check with them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "DATABASE_URL": "sqlite:///var/check.sqlite3",
    "ZOUFANG_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
    "ZOUFANG_ALLOWED_HOSTS": "zoufang.example.gov.cn",
    "ZOUFANG_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
    "ZOUFANG_FIELD_HASH_KEY": base64.b64encode(os.urandom(32)).decode(),
    "ZOUFANG_TRUSTED_PROXIES": "127.0.0.1",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZOUFANG_", "DATABASE_URL", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "zoufang.cli", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prod_refuses_to_start_without_each_secret() -> None:
    for name in ("ZOUFANG_SECRET_KEY", "ZOUFANG_FIELD_KEY", "DATABASE_URL"):
        env = {k: v for k, v in PROD_ENV.items() if k != name}
        result = run(["check"], env)
        assert result.returncode != 0
        assert name in result.stderr


def test_prod_passes_the_deploy_check() -> None:
    result = run(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_refuses_longer_sessions() -> None:
    """The environment may shorten the session lifetimes, never lengthen them."""
    for name, value in (
        ("ZOUFANG_SESSION_IDLE_MINUTES", "60"),
        ("ZOUFANG_SESSION_ABSOLUTE_HOURS", "24"),
    ):
        result = run(["check", "--deploy", "--fail-level", "WARNING"], {**PROD_ENV, name: value})
        assert result.returncode != 0 and "zoufang.W003" in result.stdout + result.stderr, name


def test_the_deploy_check_asks_for_the_proxy_in_front() -> None:
    """Issue 19 item 8: prod believes a proxy's X-Forwarded-Proto, so a proxy is in front;
    without it named every client has its address (docs/deploy.md, "Client addresses")."""
    env = {k: v for k, v in PROD_ENV.items() if k != "ZOUFANG_TRUSTED_PROXIES"}
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0 and "zoufang.W004" in result.stdout + result.stderr


PROD_VALUES = """
import json
from django.conf import settings
from django.contrib.auth.hashers import make_password
print(json.dumps({
    "hash": make_password("Zoufang#2024"),
    "debug": settings.DEBUG,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "hsts_subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "csrf_httponly": settings.CSRF_COOKIE_HTTPONLY,
    "samesite": settings.SESSION_COOKIE_SAMESITE,
    "idle": settings.SESSION_COOKIE_AGE,
    "renew": settings.SESSION_SAVE_EVERY_REQUEST,
    "absolute_hours": settings.ZOUFANG_SESSION_ABSOLUTE_HOURS,
    "frames": settings.X_FRAME_OPTIONS,
    "nosniff": settings.SECURE_CONTENT_TYPE_NOSNIFF,
    "lockout": [settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME],
    "lockout_keys": settings.AXES_LOCKOUT_PARAMETERS,
    "password_days": settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS,
    "middleware": settings.MIDDLEWARE,
}))
"""


def test_prod_settings_hold_the_controls() -> None:
    """What the deploy check does not look at: argon2, the lifetimes, the lockout."""
    result = run(["shell", "-c", PROD_VALUES], PROD_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["hash"].startswith("argon2$argon2id$")
    assert values["debug"] is False
    assert values["hsts"] >= 31_536_000 and values["hsts_subdomains"]
    assert values["ssl_redirect"] and values["session_secure"] and values["csrf_secure"]
    assert values["session_httponly"] and values["csrf_httponly"]
    assert values["samesite"] in ("Lax", "Strict")
    assert values["idle"] <= 30 * 60 and values["renew"] and values["absolute_hours"] <= 12
    assert values["frames"] == "DENY" and values["nosniff"]
    assert values["lockout"] == [5, 0.5] and values["lockout_keys"] == [["username", "ip_address"]]
    assert values["password_days"] <= 90
    for name in (
        "csp.middleware.CSPMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "axes.middleware.AxesMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "zoufang.org.middleware.AccountPolicyMiddleware",
        "zoufang.core.middleware.NoStoreMiddleware",
    ):
        assert name in values["middleware"], name
