"""Pages and actions of e-proposals. Views are thin: forms in, services out."""

import functools
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotModified, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.http import http_date, parse_http_date_safe, urlencode
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import CreateView, ListView, TemplateView, UpdateView
from django_ratelimit.core import is_ratelimited

from democracy.core.forms import apply_errors
from democracy.core.permissions import StaffRequiredMixin, staff_required
from democracy.core.roles import Role
from democracy.core.views import rate_limited
from proposals import notifications, permissions, rules, selectors, services
from proposals.forms import (
    CommentForm,
    InvalidateForm,
    ProposalForm,
    PublishForm,
    ReasonForm,
    RejectForm,
    RejectionReasonForm,
    ReportForm,
    RevisionForm,
    SignForm,
    html_to_editable,
    sign_values_plain,
)
from proposals.models import Comment, District, Proposal, RejectionReason, Report, Topic

THANKS_FOR_SIGNING = gettext_lazy(
    "Thank you for signing. The count on the page is updated within a few seconds."
)


def _limited(request, group: str, user_rate: str, ip_rate: str) -> bool:
    """Count this request against the per-account and per-IP limits of ``group``."""
    by_user = request.user.is_authenticated and is_ratelimited(
        request, group=group, key="user", rate=user_rate, increment=True
    )
    by_ip = is_ratelimited(request, group=group, key="ip", rate=ip_rate, increment=True)
    return bool(by_user or by_ip)


def _write_limited(request) -> bool:
    return _limited(
        request,
        "proposals:write",
        settings.PROPOSALS_WRITE_RATE_USER,
        settings.PROPOSALS_WRITE_RATE_IP,
    )


def _write_limited_error(form) -> None:
    """Over the writing limit: the form is shown again with what the person wrote."""
    form.is_valid()
    form.add_error(
        None,
        _(
            "You have sent many texts in a short time. Wait a while and send again; what you "
            "wrote is still here."
        ),
    )


def _too_many(response):
    response.status_code = 429
    response["Retry-After"] = "60"
    return response


# --- The public list and rules --------------------------------------------------------------


class ProposalListView(ListView):
    template_name = "proposals/proposal_list.html"
    context_object_name = "proposals"
    paginate_by = 20

    def get_queryset(self):
        params = self.request.GET
        self.filters = {
            "status": params.get("status", "")[:30],
            "topic": params.get("topic", "")[:60],
            "district": params.get("district", "")[:60],
            "q": params.get("q", "")[:200].strip(),
            "sort": params.get("sort", "newest")
            if params.get("sort") in selectors.SORTS
            else "newest",
        }
        return selectors.proposal_list(
            status=self.filters["status"],
            topic=self.filters["topic"],
            district=self.filters["district"],
            query=self.filters["q"],
            sort=self.filters["sort"],
        )

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            # A page number past the end (or not a number) shows the first page.
            self.kwargs["page"] = 1
            self.request.GET = self.request.GET.copy()
            self.request.GET["page"] = "1"
            return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = self.filters
        context["topics"] = Topic.objects.all()
        context["districts"] = District.objects.all()
        context["statuses"] = [(s, Proposal.Status(s).label) for s in selectors.LIST_STATUSES]
        context["sorts"] = [
            ("newest", _("Newest")),
            ("most_signed", _("Most signatures")),
            ("closing_soon", _("Closing soon")),
        ]
        context["query_string"] = urlencode({k: v for k, v in self.filters.items() if v})
        context["now"] = timezone_now()
        return context


class EasyReadView(TemplateView):
    """E-proposals in easy Swedish, with the same published rules as the rules page."""

    template_name = "proposals/easy_read.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "rules": rules.current()}


class RulesView(TemplateView):
    template_name = "proposals/rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)

        context["rules"] = rules.current()
        context["limits"] = {
            "title": rules.TITLE_MAX,
            "summary": rules.SUMMARY_MAX,
            "body": rules.BODY_MAX,
        }
        context["reasons"] = RejectionReason.objects.filter(active=True)
        return context


# --- One proposal ---------------------------------------------------------------------------


def _detail_context(request, proposal, *, sign_form=None, comment_form=None):
    user = request.user
    now = timezone_now()
    signature = selectors.signature_of(proposal=proposal, user=user)
    count = selectors.count_of(proposal)
    threshold = proposal.threshold or rules.current().signature_threshold
    if sign_form is None and permissions.can_sign(user, proposal, now) and signature is None:
        sign_form = SignForm(initial={"public_name": user.name})
    signers = selectors.signers_public(proposal=proposal)
    named_total = signers.count() if count else 0
    return {
        "proposal": proposal,
        "count": count,
        "threshold": threshold,
        "remaining": max(0, threshold - count),
        "days_left": selectors.days_left(proposal, now),
        "signature": signature,
        "can_sign": permissions.can_sign(user, proposal, now),
        "can_edit": permissions.can_edit(user, proposal),
        "can_withdraw": permissions.can_withdraw(user, proposal),
        "can_comment": permissions.can_comment(user, proposal),
        "can_report": permissions.can_report(user, proposal),
        "is_moderator": permissions.is_moderator(user),
        "sign_form": sign_form,
        "comment_form": comment_form or CommentForm(),
        "signers": signers[:20] if named_total else [],
        "signer_total": count,
        "named_total": named_total,
        "anonymous_total": max(0, count - named_total),
        "by_district": selectors.counts_by_district(proposal),
        "journey": selectors.journey(proposal),
        "clock": selectors.treatment_clock(proposal, now),
        "comments": selectors.comments_visible(proposal=proposal),
        "login_url": reverse("account_login") + "?" + urlencode({"next": request.get_full_path()}),
    }


def proposal_detail(request, pk: int):
    proposal = selectors.proposal_get_visible(user=request.user, pk=pk)
    context = _detail_context(request, proposal)
    if request.GET.get("signed") == "1" and context["signature"] is not None:
        # The signing view sends the signer here: thanking them on this page, and only if
        # they have signed, spares the busiest write of the site a message cookie.
        messages.success(request, THANKS_FOR_SIGNING)
    return render(request, "proposals/proposal_detail.html", context)


def proposal_signers(request, pk: int):
    proposal = selectors.proposal_get_visible(user=request.user, pk=pk)
    paginator = Paginator(selectors.signers_public(proposal=proposal), 100)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/signers.html",
        {
            "proposal": proposal,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": paginator,
            "anonymous_total": max(0, selectors.count_of(proposal) - paginator.count),
        },
    )


@require_GET
def count_json(request, pk: int):
    """The live count for clients without websockets; no database query when warm."""
    payload = selectors.count_payload_cached(pk=pk)
    if payload is None:
        raise Http404
    modified = int(payload["updated_ts"])
    interval = max(1, rules.current().count_interval)
    cache_control = (
        f"public, max-age={interval}, stale-while-revalidate={2 * interval}, "
        f"stale-if-error={5 * interval}"
    )
    # HTTP dates have whole seconds, and two recounts can fall in one second: the ETag (the
    # count's exact time) decides when the client sends one, as RFC 9110 says it must.
    etag = f'"{payload["updated_ts"]!r}"'
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        unchanged = etag in (tag.strip() for tag in if_none_match.split(","))
    else:
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        unchanged = since is not None and since >= math.ceil(payload["updated_ts"])
    if unchanged:
        response = HttpResponseNotModified()
    else:
        response = JsonResponse({k: v for k, v in payload.items() if k != "updated_ts"})
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = cache_control
    return response


@functools.lru_cache(maxsize=4096)
def _detail_url(script_prefix: str, pk: int) -> str:
    """A proposal's address, looked up once per process and prefix (after signing, the busiest
    redirect of the site; ``redirect()`` would also try the address as a URL name first)."""
    return reverse("proposals:proposal-detail", args=[pk])


@require_POST
def sign(request, pk: int):
    """Sign: the busiest write of the site, so it reads nothing it does not need."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("proposals:proposal-detail", args=[pk]))
    ip_address = request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR")
    gate = services.signing_gate(proposal_id=pk, user=request.user, ip_address=ip_address)
    if gate.limited:
        return rate_limited(request)
    form = None
    values = sign_values_plain(request.POST, district_ids=selectors.district_ids())
    if values is None:
        form = SignForm(request.POST)
        if form.is_valid():
            values = form.cleaned_data
    if values is not None:
        try:
            services.proposal_sign(
                proposal=pk,
                user=request.user,
                district=values["district"],
                show_name=values["visibility"] == "name",
                public_name=values["public_name"],
                notify=values["notify"],
                ip_address=ip_address,
                recount=not gate.counting_loop_running,
            )
        except services.AlreadySigned as error:
            messages.info(request, str(error))
        except services.ProposalError as error:
            selectors.proposal_get_visible(user=request.user, pk=pk)  # 404 if not public
            messages.error(request, str(error))
        except ValidationError as error:
            if form is None:
                form = SignForm(request.POST)
                form.is_valid()
            apply_errors(form, error)
        else:
            return HttpResponseRedirect(_detail_url(get_script_prefix(), pk) + "?signed=1#sign")
        if form is None or not form.errors:
            return HttpResponseRedirect(_detail_url(get_script_prefix(), pk) + "#sign")
    proposal = selectors.proposal_get_visible(user=request.user, pk=pk)
    context = _detail_context(request, proposal, sign_form=form)
    return render(request, "proposals/proposal_detail.html", context, status=400)


@require_POST
def unsign(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("proposals:proposal-detail", args=[pk]))
    proposal = selectors.proposal_get_for_signing(user=request.user, pk=pk)
    try:
        services.signature_withdraw(proposal=proposal, user=request.user)
    except services.ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your signature is withdrawn."))
    return redirect(proposal.get_absolute_url() + "#sign")


@require_POST
def comment_create(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("proposals:proposal-detail", args=[pk]))
    limited = _write_limited(request)
    proposal = selectors.proposal_get_visible(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if limited:
        _write_limited_error(form)
        context = _detail_context(request, proposal, comment_form=form)
        return _too_many(render(request, "proposals/proposal_detail.html", context))
    if form.is_valid():
        try:
            services.comment_create(
                proposal=proposal, author=request.user, body=form.cleaned_data["body"]
            )
        except services.ProposalError as error:
            messages.error(request, str(error))
            return redirect(proposal.get_absolute_url())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(proposal.get_absolute_url() + "#comments")
    context = _detail_context(request, proposal, comment_form=form)
    return render(request, "proposals/proposal_detail.html", context, status=400)


class ReportView(LoginRequiredMixin, TemplateView):
    """Report a proposal or a comment to the moderators."""

    template_name = "proposals/report.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "comment_pk" in kwargs:
            comment = get_object_or_404(
                Comment.objects.select_related("proposal"), pk=kwargs["comment_pk"], hidden=False
            )
            self.comment = comment
            self.proposal = selectors.proposal_get_visible(
                user=request.user, pk=comment.proposal_id
            )
        else:
            self.comment = None
            self.proposal = selectors.proposal_get_visible(user=request.user, pk=kwargs["pk"])
        if not permissions.can_report(request.user, self.proposal):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(proposal=self.proposal, comment=self.comment)
        context.setdefault("form", ReportForm())
        return context

    def post(self, request, *args, **kwargs):
        form = ReportForm(request.POST)
        if _write_limited(request):
            _write_limited_error(form)
            return _too_many(self.render_to_response(self.get_context_data(form=form)))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.report_create(
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
            proposal=None if self.comment else self.proposal,
            comment=self.comment,
        )
        messages.success(request, _("Thank you. A moderator will look at it."))
        return redirect(self.proposal.get_absolute_url())


# --- Writing a proposal ---------------------------------------------------------------------


class ProposalWriteView(LoginRequiredMixin, TemplateView):
    """Write a new proposal or edit one's draft: save the draft, or go on to check it."""

    template_name = "proposals/proposal_form.html"
    proposal = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.proposal = selectors.proposal_get_visible(user=request.user, pk=kwargs["pk"])
            if not permissions.can_edit(request.user, self.proposal):
                messages.error(request, _("This proposal can no longer be changed."))
                return redirect(self.proposal.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            initial = {}
            if self.proposal is not None:
                initial = {
                    "title": self.proposal.title,
                    "summary": self.proposal.summary,
                    "body": html_to_editable(self.proposal.body),
                    "topic": self.proposal.topic_id,
                    "district": self.proposal.district_id,
                    "language": self.proposal.language,
                }
            context["form"] = ProposalForm(initial=initial)
        context["proposal"] = self.proposal
        context["limits"] = {
            "title": rules.TITLE_MAX,
            "summary": rules.SUMMARY_MAX,
            "body": rules.BODY_MAX,
        }
        return context

    def post(self, request, *args, **kwargs):
        going_on = request.POST.get("action") == "review"
        form = ProposalForm(request.POST, complete=going_on)
        if _write_limited(request):
            _write_limited_error(form)
            return _too_many(self.render_to_response(self.get_context_data(form=form)))
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "title": data["title"],
                "summary": data["summary"],
                "body": data["body"],
                "topic": data["topic"],
                "district": data["district"],
                "language": data["language"],
            }
            try:
                if self.proposal is None:
                    self.proposal = services.proposal_create(author=request.user, **fields)
                else:
                    self.proposal = services.proposal_update(
                        proposal=self.proposal, actor=request.user, **fields
                    )
                if going_on:
                    services.proposal_check_complete(self.proposal)
            except services.ProposalError as error:
                messages.error(request, str(error))
                return redirect(self.proposal.get_absolute_url())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if going_on:
                    return redirect("proposals:proposal-review", pk=self.proposal.pk)
                messages.success(request, _("Your draft is saved. Only you can see it."))
                return redirect("proposals:proposal-edit", pk=self.proposal.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProposalReviewView(LoginRequiredMixin, TemplateView):
    """Check the proposal and similar existing ones, then send it to the moderators."""

    template_name = "proposals/proposal_review.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.proposal = selectors.proposal_get_visible(user=request.user, pk=kwargs["pk"])
        if not permissions.can_edit(request.user, self.proposal):
            return redirect(self.proposal.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposal"] = self.proposal
        context["similar"] = selectors.proposals_similar(
            title=self.proposal.title, summary=self.proposal.summary, exclude_pk=self.proposal.pk
        )
        context["similar_decisions"] = selectors.decisions_similar(
            title=self.proposal.title, summary=self.proposal.summary
        )
        context["rules"] = rules.current()
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.proposal_submit(proposal=self.proposal, actor=request.user)
        except services.ProposalError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("proposals:proposal-edit", pk=self.proposal.pk)
        else:
            messages.success(
                request,
                _("Your proposal is sent. A moderator will check it, and you will get an e-mail."),
            )
        return redirect(self.proposal.get_absolute_url())


class ProposalWithdrawView(LoginRequiredMixin, TemplateView):
    template_name = "proposals/proposal_withdraw.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.proposal = selectors.proposal_get_visible(user=request.user, pk=kwargs["pk"])
        if not permissions.can_withdraw(request.user, self.proposal):
            messages.error(request, _("This proposal can no longer be withdrawn."))
            return redirect(self.proposal.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "proposal": self.proposal}

    def post(self, request, *args, **kwargs):
        try:
            services.proposal_withdraw(proposal=self.proposal, actor=request.user)
        except services.ProposalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your proposal is withdrawn."))
        return redirect("proposals:my-proposals")


class MyProposalsView(LoginRequiredMixin, ListView):
    template_name = "proposals/my_proposals.html"
    context_object_name = "proposals"
    paginate_by = 50

    def get_queryset(self):
        return selectors.proposals_of(user=self.request.user)


# --- Moderation (moderators with two-factor only) -------------------------------------------


class ModerationQueueView(StaffRequiredMixin, TemplateView):
    """Proposals waiting for review (oldest first, with waiting time), and open reports."""

    staff_roles = (Role.MODERATOR,)
    template_name = "proposals/moderation/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone_now()
        queue = list(selectors.moderation_queue())
        similar = selectors.proposals_similar_to_each(queue, limit=3, include_pending=True)
        context["queue"] = [
            {
                "proposal": proposal,
                "waiting_days": (now - (proposal.submitted_at or proposal.created_at)).days,
                "waiting": now - (proposal.submitted_at or proposal.created_at),
                "similar": similar[proposal.pk],
            }
            for proposal in queue
        ]
        reports = list(selectors.reports_open())
        context["proposal_reports"] = [r for r in reports if r.proposal_id]
        # A comment already hidden (by reports or by hand) is listed once, under the hidden
        # comments, with its open reports and the form to show it again; only comments still
        # shown are listed under the reports, with the form to hide them.
        context["comment_reports"] = [r for r in reports if r.comment_id and not r.comment.hidden]
        context["hidden_proposals"] = Proposal.objects.filter(
            status=Proposal.Status.HIDDEN
        ).order_by("-updated_at")[:50]
        hidden_comments = list(
            Comment.objects.filter(hidden=True)
            .select_related("proposal")
            .order_by("-created_at")[:50]
        )
        open_reports = {}
        for report in reports:
            if report.comment_id:
                open_reports.setdefault(report.comment_id, []).append(report)
        for comment in hidden_comments:
            comment.open_reports = open_reports.get(comment.pk, [])
        context["hidden_comments"] = hidden_comments
        return context


def _moderation_context(request, proposal, **forms):
    now = timezone_now()
    context = {
        "proposal": proposal,
        "count": selectors.count_of(proposal),
        "journey": selectors.journey(proposal, private=True),
        "similar": selectors.proposals_similar(
            title=proposal.title,
            summary=proposal.summary,
            exclude_pk=proposal.pk,
            include_pending=True,
        ),
        "similar_decisions": selectors.decisions_similar(
            title=proposal.title, summary=proposal.summary
        ),
        "rules": rules.current(),
        "can_moderate": permissions.can_moderate(request.user, proposal),
        "can_hide": permissions.can_hide(request.user, proposal),
        "can_restore": permissions.can_restore(request.user, proposal),
        "can_invalidate": permissions.can_invalidate_signatures(request.user, proposal),
        "reports": proposal.reports.filter(resolved_at__isnull=True).select_related("reporter"),
        "sources": selectors.signature_sources(proposal=proposal),
        "invalidations": proposal.invalidations.all(),
        "waiting": now - (proposal.submitted_at or proposal.created_at),
        "publish_form": PublishForm(
            initial={"responsible_organization": proposal.responsible_organization_id}
        ),
        "revision_form": RevisionForm(),
        "reject_form": RejectForm(),
        "hide_form": ReasonForm(),
        "invalidate_form": InvalidateForm(),
        "checks": [
            (_("Title"), len(proposal.title), rules.TITLE_MAX),
            (pgettext("proposal form", "Summary"), len(proposal.summary), rules.SUMMARY_MAX),
            (_("Proposal"), services.plain_length(proposal.body), rules.BODY_MAX),
        ],
    }
    context.update(forms)
    return context


@staff_required(Role.MODERATOR)
def moderation_detail(request, pk: int):
    proposal = selectors.proposal_get_for_moderation(pk=pk)
    return render(
        request, "proposals/moderation/detail.html", _moderation_context(request, proposal)
    )


def _moderation_action(request, pk, form_class, form_name, act, success):
    proposal = selectors.proposal_get_for_moderation(pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(proposal, form.cleaned_data)
        except services.ProposalError as error:
            messages.error(request, str(error))
            return redirect("proposals:moderation-detail", pk=pk)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("proposals:moderation-detail", pk=pk)
    context = _moderation_context(request, proposal, **{form_name: form})
    return render(request, "proposals/moderation/detail.html", context, status=400)


@staff_required(Role.MODERATOR)
@require_POST
def moderation_publish(request, pk: int):
    return _moderation_action(
        request,
        pk,
        PublishForm,
        "publish_form",
        lambda p, d: services.proposal_publish(
            proposal=p,
            actor=request.user,
            responsible_organization=d["responsible_organization"],
        ),
        _("The proposal is published."),
    )


@staff_required(Role.MODERATOR)
@require_POST
def moderation_revise(request, pk: int):
    return _moderation_action(
        request,
        pk,
        RevisionForm,
        "revision_form",
        lambda p, d: services.proposal_request_revision(
            proposal=p, actor=request.user, message=d["message"]
        ),
        _("The proposer is asked to make changes."),
    )


@staff_required(Role.MODERATOR)
@require_POST
def moderation_reject(request, pk: int):
    return _moderation_action(
        request,
        pk,
        RejectForm,
        "reject_form",
        lambda p, d: services.proposal_reject(
            proposal=p, actor=request.user, reason=d["reason"], text=d["text"]
        ),
        _("The proposal is rejected."),
    )


@staff_required(Role.MODERATOR)
@require_POST
def moderation_hide(request, pk: int):
    return _moderation_action(
        request,
        pk,
        ReasonForm,
        "hide_form",
        lambda p, d: services.proposal_hide(proposal=p, actor=request.user, reason=d["reason"]),
        _("The proposal is hidden."),
    )


@staff_required(Role.MODERATOR)
@require_POST
def moderation_restore(request, pk: int):
    return _moderation_action(
        request,
        pk,
        ReasonForm,
        "hide_form",
        lambda p, d: services.proposal_restore(proposal=p, actor=request.user, reason=d["reason"]),
        _("The proposal is shown again."),
    )


@staff_required(Role.MODERATOR)
@require_POST
def moderation_invalidate(request, pk: int):
    def act(proposal, data):
        invalidation = services.signatures_invalidate(
            proposal=proposal,
            actor=request.user,
            reason=data["reason"],
            network=data["network"].strip(),
            email_domain=data["email_domain"].strip(),
            created_from=data["created_from"],
            created_to=data["created_to"],
        )
        messages.info(
            request,
            _("%(count)s signatures were removed from the count.")
            % {"count": invalidation.matched},
        )

    return _moderation_action(
        request, pk, InvalidateForm, "invalidate_form", act, _("The invalidation is recorded.")
    )


@staff_required(Role.MODERATOR)
@require_POST
def moderation_comment(request, pk: int, action: str):
    comment = get_object_or_404(Comment, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
    elif action == "hide":
        services.comment_hide(
            comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The comment is hidden."))
    else:
        services.comment_restore(
            comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The comment is shown again."))
    return redirect("proposals:moderation-queue")


@staff_required(Role.MODERATOR)
@require_POST
def moderation_report_dismiss(request, pk: int):
    report = get_object_or_404(Report, pk=pk)
    services.report_dismiss(report=report, actor=request.user)
    messages.success(request, _("The report is closed; the content stays as it is."))
    return redirect("proposals:moderation-queue")


class RejectionReasonListView(StaffRequiredMixin, ListView):
    staff_roles = (Role.MODERATOR,)
    template_name = "proposals/moderation/reasons.html"
    context_object_name = "reasons"
    queryset = RejectionReason.objects.all()


class _ReasonFormMixin(StaffRequiredMixin):
    staff_roles = (Role.MODERATOR,)
    model = RejectionReason
    form_class = RejectionReasonForm
    template_name = "proposals/moderation/reason_form.html"

    def form_valid(self, form):
        services.rejection_reason_save(reason=form.instance, actor=self.request.user)
        messages.success(self.request, _("The reason is saved."))
        return redirect("proposals:moderation-reasons")


class RejectionReasonCreateView(_ReasonFormMixin, CreateView):
    pass


class RejectionReasonUpdateView(_ReasonFormMixin, UpdateView):
    pass


@csrf_exempt  # the signed token is the authorisation; mail programs' one-click POST has no CSRF
@never_cache
def stop_updates(request, token: str):
    """The link in a signer's mail: stop the updates for that proposal (RFC 8058 one-click)."""
    found = notifications.read_stop_updates_token(token)
    if found is None:
        return render(request, "proposals/stop_updates.html", {"invalid": True}, status=400)
    proposal_id, user_id = found
    proposal = Proposal.objects.filter(pk=proposal_id).only("pk", "title").first()
    if proposal is None:
        raise Http404
    if request.method == "POST":
        services.signature_stop_updates(proposal_id=proposal_id, user_id=user_id)
        return render(request, "proposals/stop_updates.html", {"proposal": proposal, "done": True})
    return render(request, "proposals/stop_updates.html", {"proposal": proposal})
