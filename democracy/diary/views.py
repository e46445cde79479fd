from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from democracy.core.limits import seconds_until_allowed
from democracy.core.views import rate_limited
from democracy.diary import feeds, search, selectors, services
from democracy.diary.forms import DocumentRequestForm, SearchForm
from democracy.diary.models import Case
from democracy.people import selectors as people_selectors
from democracy.people.models import Organization


class BodyListView(TemplateView):
    """Every body of the municipality, grouped by kind, with its next meeting."""

    template_name = "diary/body_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bodies = list(people_selectors.bodies_list())
        counts = people_selectors.body_member_counts()
        next_meeting = {}
        for meeting in selectors.meetings_upcoming(limit=200):
            next_meeting.setdefault(meeting.organization_id, meeting)
        groups = []
        for value, label in Organization.Classification.choices:
            members = [b for b in bodies if b.classification == value]
            for body in members:
                body.member_count = counts.get(body.pk, 0)
                body.next_meeting = next_meeting.get(body.pk)
            if members:
                groups.append({"label": label, "bodies": members})
        context["groups"] = groups
        return context


class BodyDetailView(TemplateView):
    template_name = "diary/body_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = people_selectors.body_get(slug=self.kwargs["slug"])
        groups, hidden = people_selectors.body_members(body=body)
        context.update(
            body=body,
            member_groups=groups,
            hidden_members=hidden,
            upcoming_members=people_selectors.body_members_upcoming(body=body),
            term=people_selectors.term_current(),
            upcoming=list(selectors.meetings_upcoming(limit=6, organization=body)),
            past=list(selectors.meetings_past(organization=body, limit=12)),
            cases=list(selectors.body_cases(organization=body, limit=10)),
            children=list(body.children.all()),
        )
        return context


def parse_month(value: str) -> date:
    """``"2026-03"`` → 1 March 2026; anything else → this month."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return date(year, month, 1)
    except (ValueError, AttributeError):
        pass
    return localdate().replace(day=1)


class MeetingListView(TemplateView):
    """Meetings by month, optionally of one body."""

    template_name = "diary/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = parse_month(self.request.GET.get("month", ""))
        body_slug = self.request.GET.get("body", "")[:120]
        context["page"] = selectors.meetings_by_month(month=month, body_slug=body_slug)
        context["this_month"] = localdate().replace(day=1)
        return context


class MeetingDetailView(TemplateView):
    template_name = "diary/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = selectors.meeting_get(pk=self.kwargs["pk"])
        items = list(meeting.agenda_items.all())
        context.update(
            meeting=meeting,
            agenda=items,
            documents=list(meeting.documents.all()),
            any_decided=any(item.outcome for item in items),
            appeal_deadline=meeting.appeal_deadline,
            appeal_open=meeting.appeal_deadline is not None
            and meeting.appeal_deadline >= localdate(),
        )
        return context


class CaseDetailView(TemplateView):
    template_name = "diary/case_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        journey = selectors.case_get(slug=self.kwargs["slug"])
        context["journey"] = journey
        context["case"] = journey.case
        context["today"] = localdate()
        return context


class SearchView(TemplateView):
    template_name = "diary/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        query = ""
        if form.is_bound and form.is_valid():
            query = form.cleaned_data["q"].strip()
        context["form"] = form
        context["query"] = query
        context["groups"] = search.search(query) if query else []
        context["full_text"] = search.uses_full_text()
        return context


class OpenDataView(TemplateView):
    template_name = "diary/open_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site_url"] = settings.SITE_URL
        context["bodies"] = list(people_selectors.bodies_list())
        return context


def meetings_ics(request):
    body = feeds.meetings_calendar(
        selectors.meetings_for_ics(),
        name=_("Meetings in %(municipality)s") % {"municipality": settings.MUNICIPALITY_NAME},
    )
    return feeds.ics_response(body, filename="meetings.ics")


def body_meetings_ics(request, slug):
    organization = people_selectors.body_get(slug=slug)
    body = feeds.meetings_calendar(
        selectors.meetings_for_ics(organization=organization), name=organization.name
    )
    return feeds.ics_response(body, filename=f"{organization.slug}.ics")


def case_meetings_ics(request, slug):
    case = Case.objects.filter(slug=slug).first()
    if case is None:
        raise Http404
    body = feeds.meetings_calendar(
        selectors.meetings_for_ics(case=case), name=f"{case.diary_number} {case.title}"
    )
    return feeds.ics_response(body, filename=f"{case.slug}.ics")


def request_rate() -> str:
    return getattr(settings, "DIARY_DOCUMENT_REQUEST_RATE", "10/h")


class DocumentRequestView(FormView):
    """Ask the registrar for a withheld document ("begär ut"); the request names the case."""

    template_name = "diary/document_request.html"
    form_class = DocumentRequestForm

    def dispatch(self, request, *args, **kwargs):
        self.document = selectors.document_get_withheld(pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.request.user.is_authenticated:
            return {"email": self.request.user.email, "name": self.request.user.name}
        return {}

    def post(self, request, *args, **kwargs):
        wait = seconds_until_allowed(
            request, group="diary.document-request", key="ip", rate=request_rate()
        )
        if wait is not None:
            return rate_limited(request, retry_after=wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.document_request_send(
            document=self.document,
            requester_email=form.cleaned_data["email"],
            requester_name=form.cleaned_data["name"],
            message=form.cleaned_data["message"],
        )
        messages.success(
            self.request,
            _("Your request has been sent to the registrar. You will get an answer by e-mail."),
        )
        return redirect(self.back_url())

    def back_url(self) -> str:
        document = self.document
        case = document.case or (document.agenda_item.case if document.agenda_item else None)
        if case is not None:
            return case.get_absolute_url()
        meeting = document.meeting or document.agenda_item.meeting
        return meeting.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.document
        context["document"] = document
        context["case"] = document.case or (
            document.agenda_item.case if document.agenda_item else None
        )
        context["back_url"] = self.back_url()
        return context
