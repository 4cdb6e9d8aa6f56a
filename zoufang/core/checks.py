"""System checks (`zoufang check`, `check --deploy`) for the personal-data settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def personal_data_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The personal-data keys, current and previous, decode and do not repeat."""
    from .personal import keyring

    try:
        keyring()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                f"Personal-data keys: {error}",
                hint="Each key is base64 of 32 random bytes; see .env.example.",
                id="zoufang.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def personal_data_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Audit snapshots of visits (names, addresses) must not outlive the visits' retention."""
    audit = int(getattr(settings, "ZOUFANG_AUDIT_RETENTION_DAYS", 0))
    visits = int(getattr(settings, "ZOUFANG_VISIT_RETENTION_DAYS", 0))
    if visits and audit > visits:
        return [
            checks.Warning(
                f"ZOUFANG_AUDIT_RETENTION_DAYS ({audit}) is longer than "
                f"ZOUFANG_VISIT_RETENTION_DAYS ({visits}): the audit trail would keep the "
                "names and addresses of visits after anonymise_visits has removed them.",
                hint="Keep audit rows no longer than visits, and run purge_audit.",
                id="zoufang.W001",
            )
        ]
    return []


PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.security, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Rate limits count in `CACHES["shared"]`; a cache each process keeps to itself would
    multiply every limit by the number of workers and servers."""
    from .ratelimit import SHARED_CACHE

    backend = settings.CACHES.get(SHARED_CACHE, {}).get("BACKEND", "")
    if backend and backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            f'CACHES["{SHARED_CACHE}"] is {backend or "missing"}: each worker would count the '
            "rate limits (reveals of personal data, public pages) on its own.",
            hint="Use a cache every worker and server shares: the database cache of base.py.",
            id="zoufang.W002",
        )
    ]


MAX_IDLE_SECONDS = 30 * 60
MAX_ABSOLUTE_HOURS = 12


@checks.register(checks.Tags.security, deploy=True)
def session_lifetimes(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Sessions end after at most 30 idle minutes and 12 hours in all (docs/security.md);
    ZOUFANG_SESSION_IDLE_MINUTES and ZOUFANG_SESSION_ABSOLUTE_HOURS may only shorten them."""
    problems = []
    idle = int(settings.SESSION_COOKIE_AGE)
    if idle > MAX_IDLE_SECONDS or not settings.SESSION_SAVE_EVERY_REQUEST:
        problems.append(
            f"SESSION_COOKIE_AGE is {idle} s (SESSION_SAVE_EVERY_REQUEST "
            f"{settings.SESSION_SAVE_EVERY_REQUEST}): a session must end after at most "
            f"{MAX_IDLE_SECONDS // 60} idle minutes"
        )
    absolute = float(getattr(settings, "ZOUFANG_SESSION_ABSOLUTE_HOURS", 0) or 0)
    if not 0 < absolute <= MAX_ABSOLUTE_HOURS:
        problems.append(
            f"ZOUFANG_SESSION_ABSOLUTE_HOURS is {absolute:g}: a session must end after at most "
            f"{MAX_ABSOLUTE_HOURS} hours"
        )
    return [
        checks.Warning(
            problem,
            hint="Lower ZOUFANG_SESSION_IDLE_MINUTES / ZOUFANG_SESSION_ABSOLUTE_HOURS.",
            id="zoufang.W003",
        )
        for problem in problems
    ]


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A deployment that believes a proxy's X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER, as
    prod does: TLS ends at nginx) has a proxy in front; unless it is named in
    ZOUFANG_TRUSTED_PROXIES every client has the proxy's address (core.addresses)."""
    if settings.SECURE_PROXY_SSL_HEADER and not settings.ZOUFANG_TRUSTED_PROXIES:
        return [
            checks.Warning(
                "SECURE_PROXY_SSL_HEADER says a proxy ends TLS in front of Zoufang, but "
                "ZOUFANG_TRUSTED_PROXIES names none: every client would have the proxy's "
                "address, so the login lockout and the rate limits would cover everyone at "
                "once and the audit trail would name the proxy.",
                hint="Set ZOUFANG_TRUSTED_PROXIES to the proxies' addresses or networks "
                "(127.0.0.1 for nginx on the same host); see docs/deploy.md.",
                id="zoufang.W004",
            )
        ]
    return []
