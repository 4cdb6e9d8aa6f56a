"""Rate limits count in the database cache every worker and server shares."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache.backends.db import DatabaseCache

from zoufang.core import ratelimit
from zoufang.core.checks import shared_cache
from zoufang.core.models import SharedCacheEntry

pytestmark = pytest.mark.django_db


def test_the_limit_holds_across_workers(monkeypatch: Any) -> None:
    # Two workers: two cache objects of their own, one table between them.
    workers = [DatabaseCache("zoufang_shared_cache", {}), DatabaseCache("zoufang_shared_cache", {})]
    calls = iter(range(100))
    monkeypatch.setattr(ratelimit, "store", lambda: workers[next(calls) % 2])
    hits = [ratelimit.rate_limited("reveal:7", limit=5, window_seconds=60) for _ in range(7)]
    assert hits == [False] * 5 + [True] * 2
    assert SharedCacheEntry.objects.filter(cache_key__contains="ratelimit:reveal:7").exists()


def test_the_configured_limit_store_is_the_database() -> None:
    assert isinstance(ratelimit.store(), DatabaseCache)
    ratelimit.rate_limited("opinion:1.2.3.4", limit=5, window_seconds=60)
    assert SharedCacheEntry.objects.filter(cache_key__contains="ratelimit:opinion:1.2.3.4").exists()


def test_a_process_local_shared_cache_is_a_deploy_warning(settings: Any) -> None:
    assert shared_cache() == []
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert [message.id for message in shared_cache()] == ["zoufang.W002"]
    settings.CACHES = {"default": settings.CACHES["default"]}
    assert [message.id for message in shared_cache()] == ["zoufang.W002"]
