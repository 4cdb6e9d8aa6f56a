"""Settings shared by every deployment; everything that differs comes from the environment."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from zoufang.core.addresses import trusted_proxy_networks

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("ZOUFANG_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a DATABASE_URL, with SQLite tuned for concurrent use."""
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = str(config["NAME"])
        if name not in ("", ":memory:") and not Path(name).is_absolute():
            config["NAME"] = str(BASE_DIR / name)
        config["OPTIONS"] = {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of deadlocking on lock upgrade.
            # 16 KB pages (a new database's; an existing one keeps its own): the ledger's
            # nine indexes take bulk inserts 12-15 % faster and commits a third faster
            # than with 4 KB (docs/ledger-files.md).
            "init_command": (
                "PRAGMA page_size=16384;PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA cache_size=-64000;PRAGMA temp_store=MEMORY"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        # JIT compilation costs 0.3 s on the ledger's counts and saves nothing on pages;
        # 16 MB keeps the list's bitmap scans exact (docs/ledger-indexes.md).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off -c work_mem=16MB"
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///var/zoufang.sqlite3")
DATABASES = {"default": database_from_url(DATABASE_URL)}
# A read replica for the dashboards' roll-ups (docs/deploy.md); reads of the models listed in
# ZOUFANG_REPLICA_MODELS go there (core.routers.ReplicaRouter), everything else to default.
ZOUFANG_READ_REPLICA = ""
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(os.environ["DATABASE_REPLICA_URL"])
    ZOUFANG_READ_REPLICA = "replica"
DATABASE_ROUTERS = ["zoufang.core.routers.ReplicaRouter"]
ZOUFANG_REPLICA_MODELS = ["ledger.VisitDaily", "ledger.VisitDailyCity"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECRET_KEY = os.environ.get("ZOUFANG_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ZOUFANG_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "ninja",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "zoufang.core",
    "zoufang.org",
    "zoufang.campaigns",
    "zoufang.ledger",
    "zoufang.api",
    "zoufang.dashboards",
    "zoufang.opinions",
    "zoufang.inspections",
    "zoufang.bulletins",
    "zoufang.assessment",
    "zoufang.notices",
    "zoufang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zoufang.core.middleware.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zoufang.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zoufang.org.middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zoufang.api.middleware.IdempotencyMiddleware",
    "zoufang.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zoufang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zoufang.org.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zoufang.org.passwords.CharacterClassesValidator", "OPTIONS": {"classes": 3}},
    {"NAME": "zoufang.org.passwords.NotTheCurrentPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Users see Simplified Chinese whatever their browser asks for; the English msgids are the
# source text, not an offered language.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "zoufang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "zoufang" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Caches: `default` for what each process may keep to itself (dashboard figures, the
# opinion classifier); `shared`, in the database, for what must hold across every worker
# and app server: the rate limits (core.ratelimit). Its table is a model (core.SharedCacheEntry),
# so `migrate` creates it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "zoufang_shared_cache",
    },
}

# Sessions: idle expiry 30 minutes (renewed on every request), absolute 12 hours.
SESSION_COOKIE_AGE = int(os.environ.get("ZOUFANG_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
ZOUFANG_SESSION_ABSOLUTE_HOURS = int(os.environ.get("ZOUFANG_SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: htmx sends the token from <body hx-headers> (base.html), the
# API docs from their page.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Logs and error reports carry no personal data (docs/security.md): every handler masks
# phone- and ID-like numbers (core.redaction.PersonalDataFilter) — a handler added here must
# list "personal_data" too (core/tests/test_redaction.py checks) — and Django's error
# reports hide personal and secret fields. Django's own "django" and "django.server" loggers
# are configured here so that its default handlers (without the filter) are replaced.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "zoufang.core.redaction.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "zoufang": {"level": "INFO"},
    },
}
DEFAULT_EXCEPTION_REPORTER = "zoufang.core.redaction.PersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "zoufang.core.redaction.PersonalDataReporterFilter"

# --- Zoufang's own settings -------------------------------------------------------------
# Personal data: AES-GCM key and HMAC key, base64 (see docs/decisions/0003-personal-data.md).
ZOUFANG_FIELD_KEY = os.environ.get("ZOUFANG_FIELD_KEY", "")
ZOUFANG_FIELD_HASH_KEY = os.environ.get("ZOUFANG_FIELD_HASH_KEY", "")
# Key rotation (`zoufang rotate_field_key`): the keys being rotated away from, still read
# until the command has re-sealed every value under the current ones; comma-separated.
ZOUFANG_FIELD_KEYS_PREVIOUS = env_list("ZOUFANG_FIELD_KEYS_PREVIOUS")
ZOUFANG_FIELD_HASH_KEYS_PREVIOUS = env_list("ZOUFANG_FIELD_HASH_KEYS_PREVIOUS")
ZOUFANG_API_TOKEN_TTL_HOURS = int(os.environ.get("ZOUFANG_API_TOKEN_TTL_HOURS", "720"))
ZOUFANG_IDEMPOTENCY_TTL_HOURS = 24
ZOUFANG_PAGE_SIZE = 50
ZOUFANG_SITE_NAME = _("Zoufang")

FORM_RENDERER = "zoufang.core.forms.FormRenderer"
# Inspections: working days a unit has to rectify a finding; the deduction for a copied plan.
ZOUFANG_RECTIFY_DAYS = int(os.environ.get("ZOUFANG_RECTIFY_DAYS", "10"))
ZOUFANG_COPIED_PLAN_DEDUCTION = Decimal(os.environ.get("ZOUFANG_COPIED_PLAN_DEDUCTION", "2"))
# Notices: the issuing office (版头 and 署名) and the 文号 prefix (江公走访〔2022〕3号).
ZOUFANG_NOTICE_ISSUER = os.environ.get(
    "ZOUFANG_NOTICE_ISSUER", "江州市公安局大走访开门评活动办公室"
)
ZOUFANG_NOTICE_PREFIX = os.environ.get("ZOUFANG_NOTICE_PREFIX", "江公走访")

# Accounts: lockout after 5 failures for 30 minutes per user name and address (django-axes),
# password age, second factor (TOTP) for the roles a deployment names.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zoufang.org.views.locked_out"
AXES_VERBOSE = False
# The client's address (the lockout's key, the audit trail's "from where", every rate limit):
# REMOTE_ADDR, or behind the reverse proxies named here (addresses or CIDR networks,
# comma-separated; the documented nginx on the same host is 127.0.0.1) the address the
# outermost of them saw, from X-Forwarded-For. Empty: the header is never read
# (zoufang.core.addresses, docs/deploy.md).
ZOUFANG_TRUSTED_PROXIES = env_list("ZOUFANG_TRUSTED_PROXIES", "")
trusted_proxy_networks(ZOUFANG_TRUSTED_PROXIES)  # a bad item stops the start, naming it
AXES_CLIENT_IP_CALLABLE = "zoufang.core.addresses.client_ip"
ZOUFANG_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZOUFANG_PASSWORD_MAX_AGE_DAYS", "90"))
ZOUFANG_REQUIRE_2FA_ROLES = env_list("ZOUFANG_REQUIRE_2FA_ROLES", "")
OTP_TOTP_ISSUER = "Zoufang"

# Content security policy: no inline scripts or styles anywhere in our pages. The API's
# interactive docs (Swagger's inline bootstrap script) and Django's admin are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs", "/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Ledger import: check and write in a background thread (False) or inline (tests).
ZOUFANG_IMPORT_INLINE = os.environ.get("ZOUFANG_IMPORT_INLINE", "") == "1"
# Exports over this many rows need the city office's approval (and carry a watermark).
ZOUFANG_EXPORT_APPROVAL_ROWS = int(os.environ.get("ZOUFANG_EXPORT_APPROVAL_ROWS", "5000"))
ZOUFANG_UPLOAD_MAX_BYTES = int(os.environ.get("ZOUFANG_UPLOAD_MAX_MB", "50")) * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
# Audit rows are kept at least this many days (184, six months, is the floor; purge_audit).
ZOUFANG_AUDIT_RETENTION_DAYS = int(os.environ.get("ZOUFANG_AUDIT_RETENTION_DAYS", "184"))
# Visits older than this many days lose their personal data (`zoufang anonymise_visits`, daily
# from cron; 365 at least). Three years: the campaign year and two more, for return visits,
# year-on-year comparison and inspections or appeals that look back (docs/security.md).
ZOUFANG_VISIT_RETENTION_DAYS = int(os.environ.get("ZOUFANG_VISIT_RETENTION_DAYS", "1095"))
