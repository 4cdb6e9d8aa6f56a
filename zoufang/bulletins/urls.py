"""The campaign column (活动快报) and the bulletin pages."""

from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.BulletinListView.as_view(), name="bulletin_list"),
    path("manage/", views.BulletinManageView.as_view(), name="bulletin_manage"),
    path("digest/", views.BulletinDigestView.as_view(), name="bulletin_digest"),
    path("digest.docx", views.BulletinDigestDownloadView.as_view(), name="bulletin_digest_docx"),
    path("new/", views.BulletinCreateView.as_view(), name="bulletin_create"),
    path("<int:pk>/", views.BulletinDetailView.as_view(), name="bulletin_detail"),
    path("<int:pk>/edit/", views.BulletinUpdateView.as_view(), name="bulletin_update"),
    path("<int:pk>/act/", views.BulletinActView.as_view(), name="bulletin_act"),
    path(
        "<int:pk>/images/<int:image_id>/",
        views.BulletinImageView.as_view(),
        name="bulletin_image",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        views.BulletinAttachmentView.as_view(),
        name="bulletin_attachment",
    ),
]
