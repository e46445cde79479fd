from django.urls import path

from democracy.diary import feeds, views

app_name = "diary"

urlpatterns = [
    path("bodies/", views.BodyListView.as_view(), name="body-list"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("bodies/<slug:slug>/meetings.ics", views.body_meetings_ics, name="body-meetings-ics"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings.ics", views.meetings_ics, name="meetings-ics"),
    path("cases/<slug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<slug:slug>/meetings.ics", views.case_meetings_ics, name="case-meetings-ics"),
    path("decisions/feed.atom", feeds.DecisionsFeed(), name="decisions-feed"),
    path("documents/<int:pk>/request/", views.DocumentRequestView.as_view(), name="document-request"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("open-data/", views.OpenDataView.as_view(), name="open-data"),
]
