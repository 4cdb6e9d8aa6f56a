"""Test settings: the database from DATABASE_URL (SQLite in memory by default), fresh keys."""

from __future__ import annotations

import base64
import os
import secrets

from .base import *  # noqa: F403
from .base import database_from_url

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite://:memory:"))}
DATABASES["default"]["TEST"] = {"NAME": None}
ZOUFANG_READ_REPLICA = ""  # tests read and write one database
SECRET_KEY = "test-only-" + secrets.token_urlsafe(40)
ZOUFANG_FIELD_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
ZOUFANG_FIELD_HASH_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
ZOUFANG_IMPORT_INLINE = True
