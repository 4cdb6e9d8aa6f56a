"""Settings: prod refuses to start without its secrets and passes the deploy check with them."""

from __future__ import annotations

import base64
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
