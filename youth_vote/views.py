"""Pages of the youth-council election: public pages, the booth, and the staff tools.

Views are thin: forms check input, services write, selectors read and check access.
"""

import csv
import io
import json
import random
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from democracy.core.forms import apply_errors
from democracy.core.media import protected_file_response
from democracy.core.permissions import staff_guard, staff_required
from democracy.core.roles import Role
from youth_vote import booth, codes, integrity, permissions, selectors, services
from youth_vote.apportion import largest_remainder
from youth_vote.forms import (
    CandidateContentForm,
    CandidateDecisionForm,
    CandidateForm,
    ChoiceForm,
    CodeEntryForm,
    DistrictForm,
    ElectionForm,
    ExtensionForm,
    ReasonForm,
    RollImportForm,
    SchoolContactsForm,
    SchoolForm,
    SessionOpenForm,
    TallyForm,
)
from youth_vote.models import (
    Candidate,
    CandidateResult,
    District,
    Election,
    School,
    SchoolClass,
    SchoolTurnout,
    Tracker,
    Voter,
)

ADMIN = (Role.ELECTION_ADMIN,)
CONTACT = (Role.SCHOOL_CONTACT,)


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _flash_errors(request, error: ValidationError) -> None:
    for message in _errors(error):
        messages.error(request, message)


# --- Public pages ---------------------------------------------------------------------------


def easy_read(request):
    """The election in easy Swedish, with the current election's rules and dates if any."""
    return render(request, "youth_vote/easy_read.html", {"election": selectors.election_current()})


def home(request):
    election = selectors.election_current()
    others = list(selectors.elections_public().exclude(pk=getattr(election, "pk", None))[:10])
    # Only an election whose voting has ended is an earlier one; another open or coming
    # election is listed as such, not under "Earlier elections".
    context = {
        "election": election,
        "others": [other for other in others if other.has_closed],
        "others_current": [other for other in others if not other.has_closed],
    }
    if election is not None:
        context.update(_election_context(election))
    return render(request, "youth_vote/home.html", context)


def _election_context(election: Election) -> dict:
    turnout = selectors.election_turnout(election=election)
    started = election.has_closed or election.is_open
    return {
        "districts": election.districts.all(),
        "extensions": election.extensions.all(),
        "turnout": turnout if started else None,
        "turnout_eligible": turnout.eligible,
        "min_reported": selectors.min_reported(),
        "turnout_step": selectors.turnout_step(),
        "results_visible": permissions.results_visible(election),
        "trackers_visible": permissions.trackers_visible(election),
        "export_visible": permissions.export_visible(election),
    }


def election_detail(request, slug):
    election = selectors.election_get_public(slug=slug)
    context = {"election": election, **_election_context(election)}
    return render(request, "youth_vote/election_detail.html", context)


def candidates(request, slug):
    election = selectors.election_get_public(slug=slug)
    by_district = []
    approved = Candidate.objects.filter(
        election=election, status=Candidate.Status.APPROVED
    ).select_related("district")
    for district in election.districts.all():
        by_district.append((district, [c for c in approved if c.district_id == district.pk]))
    return render(
        request,
        "youth_vote/candidates.html",
        {"election": election, "by_district": by_district},
    )


def seats(request, slug):
    election = selectors.election_get_public(slug=slug)
    districts = list(election.districts.all())
    populations = {d.slug: d.child_population for d in districts}
    members = largest_remainder(populations, election.total_members)
    substitutes = largest_remainder(populations, election.total_substitutes)
    total = sum(populations.values())
    rows = [
        {
            "district": d,
            "members": members[d.slug],
            "substitutes": substitutes[d.slug],
        }
        for d in districts
    ]
    return render(
        request,
        "youth_vote/seats.html",
        {
            "election": election,
            "rows": rows,
            "total_population": total,
            "member_quota": (total / election.total_members) if election.total_members else 0,
            "substitute_quota": (total / election.total_substitutes)
            if election.total_substitutes
            else 0,
        },
    )


def results(request, slug):
    election = selectors.election_get_public(slug=slug)
    if not permissions.results_visible(election):
        return render(
            request,
            "youth_vote/results_pending.html",
            {"election": election},
            status=403,
        )
    districts = []
    for district in election.districts.select_related("result"):
        rows = list(
            CandidateResult.objects.filter(candidate__district=district)
            .select_related("candidate")
            .order_by("rank")
        )
        result = getattr(district, "result", None)
        # What was elected, not the seats: a district with fewer candidates with votes than
        # seats leaves seats empty, and the page must not say they were filled.
        members = sum(1 for row in rows if row.outcome == CandidateResult.Outcome.MEMBER)
        substitutes = sum(1 for row in rows if row.outcome == CandidateResult.Outcome.SUBSTITUTE)
        districts.append(
            {
                "district": district,
                "result": result,
                "rows": rows,
                "chart": _bar_chart(rows, result),
                "members_elected": members,
                "substitutes_elected": substitutes,
                "seats_empty": members < district.seats_members
                or substitutes < district.seats_substitutes,
            }
        )
    minimum = selectors.min_reported()
    turnout = [
        t
        for t in SchoolTurnout.objects.filter(school__election=election).select_related("school")
        if t.voted >= minimum
    ]
    hidden_schools = SchoolTurnout.objects.filter(
        school__election=election, voted__lt=minimum
    ).count()
    return render(
        request,
        "youth_vote/results.html",
        {
            "election": election,
            "districts": districts,
            "turnout": turnout,
            "hidden_schools": hidden_schools,
            "min_reported": minimum,
        },
    )


def _bar_chart(rows, result) -> dict:
    """Geometry of a horizontal bar chart, drawn as SVG by the template (no script)."""
    bars = [(row.candidate.name, row.votes, row.outcome) for row in rows]
    if result is not None:
        bars.append((_("Blank votes"), result.blank, "blank"))
    top = max([votes for _name, votes, _o in bars] + [1])
    label_width, bar_width, row_height = 220, 300, 30
    drawn = []
    for index, (name, votes, outcome) in enumerate(bars):
        drawn.append(
            {
                "name": name,
                "votes": votes,
                "outcome": outcome,
                "y": index * row_height,
                "text_y": index * row_height + 19,
                "width": max(1, round(bar_width * votes / top)) if votes else 0,
                "value_x": label_width + (round(bar_width * votes / top) if votes else 0) + 6,
            }
        )
    return {
        "bars": drawn,
        "label_width": label_width,
        "height": max(row_height * len(bars), row_height),
        "width": label_width + bar_width + 60,
    }


def trackers(request, slug):
    election = selectors.election_get_public(slug=slug)
    if not permissions.trackers_visible(election):
        return render(
            request, "youth_vote/results_pending.html", {"election": election}, status=403
        )
    wanted = codes.tracker_normalise(request.GET.get("tracker", ""))
    found = None
    if request.GET.get("tracker"):
        found = bool(wanted and Tracker.objects.filter(election=election, code=wanted).exists())
    page = Paginator(
        Tracker.objects.filter(election=election).values_list("code", flat=True), 500
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "youth_vote/trackers.html",
        {
            "election": election,
            "page_obj": page,
            "wanted": wanted or request.GET.get("tracker", ""),
            "found": found,
        },
    )


def export(request, slug):
    election = selectors.election_get_public(slug=slug)
    if not permissions.export_visible(election):
        return JsonResponse(
            {"error": "The export is published together with the result."}, status=403
        )
    response = HttpResponse(
        json.dumps(services.export_build(election), ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{election.slug}-export.json"'
    return response


def booth_manifest(request):
    """The booth's static files with their SRI hashes, for observers to compare."""
    return JsonResponse(integrity.manifest())


# --- The booth ------------------------------------------------------------------------------


def _booth_render(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    if not booth.has_device_id(request):
        device = booth.new_device_id(request)
        if device is not None:
            response.set_cookie(
                booth.DEVICE_COOKIE,
                device,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="Strict",
                secure=request.is_secure(),
            )
    return response


@never_cache
def booth_start(request):
    """Step 1: the student's own code and the class code."""
    election = selectors.election_current()
    if election is None or election.phase != Election.Phase.OPEN:
        return _booth_render(
            request, "youth_vote/booth_closed.html", {"election": election}, status=403
        )
    if request.method != "POST":
        return _booth_render(
            request, "youth_vote/booth_start.html", {"form": CodeEntryForm(), "election": election}
        )
    form = CodeEntryForm(request.POST)
    if not form.is_valid():
        return _booth_render(
            request,
            "youth_vote/booth_start.html",
            {"form": form, "election": election},
            status=400,
        )
    try:
        ballot_pass = booth.check_codes(
            request,
            election=election,
            code=form.cleaned_data["code"],
            session_code=form.cleaned_data["session_code"],
        )
    except booth.CodeRefused as refused:
        return _booth_refusal(request, election, refused.reason, form=form, wait=refused.wait)
    return _ballot_page(request, election, ballot_pass)


def _booth_refusal(request, election, reason, *, form=None, wait=0):
    if reason == booth.REASON_VOTED:
        return _booth_render(
            request, "youth_vote/booth_voted.html", {"election": election}, status=409
        )
    if reason == booth.REASON_CLOSED:
        return _booth_render(
            request, "youth_vote/booth_closed.html", {"election": election}, status=403
        )
    if reason == booth.REASON_LIMITED:
        response = _booth_render(
            request,
            "youth_vote/booth_start.html",
            {
                "form": CodeEntryForm(),
                "election": election,
                "limited": True,
                "wait_seconds": wait if wait < 60 else 0,
                "wait_minutes": -(-wait // 60) if wait >= 60 else 0,
            },
            status=429,
        )
        response["Retry-After"] = str(max(1, wait))
        return response
    blank = CodeEntryForm()
    blank.fields["code"].widget.attrs["aria-invalid"] = "true"
    blank.fields["session_code"].widget.attrs["aria-invalid"] = "true"
    return _booth_render(
        request,
        "youth_vote/booth_start.html",
        {"form": blank, "election": election, "wrong": True},
        status=400,
    )


def _ballot_page(request, election, ballot_pass, *, error=None, selected=None, status=200):
    candidates = selectors.ballot_candidates(election=election, district_id=ballot_pass.district_id)
    random.SystemRandom().shuffle(candidates)  # a new random order for every ballot shown
    district = District.objects.get(pk=ballot_pass.district_id)
    return _booth_render(
        request,
        "youth_vote/booth_ballot.html",
        {
            "election": election,
            "district": district,
            "candidates": candidates,
            "ballot_pass": ballot_pass.token,
            "error": error,
            "selected": selected,
        },
        status=status,
    )


def _checked_pass(request):
    """The form's ballot pass and what the database says about it, and the election to show.

    Returns ``(ballot_pass, check, election, refusal)``; ``refusal`` is a response when the
    pass cannot be used: expired or forged, its code replaced, its session over, the student
    has already voted, or voting is not open.
    """
    ballot_pass = booth.read_pass(request.POST.get("ballot_pass", ""))
    check = booth.pass_check(ballot_pass) if ballot_pass is not None else None
    if check is None:
        election = selectors.election_current()
        if election is None or election.phase != Election.Phase.OPEN:
            return None, None, election, _booth_refusal(request, election, booth.REASON_CLOSED)
        return None, None, election, _expired(request, election)
    election = check.election
    if election.phase != Election.Phase.OPEN:
        return None, None, election, _booth_refusal(request, election, booth.REASON_CLOSED)
    if check.voted:
        return None, None, election, _booth_refusal(request, election, booth.REASON_VOTED)
    if not check.session_open:
        return None, None, election, _expired(request, election)
    return ballot_pass, check, election, None


def _expired(request, election):
    return _booth_render(
        request,
        "youth_vote/booth_start.html",
        {"form": CodeEntryForm(), "election": election, "expired": True},
        status=400,
    )


def _choice_label(election, ballot_pass, choice):
    if choice == "blank":
        return None, True
    for candidate in selectors.ballot_candidates(
        election=election, district_id=ballot_pass.district_id
    ):
        if str(candidate.key) == choice:
            return candidate, True
    return None, False


@never_cache
@require_POST
def booth_confirm(request):
    """Step 2: show the choice back. Nothing is stored; the choice stays in the form."""
    ballot_pass, _check, election, refusal = _checked_pass(request)
    if refusal:
        return refusal
    form = ChoiceForm(request.POST)
    if request.POST.get("change") or not form.is_valid():
        error = None if request.POST.get("change") else _("Choose a candidate, or vote blank.")
        return _ballot_page(
            request,
            election,
            ballot_pass,
            error=error,
            selected=request.POST.get("choice"),
            status=200 if request.POST.get("change") else 400,
        )
    choice = form.cleaned_data["choice"]
    candidate, valid = _choice_label(election, ballot_pass, choice)
    if not valid:
        return _ballot_page(
            request,
            election,
            ballot_pass,
            error=_("That choice is not on your ballot. Choose again."),
            status=400,
        )
    return _booth_render(
        request,
        "youth_vote/booth_confirm.html",
        {
            "election": election,
            "candidate": candidate,
            "choice": choice,
            "ballot_pass": ballot_pass.token,
        },
    )


@never_cache
@require_POST
def booth_cast(request):
    """Step 3: cast. Marks the student as voted and stores the ballot in one transaction.

    One query checks the pass, the session and the voting window; the cast is one
    transaction. A spent pass (the student has voted) gets the plain "already voted" page.
    """
    ballot_pass, _check, election, refusal = _checked_pass(request)
    if refusal:
        return refusal
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return _ballot_page(
            request,
            election,
            ballot_pass,
            error=_("Choose a candidate, or vote blank."),
            status=400,
        )
    try:
        tracker = services.ballot_cast(
            election=election,
            voter_id=ballot_pass.voter_id,
            district_id=ballot_pass.district_id,
            choice=form.cleaned_data["choice"],
        )
    except services.AlreadyVoted:
        return _booth_refusal(request, election, booth.REASON_VOTED)
    except services.VotingClosed:
        return _booth_refusal(request, election, booth.REASON_CLOSED)
    except services.InvalidChoice:
        return _ballot_page(
            request,
            election,
            ballot_pass,
            error=_("That choice is not on your ballot. Choose again."),
            status=400,
        )
    order = booth.record_cast(request, roll_position=ballot_pass.roll_position)
    # Post-redirect-get: the tracker travels in a short-lived signed cookie that the next
    # page shows once and deletes, so neither history nor a reload can show it again.
    done = reverse("youth_vote:booth-done")
    response = HttpResponseRedirect(done, status=303)
    response["Cache-Control"] = "no-store"
    response.set_cookie(
        booth.TRACKER_COOKIE,
        booth.tracker_cookie_value(tracker),
        max_age=600,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
        path=done,
    )
    if order is not None:
        response.set_cookie(
            booth.ORDER_COOKIE,
            order,
            max_age=booth.ORDER_GAP_SECONDS,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure(),
            path=request.path,
        )
    return response


@never_cache
def booth_done(request):
    """Step 4: the tracker, shown once; then the booth is ready for the next student."""
    tracker = booth.tracker_from_cookie(request.COOKIES.get(booth.TRACKER_COOKIE, ""))
    election = selectors.election_current()
    response = _booth_render(
        request, "youth_vote/booth_done.html", {"tracker": tracker, "election": election}
    )
    response["Clear-Site-Data"] = '"cache"'
    response.delete_cookie(booth.TRACKER_COOKIE, path=reverse("youth_vote:booth-done"))
    return response


# --- Election administrators ----------------------------------------------------------------


@staff_required(*ADMIN)
def admin_elections(request):
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The election is created. Add districts next."))
            return redirect("youth_vote:admin-election", slug=election.slug)
    elections = Election.objects.all()
    return render(
        request,
        "youth_vote/admin/elections.html",
        {"elections": elections, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(*ADMIN)
def admin_election(request, slug):
    election = selectors.election_get_admin(slug=slug)
    turnout = selectors.election_turnout(election=election)
    return render(
        request,
        "youth_vote/admin/election.html",
        {
            "election": election,
            "districts": election.districts.all(),
            "freeze_problems": services.freeze_problems(election)
            if permissions.can_freeze(election)
            else [],
            "turnout": turnout,
            "started": election.is_open or election.has_closed,
            "candidate_counts": {
                status: election.candidates.filter(status=status).count()
                for status in Candidate.Status.values
            },
            "can_freeze": permissions.can_freeze(election),
            "can_extend": permissions.can_extend(election),
            "can_tally": permissions.can_tally(election),
            "can_rekey": permissions.can_rekey(election),
            "can_publish": permissions.can_publish(election),
            "can_add_to_council": permissions.can_add_to_council(election),
            "can_purge": permissions.can_purge(election),
            "extension_form": ExtensionForm(),
        },
    )


@staff_required(*ADMIN)
def admin_election_edit(request, slug):
    election = selectors.election_get_admin(slug=slug)
    form = ElectionForm(request.POST or None, instance=election)
    if request.method == "POST" and form.is_valid():
        try:
            services.election_update(election=election, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("youth_vote:admin-election", slug=election.slug)
    return render(
        request,
        "youth_vote/admin/election_edit.html",
        {"election": election, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(*ADMIN)
def admin_districts(request, slug):
    election = selectors.election_get_admin(slug=slug)
    form = DistrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.district_create(election=election, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The district is added and the seats are shared again."))
            return redirect("youth_vote:admin-districts", slug=election.slug)
    return render(
        request,
        "youth_vote/admin/districts.html",
        {"election": election, "districts": election.districts.all(), "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(*ADMIN)
def admin_district_edit(request, slug, pk):
    election = selectors.election_get_admin(slug=slug)
    district = get_object_or_404(District, election=election, pk=pk)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            services.district_delete(district=district, actor=request.user)
        except ValidationError as error:
            _flash_errors(request, error)
            return redirect("youth_vote:admin-district-edit", slug=slug, pk=pk)
        messages.success(request, _("The district is removed."))
        return redirect("youth_vote:admin-districts", slug=slug)
    form = DistrictForm(
        request.POST or None,
        initial={
            "name": district.name,
            "child_population": district.child_population,
            "translations": district.translations,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.district_update(district=district, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("youth_vote:admin-districts", slug=slug)
    return render(
        request,
        "youth_vote/admin/district_edit.html",
        {"election": election, "district": district, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(*ADMIN)
def admin_schools(request, slug):
    election = selectors.election_get_admin(slug=slug)
    form = SchoolForm(request.POST or None, election=election)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_create(
                election=election,
                actor=request.user,
                name=form.cleaned_data["name"],
                district=form.cleaned_data["district"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The school is added. Link its contact persons."))
            return redirect("youth_vote:admin-school-edit", slug=slug, pk=school.pk)
    schools = election.schools.select_related("district").prefetch_related("contacts")
    return render(
        request,
        "youth_vote/admin/schools.html",
        {"election": election, "schools": schools, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(*ADMIN)
def admin_school_edit(request, slug, pk):
    election = selectors.election_get_admin(slug=slug)
    school = get_object_or_404(School, election=election, pk=pk)
    form = SchoolForm(
        request.POST if request.POST.get("part") == "school" else None,
        election=election,
        initial={"name": school.name, "district": school.district_id},
    )
    contacts_form = SchoolContactsForm(
        request.POST if request.POST.get("part") == "contacts" else None,
        initial={"emails": "\n".join(school.contacts.values_list("email", flat=True))},
    )
    if request.method == "POST":
        try:
            if request.POST.get("part") == "school" and form.is_valid():
                services.school_update(
                    school=school,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    district=form.cleaned_data["district"],
                )
                messages.success(request, _("Saved."))
                return redirect("youth_vote:admin-schools", slug=slug)
            if request.POST.get("part") == "contacts" and contacts_form.is_valid():
                services.school_set_contacts(
                    school=school, users=contacts_form.cleaned_data["emails"], actor=request.user
                )
                messages.success(request, _("The contact persons are saved."))
                return redirect("youth_vote:admin-schools", slug=slug)
        except ValidationError as error:
            _flash_errors(request, error)
    return render(
        request,
        "youth_vote/admin/school_edit.html",
        {"election": election, "school": school, "form": form, "contacts_form": contacts_form},
        status=400 if request.method == "POST" else 200,
    )


def candidate_photo(request, name):
    """A candidate's photo: for everyone once staff have approved the candidate in a public
    election; for election administrators also while it is under review or after it was
    rejected; for no one once it is replaced or removed."""
    path = f"{Candidate._meta.get_field('photo').upload_to}{name}"
    candidate = Candidate.objects.filter(photo=path).select_related("election").first()
    if candidate is None:
        raise Http404
    public = candidate.status == Candidate.Status.APPROVED and (
        selectors.elections_public().filter(pk=candidate.election_id).exists()
    )
    if not public:
        try:
            allowed = staff_guard(request, ADMIN) is None
        except PermissionDenied:
            allowed = False
        if not allowed:  # a file that is not there for this person, not a sign-in page
            raise Http404
    return protected_file_response(path, public=public)


@staff_required(*ADMIN)
def admin_candidates(request, slug):
    election = selectors.election_get_admin(slug=slug)
    form = CandidateForm(request.POST or None, request.FILES or None, election=election)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_create(election=election, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The candidate is added and waits for review."))
            return redirect("youth_vote:admin-candidates", slug=slug)
    candidates_ = election.candidates.select_related("district").order_by(
        "district__name", "family_name", "given_name"
    )
    return render(
        request,
        "youth_vote/admin/candidates.html",
        {"election": election, "candidates": candidates_, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(*ADMIN)
def admin_candidate(request, slug, pk):
    election = selectors.election_get_admin(slug=slug)
    candidate = get_object_or_404(Candidate, election=election, pk=pk)
    decision_form = CandidateDecisionForm(
        request.POST if request.POST.get("part") == "decision" else None
    )
    content_form = CandidateContentForm(
        request.POST if request.POST.get("part") == "content" else None,
        request.FILES if request.POST.get("part") == "content" else None,
        initial={"statement": candidate.statement, "photo_alt": candidate.photo_alt},
    )
    if request.method == "POST":
        part = request.POST.get("part")
        try:
            if part == "decision" and decision_form.is_valid():
                services.candidate_transition(
                    candidate=candidate,
                    to=decision_form.cleaned_data["to"],
                    actor=request.user,
                    reason=decision_form.cleaned_data["reason"],
                )
                messages.success(request, _("Saved."))
                return redirect("youth_vote:admin-candidate", slug=slug, pk=pk)
            if part == "content" and content_form.is_valid():
                services.candidate_update(
                    candidate=candidate, actor=request.user, **content_form.cleaned_data
                )
                messages.success(request, _("Saved. The candidate waits for review again."))
                return redirect("youth_vote:admin-candidate", slug=slug, pk=pk)
            if part == "remove_photo":
                reason_form = ReasonForm(request.POST)
                if not reason_form.is_valid():
                    raise ValidationError(
                        [m for errors in reason_form.errors.values() for m in errors]
                    )
                services.candidate_photo_remove(
                    candidate=candidate,
                    actor=request.user,
                    reason=reason_form.cleaned_data["reason"],
                )
                messages.success(request, _("The photo is removed."))
                return redirect("youth_vote:admin-candidate", slug=slug, pk=pk)
        except ValidationError as error:
            _flash_errors(request, error)
    return render(
        request,
        "youth_vote/admin/candidate.html",
        {
            "election": election,
            "candidate": candidate,
            "decision_form": decision_form,
            "content_form": content_form,
            "eligibility": services.candidate_eligibility_problems(
                election=election, grade=candidate.grade, birth_date=candidate.birth_date
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required(*ADMIN)
def admin_roll(request, slug):
    election = selectors.election_get_admin(slug=slug)
    form = RollImportForm(request.POST or None, request.FILES or None, election=election)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = services.roll_import(
                election=election,
                school=form.cleaned_data["school"],
                data=form.cleaned_data["file"].read(),
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            form = RollImportForm(election=election)
    elif form.errors:
        status = 400
    return render(
        request,
        "youth_vote/admin/roll.html",
        {
            "election": election,
            "form": form,
            "report": report,
            "classes": selectors.roll_summary(election=election),
            "columns": services.ROLL_COLUMNS,
        },
        status=status,
    )


@staff_required(*ADMIN)
@require_POST
def admin_roll_remove_class(request, slug, pk):
    election = selectors.election_get_admin(slug=slug)

    school_class = get_object_or_404(SchoolClass, school__election=election, pk=pk)
    try:
        removed = services.roll_remove_class(school_class=school_class, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(
            request, _("%(count)s students are taken off the roll.") % {"count": removed}
        )
    return redirect("youth_vote:admin-roll", slug=slug)


def _admin_action(request, slug, action, success):
    election = selectors.election_get_admin(slug=slug)
    try:
        action(election)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, success)
    return redirect("youth_vote:admin-election", slug=election.slug)


def _key_sheets_response(request, election, sheets):
    """The trustees' key sheets, shown once: never cached, never stored."""
    response = render(
        request, "youth_vote/admin/key_sheets.html", {"election": election, "sheets": sheets}
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(*ADMIN)
@require_POST
def admin_freeze(request, slug):
    election = selectors.election_get_admin(slug=slug)
    try:
        election, sheets = services.election_freeze(election=election, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
        return redirect("youth_vote:admin-election", slug=election.slug)
    messages.success(request, _("The election is frozen and its fingerprint is published."))
    return _key_sheets_response(request, election, sheets)


@staff_required(*ADMIN)
@require_POST
def admin_rekey(request, slug):
    election = selectors.election_get_admin(slug=slug)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm."))
        return redirect("youth_vote:admin-election", slug=election.slug)
    try:
        election, sheets = services.election_rekey(election=election, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
        return redirect("youth_vote:admin-election", slug=election.slug)
    return _key_sheets_response(request, election, sheets)


@staff_required(*ADMIN)
@require_POST
def admin_extend(request, slug):
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect("youth_vote:admin-election", slug=slug)
    return _admin_action(
        request,
        slug,
        lambda e: services.election_extend(election=e, actor=request.user, **form.cleaned_data),
        _("Voting is extended. The extension and its reason are public."),
    )


@staff_required(*ADMIN)
@never_cache
def admin_tally(request, slug):
    """The trustees present type in their key sheets; the sums are decrypted and ranked."""
    election = selectors.election_get_admin(slug=slug)
    if not permissions.can_tally(election):
        messages.error(request, _("The votes can be counted once, after voting has closed."))
        return redirect("youth_vote:admin-election", slug=election.slug)
    form = TallyForm(request.POST or None, election=election)
    if request.method == "POST" and form.is_valid():
        try:
            services.election_tally(election=election, actor=request.user, shares=form.shares)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(
                request, _("The votes are counted. Check the result, then publish it.")
            )
            return redirect("youth_vote:admin-results", slug=election.slug)
    return render(request, "youth_vote/admin/tally.html", {"election": election, "form": form})


@staff_required(*ADMIN)
@require_POST
def admin_publish(request, slug):
    return _admin_action(
        request,
        slug,
        lambda e: services.election_publish(election=e, actor=request.user),
        _("The result, the trackers and the export are published."),
    )


@staff_required(*ADMIN)
@require_POST
def admin_add_to_council(request, slug):
    return _admin_action(
        request,
        slug,
        lambda e: services.election_add_members_to_council(election=e, actor=request.user),
        _("The elected members and substitutes are added to the youth council in the diary."),
    )


@staff_required(*ADMIN)
@require_POST
def admin_purge(request, slug):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm."))
        return redirect("youth_vote:admin-election", slug=slug)
    return _admin_action(
        request,
        slug,
        lambda e: services.election_purge(election=e, actor=request.user),
        _("The voter roll, the code link and the participation marks are destroyed."),
    )


@staff_required(*ADMIN)
def admin_results_preview(request, slug):
    """The counted result before publication, for the administrator to check."""
    election = selectors.election_get_admin(slug=slug)
    if election.status not in (Election.Status.TALLIED, Election.Status.PUBLISHED):
        raise Http404
    rows = CandidateResult.objects.filter(candidate__election=election).select_related(
        "candidate__district"
    )
    return render(
        request,
        "youth_vote/admin/results_preview.html",
        {"election": election, "rows": rows.order_by("candidate__district__name", "rank")},
    )


# --- School contact persons -----------------------------------------------------------------


@staff_required(*CONTACT)
def contact_sessions(request):
    schools = list(selectors.schools_for_contact(user=request.user))
    groups = []
    for school in schools:
        groups.append(
            {
                "school": school,
                "classes": selectors.classes_with_counts(school=school),
                "turnout": selectors.school_turnout(school=school),
            }
        )
    return render(
        request,
        "youth_vote/contact/sessions.html",
        {
            "groups": groups,
            "open_sessions": selectors.sessions_open_for(schools=schools),
            "open_form": SessionOpenForm(),
        },
    )


@staff_required(*CONTACT)
@require_POST
def contact_session_open(request, pk):
    school_class = selectors.class_get_for_contact(user=request.user, pk=pk)
    form = SessionOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A session lasts from 5 to 240 minutes."))
        return redirect("youth_vote:sessions")
    try:
        session = services.session_open(
            school_class=school_class, actor=request.user, minutes=form.cleaned_data["minutes"]
        )
    except ValidationError as error:
        _flash_errors(request, error)
        return redirect("youth_vote:sessions")
    return redirect("youth_vote:session-screen", pk=session.pk)


def _session_state(session):
    turnout = selectors.class_turnout(school_class=session.school_class)
    now = timezone_now()
    is_open = session.is_open_at(now)
    remaining = max(0, int((session.effective_end - now).total_seconds())) if is_open else 0
    return {
        "open": is_open,
        "code": codes.session_code_now(session.secret) if is_open else "",
        "voted": turnout.voted,
        "eligible": turnout.eligible,
        "voted_text": turnout.text,
        "seconds_left": remaining,
        "code_seconds_left": codes.SESSION_CODE_INTERVAL
        - int(now.timestamp()) % codes.SESSION_CODE_INTERVAL,
    }


@staff_required(*CONTACT)
@never_cache
def contact_session_screen(request, pk):
    session = selectors.session_get_for_contact(user=request.user, pk=pk)
    return render(
        request,
        "youth_vote/contact/screen.html",
        {
            "session": session,
            "state": _session_state(session),
            "booth_url": request.build_absolute_uri(reverse("youth_vote:booth")),
        },
    )


@staff_required(*CONTACT)
@never_cache
def contact_session_status(request, pk):
    session = selectors.session_get_for_contact(user=request.user, pk=pk)
    return JsonResponse(_session_state(session))


@staff_required(*CONTACT)
@require_POST
def contact_session_end(request, pk):
    session = selectors.session_get_for_contact(user=request.user, pk=pk)
    services.session_end(session=session, actor=request.user)
    messages.success(request, _("The session is ended. The class code no longer works."))
    return redirect("youth_vote:sessions")


@staff_required(*CONTACT)
@require_POST
def contact_session_unlock(request, pk):
    session = selectors.session_get_for_contact(user=request.user, pk=pk)
    services.session_codes_unlock(session=session, actor=request.user)
    messages.success(request, _("Every code in the class can be tried again now."))
    return redirect("youth_vote:session-screen", pk=pk)


@staff_required(*CONTACT)
def contact_class_codes(request, pk):
    """Print the class sheet. Printing makes new codes: the old sheet stops working."""
    school_class = selectors.class_get_for_contact(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            issued = services.class_codes_issue(school_class=school_class, actor=request.user)
        except ValidationError as error:
            _flash_errors(request, error)
            return redirect("youth_vote:sessions")
        response = render(
            request,
            "youth_vote/contact/code_sheet.html",
            {
                "school_class": school_class,
                "issued": issued,
                "booth_url": request.build_absolute_uri(reverse("youth_vote:booth")),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "youth_vote/contact/codes_confirm.html",
        {"school_class": school_class, "students": school_class.voters.count()},
    )


def _voter_or_404(queryset, value):
    try:
        uuid.UUID(str(value or ""))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(queryset, pk=value)


@staff_required(*CONTACT)
def contact_class_reissue(request, pk):
    school_class = selectors.class_get_for_contact(user=request.user, pk=pk)
    voters = school_class.voters.order_by("family_name", "given_name")
    if request.method == "POST":
        voter = _voter_or_404(
            Voter.objects.filter(school_class=school_class), request.POST.get("voter")
        )
        form = ReasonForm(request.POST)
        form.is_valid()
        try:
            code = services.voter_code_reissue(
                voter=voter, actor=request.user, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as error:
            _flash_errors(request, error)
            return redirect("youth_vote:class-reissue", pk=pk)
        response = render(
            request,
            "youth_vote/contact/code_sheet.html",
            {
                "school_class": school_class,
                "issued": [(voter, code)],
                "booth_url": request.build_absolute_uri(reverse("youth_vote:booth")),
                "reissue": True,
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "youth_vote/contact/reissue.html",
        {"school_class": school_class, "voters": voters, "form": ReasonForm()},
    )


@staff_required(*CONTACT)
def contact_manual(request, pk):
    """Record a paper ballot for a student who votes without a code."""
    school = selectors.school_get_for_contact(user=request.user, pk=pk)
    election = school.election
    query = selectors.search_text(request.GET.get("q"))
    voter = None
    if request.method == "POST" or request.GET.get("voter"):
        voter = _voter_or_404(
            Voter.objects.select_related("district", "school_class").filter(
                school_class__school=school
            ),
            request.POST.get("voter") or request.GET.get("voter"),
        )
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        if not choice:
            messages.error(request, _("Choose a candidate, or blank."))
        elif len(request.POST.getlist("choice")) > 1:
            messages.error(request, _("Choose only one."))
        else:
            try:
                tracker = services.manual_ballot_record(
                    voter=voter, choice=choice, actor=request.user
                )
            except services.AlreadyVoted:
                messages.error(request, _("The student has already voted."))
                return redirect("youth_vote:school-manual", pk=pk)
            except services.VotingClosed:
                messages.error(request, _("Voting is not open."))
                return redirect("youth_vote:school-manual", pk=pk)
            except services.InvalidChoice:
                messages.error(request, _("That choice is not on the student's ballot."))
            else:
                messages.success(
                    request,
                    _("The paper ballot is counted. Give the student the tracker %(tracker)s.")
                    % {"tracker": tracker},
                )
                return redirect("youth_vote:school-manual", pk=pk)
    context = {
        "school": school,
        "election": election,
        "query": query,
        "voter": voter,
        "voters": selectors.voters_for_manual(school=school, query=query)[:50] if query else [],
    }
    if voter is not None:
        context["candidates"] = selectors.ballot_candidates(
            election=election, district_id=voter.district_id
        )
    return render(request, "youth_vote/contact/manual.html", context)


# CSV of the report is handy for schools correcting their file.
@staff_required(*ADMIN)
def admin_roll_template(request, slug):
    selectors.election_get_admin(slug=slug)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(services.ROLL_COLUMNS)
    writer.writerow(["1001", "Alva", "Berg", "7A", "7", "2013-04-02", "centrum"])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rostlangd-mall.csv"'
    return response
