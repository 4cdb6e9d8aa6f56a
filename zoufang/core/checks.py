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
