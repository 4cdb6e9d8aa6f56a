"""Python's cycle collector held back while a long loop makes objects by the hundred
thousand (a ledger import): `collector_paused`.

Left alone, the collector runs every 700 new container objects and now and then scans every
object of the process — Django's included — over and over: a tenth of an import's time. While
paused, the objects that existed before are set aside (`gc.freeze`) and the loop collects its
young objects when it suits it, once a batch (`collect_young`). Threads share the collector:
it runs again when the last pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
# The collector's state before the first pause: put back when the last one ends.
_was_enabled = True
_had_frozen = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cycle collector back inside the block; call `collect_young` now and then.
    A process that had frozen objects itself (a server freezing before it forks) keeps
    them frozen, and what this froze with them."""
    global _paused, _was_enabled, _had_frozen
    with _lock:
        _paused += 1
        if _paused == 1:
            _was_enabled, _had_frozen = gc.isenabled(), gc.get_freeze_count() > 0
            gc.freeze()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0:
                if not _had_frozen:
                    gc.unfreeze()
                if _was_enabled:
                    gc.enable()


def collect_young() -> int:
    """Collect the cycles among the objects made since the last collection (those still
    held move on to the oldest generation); returns how many objects were unreachable."""
    return gc.collect(1)
