from django.urls import path

from democracy.people import views

app_name = "people"

urlpatterns = [
    path("politicians/", views.PoliticianListView.as_view(), name="politician-list"),
    path(
        "politicians/<slug:slug>/", views.PoliticianDetailView.as_view(), name="politician-detail"
    ),
    path(
        "politicians/<slug:slug>/contact/",
        views.PoliticianContactView.as_view(),
        name="politician-contact",
    ),
]
