from django.urls import path

from youth_vote import views

app_name = "youth_vote"

urlpatterns = [
    path("", views.home, name="home"),
    path("lattlast/", views.easy_read, name="easy-read"),
    # The booth (public, no account: the student's code and the class code).
    path("vote/", views.booth_start, name="booth"),
    path("vote/confirm/", views.booth_confirm, name="booth-confirm"),
    path("vote/cast/", views.booth_cast, name="booth-cast"),
    path("vote/done/", views.booth_done, name="booth-done"),
    path("vote/manifest.json", views.booth_manifest, name="booth-manifest"),
    # Election administrators.
    path("admin/", views.admin_elections, name="admin-elections"),
    path("admin/<slug:slug>/", views.admin_election, name="admin-election"),
    path("admin/<slug:slug>/edit/", views.admin_election_edit, name="admin-election-edit"),
    path("admin/<slug:slug>/districts/", views.admin_districts, name="admin-districts"),
    path(
        "admin/<slug:slug>/districts/<int:pk>/",
        views.admin_district_edit,
        name="admin-district-edit",
    ),
    path("admin/<slug:slug>/schools/", views.admin_schools, name="admin-schools"),
    path("admin/<slug:slug>/schools/<int:pk>/", views.admin_school_edit, name="admin-school-edit"),
    path("admin/<slug:slug>/candidates/", views.admin_candidates, name="admin-candidates"),
    path(
        "admin/<slug:slug>/candidates/<int:pk>/", views.admin_candidate, name="admin-candidate"
    ),
    path("admin/<slug:slug>/roll/", views.admin_roll, name="admin-roll"),
    path("admin/<slug:slug>/roll/template.csv", views.admin_roll_template, name="admin-roll-template"),
    path(
        "admin/<slug:slug>/roll/classes/<int:pk>/remove/",
        views.admin_roll_remove_class,
        name="admin-roll-remove-class",
    ),
    path("admin/<slug:slug>/freeze/", views.admin_freeze, name="admin-freeze"),
    path("admin/<slug:slug>/keys/", views.admin_rekey, name="admin-rekey"),
    path("admin/<slug:slug>/extend/", views.admin_extend, name="admin-extend"),
    path("admin/<slug:slug>/tally/", views.admin_tally, name="admin-tally"),
    path("admin/<slug:slug>/results/", views.admin_results_preview, name="admin-results"),
    path("admin/<slug:slug>/publish/", views.admin_publish, name="admin-publish"),
    path("admin/<slug:slug>/council/", views.admin_add_to_council, name="admin-council"),
    path("admin/<slug:slug>/purge/", views.admin_purge, name="admin-purge"),
    # School contact persons.
    path("sessions/", views.contact_sessions, name="sessions"),
    path("sessions/open/<int:pk>/", views.contact_session_open, name="session-open"),
    path("sessions/<int:pk>/", views.contact_session_screen, name="session-screen"),
    path("sessions/<int:pk>/status.json", views.contact_session_status, name="session-status"),
    path("sessions/<int:pk>/end/", views.contact_session_end, name="session-end"),
    path("sessions/<int:pk>/unlock/", views.contact_session_unlock, name="session-unlock"),
    path("classes/<int:pk>/codes/", views.contact_class_codes, name="class-codes"),
    path("classes/<int:pk>/reissue/", views.contact_class_reissue, name="class-reissue"),
    path("schools/<int:pk>/manual/", views.contact_manual, name="school-manual"),
    # Public pages of one election.
    path("<slug:slug>/", views.election_detail, name="election-detail"),
    path("<slug:slug>/candidates/", views.candidates, name="candidates"),
    path("<slug:slug>/seats/", views.seats, name="seats"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/trackers/", views.trackers, name="trackers"),
    path("<slug:slug>/export.json", views.export, name="export"),
]
