from django.urls import path

from . import views

app_name = "figures"

urlpatterns = [
    path("", views.DefinitionsView.as_view(), name="definitions"),
    path("<slug:code>/", views.RecordsView.as_view(), name="records"),
]
