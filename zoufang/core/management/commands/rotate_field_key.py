"""`zoufang rotate_field_key [--batch-size N] [--check]`: re-seal personal data under the
current keys.

Procedure (docs/decisions/0003-personal-data.md): put the old key in
`ZOUFANG_FIELD_KEYS_PREVIOUS` (and the old hash key in `ZOUFANG_FIELD_HASH_KEYS_PREVIOUS`),
the new one in `ZOUFANG_FIELD_KEY` (`ZOUFANG_FIELD_HASH_KEY`), restart, run this command
(again after an interruption: it resumes), then `--check`, and drop the previous keys.

Exit codes: 0 done (or, with `--check`, nothing left under a previous key); 1 when values
remain that no configured key opens (named by id), or, with `--check`, when values are still
sealed under a previous key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zoufang.core.keyrotation import DEFAULT_BATCH, field_keys_rotate, rotation_pending
from zoufang.core.personal import keyring


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {count}" for label, count in counts.items()) or "none"


class Command(BaseCommand):
    help = "Re-encrypt and re-hash every personal value under the current keys (resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; exit 1 while any value still needs a previous key",
        )

    def handle(self, *args: Any, batch_size: int, check: bool, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        prefix = keyring().prefix.rstrip(".")
        if check:
            pending = rotation_pending()
            left = sum(pending.values())
            self.stdout.write(
                f"keys {prefix}: {left} values not yet re-sealed ({_counts(pending)})"
            )
            if left:
                raise CommandError("run `zoufang rotate_field_key` before dropping old keys")
            return
        result = field_keys_rotate(
            batch_size=batch_size,
            on_batch=lambda r: self.stdout.write(
                f"batch {r.batches}: {sum(r.resealed.values())} re-sealed so far"
            ),
        )
        self.stdout.write(
            f"keys {prefix}: re-sealed {sum(result.resealed.values())} values "
            f"({_counts(dict(result.resealed))}) in {result.batches} batches"
        )
        if result.unreadable:
            named = "; ".join(
                f"{label}: ids {', '.join(map(str, ids[:20]))}"
                for label, ids in result.unreadable.items()
            )
            raise CommandError(
                f"{result.unreadable_count} values open with no configured key ({named}); "
                "keep the old keys until they are resolved"
            )
