from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice_list"),
    path("draft/", views.NoticeDraftView.as_view(), name="notice_draft"),
    path("<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path(
        "<int:pk>/download.<str:kind>", views.NoticeDownloadView.as_view(), name="notice_download"
    ),
]
