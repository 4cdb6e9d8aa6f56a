"""The project's URL map: one include per app, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from zoufang.api.urls import api

urlpatterns = [
    path("", include("zoufang.dashboards.urls")),
    path("accounts/", include("zoufang.org.urls")),
    path("ledger/", include("zoufang.ledger.urls")),
    path("campaigns/", include("zoufang.campaigns.urls")),
    path("opinions/", include("zoufang.opinions.urls")),
    path("inspections/", include("zoufang.inspections.urls")),
    path("bulletins/", include("zoufang.bulletins.urls")),
    path("assessment/", include("zoufang.assessment.urls")),
    path("notices/", include("zoufang.notices.urls")),
    path("figures/", include("zoufang.figures.urls")),
    path("p/", include("zoufang.opinions.public_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", include("zoufang.core.urls")),
]
