from django.urls import path
from django.views.generic import TemplateView

from democracy.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.AccessibilityStatementView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    # Easy Swedish (lättläst): Swedish pages, so Swedish addresses.
    path(
        "lattlast/",
        TemplateView.as_view(template_name="core/easy_read/index.html"),
        name="easy-read",
    ),
    path(
        "lattlast/paverka/",
        TemplateView.as_view(template_name="core/easy_read/influence.html"),
        name="easy-read-influence",
    ),
    # Swedish Sign Language (teckenspråk): a Swedish address, like the easy-Swedish pages.
    path("teckensprak/", views.SignLanguageView.as_view(), name="sign-language"),
    path("staff/", views.StaffHomeView.as_view(), name="staff-home"),
    path("staff/teckensprak/", views.staff_sign_language, name="staff-sign-language"),
    path(
        "staff/teckensprak/<str:topic>/",
        views.staff_sign_language_edit,
        name="staff-sign-language-edit",
    ),
    path("staff/alerts/", views.StaffAlertListView.as_view(), name="staff-alerts"),
    path(
        "staff/alerts/<int:pk>/acknowledge/",
        views.staff_alert_acknowledge,
        name="staff-alert-acknowledge",
    ),
]
