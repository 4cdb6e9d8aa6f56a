"""Database routing: the roll-ups the dashboards read come from a read replica when the
deployment has one (`DATABASE_REPLICA_URL`, docs/deploy.md); everything else, and every
write, goes to the primary.

Only the roll-ups go to the replica: they are what the dashboards and assessment read in
bulk, and a few seconds of replication lag in a figure is harmless there. Pages that show a
record just written (the ledger, opinions) keep reading the primary, so a user never misses
what he or she saved a moment ago.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def replica_models() -> frozenset[str]:
    """The models (app_label.ModelName, lower case) read from the replica."""
    return frozenset(name.lower() for name in settings.ZOUFANG_REPLICA_MODELS)


class ReplicaRouter:
    """Reads of the listed models from the replica alias (`ZOUFANG_READ_REPLICA`, set when
    DATABASE_REPLICA_URL is), if there is one."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        replica: str = settings.ZOUFANG_READ_REPLICA
        if replica and model._meta.label_lower in replica_models():
            return replica
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != settings.ZOUFANG_READ_REPLICA  # it follows the primary by replication
