from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", views.VisitUpdateView.as_view(), name="visit_update"),
    path("visits/<int:pk>/delete/", views.VisitDeleteView.as_view(), name="visit_delete"),
]
