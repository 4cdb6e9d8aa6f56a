"""Routes of the core app: the health check (`/healthz`)."""

from django.urls import path

from zoufang.core import views

app_name = "core"
urlpatterns = [path("", views.health, name="health")]
