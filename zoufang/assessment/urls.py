from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("services/", views.ServiceRecordListView.as_view(), name="service_list"),
    path("<slug:campaign>/<slug:phase>/", views.AssessmentView.as_view(), name="assessment"),
    path("<slug:campaign>/<slug:phase>/publish/", views.PublishView.as_view(), name="publish"),
]
