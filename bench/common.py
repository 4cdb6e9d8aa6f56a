"""What every benchmark shares: timing, peak memory, and the one-line JSON result.

Every benchmark is `python -m bench.<name> ... --json`; its last line is
`{"bench": name, "figures": {...}, "ratios": {...}}`, where every ratio compares two things
measured in the same run (never a stored number).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def setup_django(settings: str = "config.settings.dev") -> None:
    """Configure Django for a benchmark run (DATABASE_URL picks the database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django

    django.setup()


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """`with stopwatch() as t: ...` then `t["seconds"]`."""
    result: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - started


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 and p95 of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95_index = max(0, round(0.95 * len(ordered)) - 1)
    return {"p50_ms": statistics.median(ordered), "p95_ms": ordered[p95_index]}


def time_repeated(fn: Callable[[], Any], *, repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def peak_rss_mb(*, children: bool = False) -> float:
    """This process's peak resident memory so far, in MB; with `children`, the largest of
    its finished child processes' (e.g. the importer's sheet reader)."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the shared `--json` flag."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", action="store_true", help="print the result as one JSON line last")
    return p


def emit(name: str, figures: dict[str, Any], ratios: dict[str, Any], *, as_json: bool) -> None:
    """Print the result: a readable table, then (with --json) the JSON line last."""
    if not as_json:
        for key, value in {**figures, **{f"ratio {k}": v for k, v in ratios.items()}}.items():
            print(f"{key:>28}  {value}")
        return
    print(json.dumps({"bench": name, "figures": figures, "ratios": ratios}, ensure_ascii=False))
    sys.stdout.flush()
