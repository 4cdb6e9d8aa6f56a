from django.urls import path  # noqa: F401  (the bulletins pages are added here)

app_name = "bulletins"

urlpatterns: list = []
