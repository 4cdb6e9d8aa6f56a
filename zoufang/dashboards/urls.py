from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboards/units/<str:code>/", views.UnitView.as_view(), name="unit"),
    path("dashboards/leader/", views.LeaderView.as_view(), name="leader_self"),
    path("dashboards/leaders/<str:badge_no>/", views.LeaderView.as_view(), name="leader"),
    path("dashboards/data/summary/", views.SummaryDataView.as_view(), name="summary_data"),
    path("dashboards/data/trend/", views.TrendDataView.as_view(), name="trend_data"),
    path(
        "dashboards/data/leaderboard/", views.LeaderboardDataView.as_view(), name="leaderboard_data"
    ),
]
