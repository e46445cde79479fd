from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("proposals/", views.ProposalListView.as_view(), name="proposal-list"),
    path("proposals/rules/", views.RulesView.as_view(), name="rules"),
    path("proposals/lattlast/", views.EasyReadView.as_view(), name="easy-read"),
    path("proposals/new/", views.ProposalWriteView.as_view(), name="proposal-create"),
    path("proposals/mine/", views.MyProposalsView.as_view(), name="my-proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/edit/", views.ProposalWriteView.as_view(), name="proposal-edit"),
    path("proposals/<int:pk>/review/", views.ProposalReviewView.as_view(), name="proposal-review"),
    path(
        "proposals/<int:pk>/withdraw/",
        views.ProposalWithdrawView.as_view(),
        name="proposal-withdraw",
    ),
    path("proposals/updates/stop/<str:token>/", views.stop_updates, name="stop-updates"),
    path("proposals/<int:pk>/signers/", views.proposal_signers, name="proposal-signers"),
    path("proposals/<int:pk>/count.json", views.count_json, name="proposal-count"),
    path("proposals/<int:pk>/sign/", views.sign, name="proposal-sign"),
    path("proposals/<int:pk>/unsign/", views.unsign, name="proposal-unsign"),
    path("proposals/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("proposals/<int:pk>/report/", views.ReportView.as_view(), name="proposal-report"),
    path(
        "proposals/comments/<int:comment_pk>/report/",
        views.ReportView.as_view(),
        name="comment-report",
    ),
    # Moderation: moderators with two-factor authentication.
    path("moderation/", views.ModerationQueueView.as_view(), name="moderation-queue"),
    path("moderation/proposals/<int:pk>/", views.moderation_detail, name="moderation-detail"),
    path(
        "moderation/proposals/<int:pk>/publish/",
        views.moderation_publish,
        name="moderation-publish",
    ),
    path(
        "moderation/proposals/<int:pk>/revise/", views.moderation_revise, name="moderation-revise"
    ),
    path(
        "moderation/proposals/<int:pk>/reject/", views.moderation_reject, name="moderation-reject"
    ),
    path("moderation/proposals/<int:pk>/hide/", views.moderation_hide, name="moderation-hide"),
    path(
        "moderation/proposals/<int:pk>/restore/",
        views.moderation_restore,
        name="moderation-restore",
    ),
    path(
        "moderation/proposals/<int:pk>/invalidate/",
        views.moderation_invalidate,
        name="moderation-invalidate",
    ),
    path(
        "moderation/comments/<int:pk>/hide/",
        views.moderation_comment,
        {"action": "hide"},
        name="moderation-comment-hide",
    ),
    path(
        "moderation/comments/<int:pk>/restore/",
        views.moderation_comment,
        {"action": "restore"},
        name="moderation-comment-restore",
    ),
    path(
        "moderation/reports/<int:pk>/dismiss/",
        views.moderation_report_dismiss,
        name="moderation-report-dismiss",
    ),
    path("moderation/reasons/", views.RejectionReasonListView.as_view(), name="moderation-reasons"),
    path(
        "moderation/reasons/new/",
        views.RejectionReasonCreateView.as_view(),
        name="moderation-reason-create",
    ),
    path(
        "moderation/reasons/<int:pk>/",
        views.RejectionReasonUpdateView.as_view(),
        name="moderation-reason-edit",
    ),
]
