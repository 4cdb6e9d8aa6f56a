"""The health check a load balancer or a benchmark polls: `GET /healthz` → `{"status": "ok"}`.

It answers from the process alone (no database, no session, no template), so it tells that a
worker is up and serving, and it is the ceiling the HTTP benchmark compares pages against.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """The worker is up: 200 with `{"status": "ok"}`, never cached, no login needed."""
    return JsonResponse({"status": "ok"})
