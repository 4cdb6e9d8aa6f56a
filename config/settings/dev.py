"""Development settings: SQLite by default, debug on, secrets generated once into var/."""

from __future__ import annotations

import base64
import json
import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR


def _dev_secrets() -> dict[str, str]:
    """Random keys for this checkout, created on first use and kept out of the repository."""
    path = VAR_DIR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    values = {
        "ZOUFANG_SECRET_KEY": secrets.token_urlsafe(50),
        "ZOUFANG_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ZOUFANG_FIELD_HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


_secrets = _dev_secrets()
DEBUG = True
SECRET_KEY = os.environ.get("ZOUFANG_SECRET_KEY") or _secrets["ZOUFANG_SECRET_KEY"]
ZOUFANG_FIELD_KEY = os.environ.get("ZOUFANG_FIELD_KEY") or _secrets["ZOUFANG_FIELD_KEY"]
ZOUFANG_FIELD_HASH_KEY = (
    os.environ.get("ZOUFANG_FIELD_HASH_KEY") or _secrets["ZOUFANG_FIELD_HASH_KEY"]
)
