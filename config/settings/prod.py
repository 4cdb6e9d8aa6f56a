"""Production settings: every secret from the environment, and refuse to start without it."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_list

REQUIRED = (
    "DATABASE_URL",
    "ZOUFANG_SECRET_KEY",
    "ZOUFANG_ALLOWED_HOSTS",
    "ZOUFANG_FIELD_KEY",
    "ZOUFANG_FIELD_HASH_KEY",
)
_missing = [name for name in REQUIRED if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(
        "Zoufang refuses to start: missing environment variable(s) " + ", ".join(_missing)
    )

DEBUG = False
SECRET_KEY = os.environ["ZOUFANG_SECRET_KEY"]
ALLOWED_HOSTS = env_list("ZOUFANG_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
ZOUFANG_FIELD_KEY = os.environ["ZOUFANG_FIELD_KEY"]
ZOUFANG_FIELD_HASH_KEY = os.environ["ZOUFANG_FIELD_HASH_KEY"]
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405

SECURE_SSL_REDIRECT = True
# The load balancer polls the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
