"""The API instance: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from zoufang.assessment.api import router as assessment_router
from zoufang.bulletins.api import router as bulletins_router
from zoufang.campaigns.api import router as campaigns_router
from zoufang.dashboards.api import router as stats_router
from zoufang.inspections.api import router as inspections_router
from zoufang.ledger.api import router as visits_router
from zoufang.opinions.api import router as opinions_router
from zoufang.org.api import router as units_router

from .api import router as auth_router
from .auth import BearerAuth, SessionAuth
from .errors import install_error_handlers

api = NinjaAPI(
    title="Zoufang API",
    version="1",
    description="走访 · 大走访开门评 — the JSON API. Scope and masking as in the pages.",
    auth=[BearerAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/units", units_router)
api.add_router("/visits", visits_router)
api.add_router("/opinions", opinions_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/inspections", inspections_router)
api.add_router("/bulletins", bulletins_router)
api.add_router("/assessments", assessment_router)
api.add_router("/stats", stats_router)
