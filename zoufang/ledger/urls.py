from django.urls import path

from . import import_views, views

app_name = "ledger"

urlpatterns = [
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", views.VisitUpdateView.as_view(), name="visit_update"),
    path("visits/<int:pk>/delete/", views.VisitDeleteView.as_view(), name="visit_delete"),
    path("visits/<int:pk>/reveal/", views.VisitRevealView.as_view(), name="visit_reveal"),
    path("visits/export.xlsx", import_views.ExportView.as_view(), name="visit_export"),
    path("exports/", import_views.ExportRequestsView.as_view(), name="export_requests"),
    path("exports/<int:pk>/decide/", import_views.ExportDecideView.as_view(), name="export_decide"),
    path(
        "exports/<int:pk>/download/",
        import_views.ExportDownloadView.as_view(),
        name="export_download",
    ),
    path("import/", import_views.ImportView.as_view(), name="import"),
    path("import/<int:pk>/", import_views.ImportJobView.as_view(), name="import_job"),
    path(
        "import/<int:pk>/errors.xlsx", import_views.ImportErrorsView.as_view(), name="import_errors"
    ),
    path("template.xlsx", import_views.TemplateDownloadView.as_view(), name="template"),
]
