from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from democracy.api import api
from democracy.core import views as core_views
from democracy.core.admin import guard_admin_site
from youth_vote import views as youth_vote_views

guard_admin_site(admin.site)

# The apps' paths do not overlap, so the order only decides how many patterns Django tries
# before it finds a match: the busiest writes (the youth-vote booth, signing) come first.
urlpatterns = [
    path("youth-vote/", include("youth_vote.urls")),
    path("", include("proposals.urls")),
    path("", include("democracy.core.urls")),
    path("", include("democracy.people.urls")),
    path("", include("democracy.diary.urls")),
    path("account/", include("democracy.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Candidates' photos only as far as the candidate's review allows (before MEDIA_URL's
    # plain file serving below, which would send any file).
    path(
        f"{settings.MEDIA_URL.strip('/')}/youth_vote/candidates/<str:name>",
        youth_vote_views.candidate_photo,
        name="candidate-photo",
    ),
    # Sign-language films and their captions: to everyone only while published (decision 90).
    path(
        f"{settings.MEDIA_URL.strip('/')}/core/sign_language/<str:name>",
        core_views.sign_language_file,
        name="sign-language-file",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "democracy.core.views.permission_denied"
handler404 = "democracy.core.views.page_not_found"
handler500 = "democracy.core.views.server_error"
