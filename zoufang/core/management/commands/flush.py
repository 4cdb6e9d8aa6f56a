"""`zoufang flush`: Django's flush, with the audit trail's append-only triggers lifted for it.

Flush empties every table (a developer's reset; the test runner after each transactional
test). The audit triggers refuse DELETE (SQLite) and TRUNCATE (PostgreSQL), so the wipe runs
inside one transaction with them suspended and restored (`core.auditchain.guard_suspended`).
That needs the rights of the tables' owner, which a production application role lacks.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from zoufang.core.auditchain import guard_suspended


class Command(flush.Command):
    help = flush.Command.help + " The audit trail's append-only triggers are lifted for it."

    def handle(self, **options: Any) -> None:
        with guard_suspended(using=options["database"]):
            super().handle(**options)
