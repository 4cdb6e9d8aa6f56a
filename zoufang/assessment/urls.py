from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("services/", views.ServiceRecordListView.as_view(), name="service_list"),
    path("services/import/", views.ServiceImportView.as_view(), name="service_import"),
    path(
        "services/import/<int:pk>/",
        views.ServiceImportDetailView.as_view(),
        name="service_import_detail",
    ),
    path("services/template.xlsx", views.ServiceTemplateView.as_view(), name="service_template"),
    path("<slug:campaign>/<slug:phase>/", views.AssessmentView.as_view(), name="assessment"),
    path("<slug:campaign>/<slug:phase>/publish/", views.PublishView.as_view(), name="publish"),
]
