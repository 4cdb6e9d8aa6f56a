"""The public pages under /p/ (no login)."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("o/<str:token>/", public_views.PublicOpinionView.as_view(), name="opinion"),
    path("<str:unit_code>/", public_views.PublicOpinionCreateView.as_view(), name="opinion_create"),
    path("<str:unit_code>/survey/", public_views.PublicSurveyView.as_view(), name="survey"),
]
