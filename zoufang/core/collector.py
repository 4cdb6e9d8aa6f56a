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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cycle collector back inside the block; call `collect_young` now and then."""
    global _paused
    with _lock:
        _paused += 1
        if _paused == 1:
            gc.freeze()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0:
                gc.unfreeze()
                gc.enable()


def collect_young() -> int:
    """Collect the cycles among the objects made since the last collection (those still
    held move on to the oldest generation); returns how many objects were unreachable."""
    return gc.collect(1)
