from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("<int:pk>/findings/", views.FindingCreateView.as_view(), name="finding_create"),
    path("findings/<int:pk>/rectify/", views.FindingRectifyView.as_view(), name="finding_rectify"),
    path("findings/<int:pk>/verify/", views.FindingVerifyView.as_view(), name="finding_verify"),
    path(
        "campaigns/<slug:slug>/plans/<str:unit_code>/finding/",
        views.PlanFindingView.as_view(),
        name="plan_finding",
    ),
]
