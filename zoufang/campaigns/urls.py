from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("<slug:slug>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<slug:slug>/tasks/new/", views.TaskCreateView.as_view(), name="task_create"),
    path("<slug:slug>/tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("<slug:slug>/tasks/<int:pk>/report/", views.TaskReportView.as_view(), name="task_report"),
    path(
        "<slug:slug>/tasks/<int:pk>/reports/<int:report_id>/attachment/",
        views.TaskReportAttachmentView.as_view(),
        name="task_report_attachment",
    ),
    path("<slug:slug>/tasks/<int:pk>/done/", views.TaskDoneView.as_view(), name="task_done"),
    path("<slug:slug>/leaders/<str:badge_no>/", views.LeaderView.as_view(), name="leader"),
    path("<slug:slug>/meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("<slug:slug>/plans/", views.PlanListView.as_view(), name="plan_list"),
    path("<slug:slug>/plans/<str:unit_code>/", views.PlanDetailView.as_view(), name="plan_detail"),
]
