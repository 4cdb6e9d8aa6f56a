"""A fixed-window rate limit in the cache every worker shares (`CACHES["shared"]`, the
database), for the reveal of personal numbers and the public pages.

A process-local cache would multiply every limit by the number of gunicorn workers and app
servers; `zoufang check --deploy` warns when the shared cache is process-local
(`zoufang.W002`, core.checks).
"""

from __future__ import annotations

from django.core.cache import BaseCache, caches

SHARED_CACHE = "shared"


def store() -> BaseCache:
    """The cache rate limits count in."""
    return caches[SHARED_CACHE]


def rate_limited(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key`; True once more than `limit` hits fall in the window."""
    cache = store()
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, window_seconds):
        return False
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window_seconds)
        return False
    return hits > limit
