from django.urls import path

from . import views

app_name = "opinions"

urlpatterns = [
    path("", views.OpinionListView.as_view(), name="opinion_list"),
    path("assign/", views.OpinionBulkAssignView.as_view(), name="opinion_bulk_assign"),
    path("new/", views.OpinionCreateView.as_view(), name="opinion_create"),
    path("similar/", views.OpinionSimilarView.as_view(), name="opinion_similar"),
    path("<int:pk>/", views.OpinionDetailView.as_view(), name="opinion_detail"),
    path("<int:pk>/act/", views.OpinionActView.as_view(), name="opinion_act"),
    path("<int:pk>/category/", views.OpinionCategoryView.as_view(), name="opinion_category"),
    path("cards/<str:unit_code>/", views.VisitCardView.as_view(), name="visit_card"),
    path("surveys/", views.SurveyResultsView.as_view(), name="survey_results"),
]
