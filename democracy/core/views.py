import sys
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView
from django.views.i18n import set_language as django_set_language

from democracy.accounts.services import user_set_language
from democracy.core import health, services, sign_language
from democracy.core.forms import SignLanguageVideoForm, apply_errors
from democracy.core.media import protected_file_response
from democracy.core.middleware import busy_response
from democracy.core.models import SIGN_LANGUAGE_DIR, SignLanguageVideo, StaffAlert
from democracy.core.permissions import (
    StaffRequiredMixin,
    staff_guard,
    staff_required,
    user_roles,
)
from democracy.core.roles import Role
from democracy.diary.selectors import decisions_latest, meetings_upcoming
from proposals import rules


@never_cache
def healthz(request):
    results = health.run_checks()
    ok = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": results}, status=200 if ok else 503
    )


class HomeView(TemplateView):
    """The democracy hub: how to take part, what is coming up, what was decided."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        context["upcoming_meetings"] = meetings_upcoming(limit=5)
        context["latest_decisions"] = decisions_latest(limit=5)
        return context


# The day the accessibility statement's list of known problems was last checked against the
# site; change it together with the list in core/accessibility.html.
ACCESSIBILITY_STATEMENT_REVIEWED = date(2026, 12, 3)


class AccessibilityStatementView(TemplateView):
    template_name = "core/accessibility.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviewed_on"] = ACCESSIBILITY_STATEMENT_REVIEWED
        return context


class PrivacyView(TemplateView):
    template_name = "core/privacy.html"

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        context["anonymise_after_days"] = rules.current().anonymise_after_days
        return context


# --- Sign language (decision 90) ----------------------------------------------------------
# The role that edits the portal's own texts (core.EditorialText, in the back office) also
# looks after the films about the same topics.
SIGN_LANGUAGE_ROLES = (Role.DIARY_EDITOR,)


def _url_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _sign_language_topics(rows) -> list[dict]:
    by_topic = {row.topic: row for row in rows}
    topics = []
    for topic in SignLanguageVideo.Topic:
        pages = sign_language.TOPIC_PAGES[topic]
        page_url = _url_or_empty(pages.page)
        if page_url and topic == SignLanguageVideo.Topic.INFLUENCE:
            page_url += "#influence-heading"  # the start page's section about it
        topics.append(
            {
                "topic": topic.value,
                "label": topic.label,
                "anchor": f"topic-{topic.value}",
                "video": by_topic.get(topic.value),
                "page_url": page_url,
                "page_title": pages.page_title,
                "easy_read_url": _url_or_empty(pages.easy_read),
            }
        )
    return topics


class SignLanguageView(TemplateView):
    """/teckensprak/: the three topics, each with its published film, captions and text."""

    template_name = "core/sign_language.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["topics"] = _sign_language_topics(
            SignLanguageVideo.objects.filter(is_published=True)
        )
        return context


def sign_language_file(request, name):
    """A film or its captions: for everyone while the film is published; for the staff who
    look after the films also before (to check it); for no one once it is replaced."""
    path = f"{SIGN_LANGUAGE_DIR}{name}"
    row = SignLanguageVideo.objects.filter(Q(video=path) | Q(captions=path)).first()
    if row is None:
        raise Http404
    if not row.is_published:
        try:
            allowed = staff_guard(request, SIGN_LANGUAGE_ROLES) is None
        except PermissionDenied:
            allowed = False
        if not allowed:  # not there for this person: no sign-in page either
            raise Http404
    content_type = sign_language.CAPTIONS_TYPE if path == row.captions.name else row.video_type
    return protected_file_response(
        path, public=row.is_published, content_type=content_type, request=request
    )


@staff_required(*SIGN_LANGUAGE_ROLES)
def staff_sign_language(request):
    return render(
        request,
        "core/staff_sign_language.html",
        {"topics": _sign_language_topics(SignLanguageVideo.objects.all())},
    )


@staff_required(*SIGN_LANGUAGE_ROLES)
def staff_sign_language_edit(request, topic):
    if topic not in SignLanguageVideo.Topic.values:
        raise Http404
    topic = SignLanguageVideo.Topic(topic)
    row = SignLanguageVideo.objects.filter(topic=topic).first()
    initial = {"text_alternative": row.text_alternative, "is_published": row.is_published} if row else {}
    form = SignLanguageVideoForm(
        request.POST or None, request.FILES or None, existing=row, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.sign_language_video_save(
                topic=topic,
                actor=request.user,
                video=form.cleaned_data["video"],
                captions=form.cleaned_data["captions"],
                text_alternative=form.cleaned_data["text_alternative"],
                is_published=form.cleaned_data["is_published"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if saved.is_published:
                messages.success(
                    request, _("The film is saved and shown on the sign-language page.")
                )
            else:
                messages.success(
                    request, _("The film is saved. It is not published: only staff can see it.")
                )
            return redirect("core:staff-sign-language")
    return render(
        request,
        "core/staff_sign_language_edit.html",
        {"topic": topic, "video": row, "form": form},
        status=400 if request.method == "POST" else 200,
    )


STAFF_TOOLS = [
    # (role, URL name, title, description); a tool shows when its URL exists.
    (
        Role.MODERATOR,
        "proposals:moderation-queue",
        gettext_lazy("Moderation"),
        gettext_lazy("Review submitted e-proposals, reports and comments."),
    ),
    (
        Role.DIARY_EDITOR,
        "admin:index",
        gettext_lazy("Meeting diary"),
        gettext_lazy("Bodies, politicians, meetings, agendas, documents and decisions."),
    ),
    (
        Role.DIARY_EDITOR,
        "core:staff-sign-language",
        gettext_lazy("Sign-language films"),
        gettext_lazy("Films in Swedish Sign Language, with captions and text, for three topics."),
    ),
    (
        Role.ELECTION_ADMIN,
        "youth_vote:admin-elections",
        gettext_lazy("Youth-council election"),
        gettext_lazy("Set up the election, voter roll, candidates and results."),
    ),
    (
        Role.SCHOOL_CONTACT,
        "youth_vote:sessions",
        gettext_lazy("Voting sessions"),
        gettext_lazy("Open supervised voting sessions for your classes."),
    ),
]


class StaffHomeView(StaffRequiredMixin, TemplateView):
    """The staff start page: the tools the signed-in person's roles give access to."""

    template_name = "core/staff_home.html"

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        roles = user_roles(self.request.user)
        tools = []
        for role, url_name, title, description in STAFF_TOOLS:
            if role not in roles:
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            tools.append({"url": url, "title": title, "description": description})
        context["tools"] = tools
        context["roles"] = [Role(role).label for role in sorted(roles)]
        context["open_alerts"] = StaffAlert.objects.filter(
            role__in=roles, acknowledged_at__isnull=True
        ).count()
        return context


class StaffAlertListView(StaffRequiredMixin, ListView):
    template_name = "core/staff_alerts.html"
    context_object_name = "alerts"
    paginate_by = 50

    def get_queryset(self):
        roles = user_roles(self.request.user)
        return StaffAlert.objects.filter(role__in=roles).select_related("acknowledged_by")


@staff_required()
@require_POST
def staff_alert_acknowledge(request, pk: int):
    alert = get_object_or_404(StaffAlert, pk=pk, role__in=user_roles(request.user))
    services.staff_alert_acknowledge(alert=alert, actor=request.user)
    messages.success(request, _("The alert is marked as handled."))
    return redirect("core:staff-alerts")


def rate_limited(request, exception=None, retry_after: int = 60):
    """The 429 page. ``retry_after`` is the seconds until the limit's window ends, so the page
    and the ``Retry-After`` header name the real wait (a form limited per hour says so)."""
    retry_after = max(int(retry_after), 1)
    minutes = -(-retry_after // 60)  # rounded up: never tell someone to come back too soon
    wait = ngettext(
        "Wait a minute and try again.", "Wait %(minutes)d minutes and try again.", minutes
    ) % {"minutes": minutes}
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: the failure may be in one of them.

    if _is_pool_timeout(sys.exc_info()[1]):
        # Every pooled database connection stayed busy for DATABASE_POOL_TIMEOUT: the server
        # is overloaded, not broken. Say so, and when to come back (decision 75).

        return busy_response(retry_after=settings.BUSY_RETRY_AFTER)
    return HttpResponseServerError(loader.get_template("500.html").render())


def _is_pool_timeout(error) -> bool:
    """Whether the error is (or was raised from) psycopg's pool timeout; Django wraps it in its
    own OperationalError."""
    try:
        from psycopg_pool import PoolTimeout  # noqa: PLC0415 - absent on SQLite-only installs
    except ImportError:  # SQLite-only installs
        return False
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, PoolTimeout):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in account (for
    the language of its e-mail)."""

    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response
