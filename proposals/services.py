"""Every write to e-proposals: the lifecycle, signatures and their count, comments, reports.

The lifecycle is one explicit state machine (``Proposal.TRANSITIONS``); ``proposal_transition``
is the only place that changes a status, and it records a journey event each time. Staff and
system decisions are audit-logged; side effects (mail, live counts) are queued after commit.
"""

import functools
import ipaddress
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from democracy.core.db import prepared_cursor
from democracy.core.permissions import has_role
from democracy.core.queue import queue_with_change
from democracy.core.realtime import group_send_many
from democracy.core.roles import Role
from democracy.core.sanitize import clean_html, clean_text
from democracy.core.services import audit_log, staff_alert_raise
from democracy.core.translations import active_language, configured_languages
from democracy.diary.models import AgendaItem, Case
from democracy.diary.services import case_open, decision_refusal
from proposals import counters, rules
from proposals.models import (
    Comment,
    CountingLease,
    District,
    Proposal,
    ProposalCount,
    ProposalEvent,
    RejectionReason,
    Report,
    Signature,
    SignatureInvalidation,
    Topic,
)
from proposals.permissions import can_comment, can_edit, can_withdraw

Status = Proposal.Status
Kind = ProposalEvent.Kind


class ProposalError(Exception):
    """A request that breaks a rule; the message is fit to show to the person who made it."""


class AlreadySigned(ProposalError):
    pass


# --- Content ------------------------------------------------------------------------------


def plain_length(html: str) -> int:
    return len(clean_text(html).strip())


def _clean_content(*, title: str, summary: str, body: str, complete: bool) -> dict:
    """Sanitise and check a proposal's text; ``complete`` asks for everything a review needs."""
    values = {
        "title": clean_text(title or "")[: rules.TITLE_MAX + 1].strip(),
        "summary": clean_text(summary or "").strip(),
        "body": clean_html(body or ""),
    }
    errors = {}
    if not values["title"]:
        errors["title"] = _("Write a title.")
    elif len(values["title"]) > rules.TITLE_MAX:
        errors["title"] = _("The title is too long.")
    if len(values["summary"]) > rules.SUMMARY_MAX:
        errors["summary"] = _("The summary is too long.")
    if len(values["body"]) > rules.BODY_MAX * 2 or plain_length(values["body"]) > rules.BODY_MAX:
        errors["body"] = _("The proposal is too long.")
    if complete:
        if not values["summary"]:
            errors["summary"] = _("Write a short summary.")
        if plain_length(values["body"]) < rules.BODY_MIN:
            errors.setdefault("body", _("Describe your proposal in a few sentences."))
    if errors:
        raise ValidationError(errors)
    return values


def proposal_check_complete(proposal: Proposal) -> None:
    _clean_content(
        title=proposal.title, summary=proposal.summary, body=proposal.body, complete=True
    )
    if proposal.topic_id is None:
        raise ValidationError({"topic": _("Choose a topic.")})


# --- The state machine ----------------------------------------------------------------------


def proposal_transition(
    *,
    proposal: Proposal,
    to: str,
    actor,
    kind: str,
    note: str = "",
    data: dict | None = None,
    extra_fields: tuple[str, ...] = (),
) -> ProposalEvent:
    """Move ``proposal`` to ``to`` if the lifecycle allows it, and record the journey event.

    The caller holds the transaction and sets any timestamp fields it names in
    ``extra_fields``; this saves them together with the status.
    """
    allowed = Proposal.TRANSITIONS.get(Status(proposal.status), set())
    if to not in allowed:
        raise ProposalError(
            _("This cannot be done to a proposal with the status “%(status)s”.")
            % {"status": proposal.get_status_display()}
        )
    old = proposal.status
    proposal.status = to
    proposal.save(update_fields=["status", "updated_at", *extra_fields])
    return ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        from_status=old,
        to_status=to,
        note=note,
        data=data or {},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone_now(),
    )


def _event(proposal, *, kind, actor=None, note="", data=None) -> ProposalEvent:
    """A journey event without a change of status (threshold reached, invalidations)."""
    return ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        from_status=proposal.status,
        to_status=proposal.status,
        note=note,
        data=data or {},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone_now(),
    )


def _notify_with_change(
    proposal: Proposal, event: str, *, step: ProposalEvent | None = None
) -> None:
    """Queue the mail about ``event`` with the change (it is sent once the change commits,
    even if a worker is killed on the way: ``core.queue.queue_with_change``).

    Decisions that can happen more than once to the same proposal (changes asked for twice,
    hidden again) pass their journey ``step``: the mail is recorded per step, so each one
    reaches the proposer, and a repeated task still sends it only once.
    """
    if step is not None:
        event = f"{event}-{step.pk}"
    queue_with_change(
        "proposals.tasks.notify_proposal_event", proposal.pk, event, group="proposals-mail"
    )


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


# --- Writing and submitting -----------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    author,
    title: str,
    summary: str = "",
    body: str = "",
    topic: Topic | None = None,
    district: District | None = None,
    language: str | None = None,
) -> Proposal:
    """Start a draft. Only the limits are checked; completeness is checked on submission."""
    values = _clean_content(title=title, summary=summary, body=body, complete=False)
    proposal = Proposal(
        **values,
        topic=topic,
        district=district,
        language=_written_in(language),
        proposer=author,
        proposer_name=(author.name or "").strip(),
        status=Status.DRAFT,
    )
    proposal.save(force_insert=True)
    _event(proposal, kind=Kind.CREATED, actor=author)
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    actor,
    title: str,
    summary: str,
    body: str,
    topic: Topic | None,
    district: District | None,
    language: str | None = None,
) -> Proposal:

    proposal = _locked(proposal)
    if not can_edit(actor, proposal):
        raise ProposalError(_("This proposal can no longer be changed."))
    values = _clean_content(title=title, summary=summary, body=body, complete=False)
    for field, value in values.items():
        setattr(proposal, field, value)
    proposal.topic = topic
    proposal.district = district
    proposal.language = _written_in(language or proposal.language)
    proposal.save(update_fields=[*values, "topic", "district", "language", "updated_at"])
    return proposal


def _written_in(language: str | None) -> str:
    """The language a proposal is written in: one of the site's languages (decision 89)."""

    language = (language or active_language()).split("-")[0]
    if language not in {code for code, _name in configured_languages()}:
        raise ValidationError({"language": _("Choose one of the languages in the list.")})
    return language


@transaction.atomic
def proposal_submit(*, proposal: Proposal, actor) -> Proposal:
    """The proposer sends the draft (or the revised proposal) to the moderators."""

    proposal = _locked(proposal)
    if not can_edit(actor, proposal):
        raise ProposalError(_("This proposal can no longer be submitted."))
    proposal_check_complete(proposal)
    kind = Kind.RESUBMITTED if proposal.status == Status.REVISION_REQUESTED else Kind.SUBMITTED
    proposal.submitted_at = timezone_now()
    proposal.proposer_name = (actor.name or "").strip()
    step = proposal_transition(
        proposal=proposal,
        to=Status.SUBMITTED,
        actor=actor,
        kind=kind,
        extra_fields=("submitted_at", "proposer_name"),
    )
    _notify_with_change(proposal, "submitted", step=step)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor) -> Proposal:

    proposal = _locked(proposal)
    if not can_withdraw(actor, proposal):
        raise ProposalError(_("This proposal can no longer be withdrawn."))
    proposal.closed_at = timezone_now()
    proposal_transition(
        proposal=proposal,
        to=Status.WITHDRAWN,
        actor=actor,
        kind=Kind.WITHDRAWN,
        extra_fields=("closed_at",),
    )
    return proposal


# --- Moderation -----------------------------------------------------------------------------


def _require_moderator(actor, proposal: Proposal | None = None) -> None:
    """A moderator, and for a decision on a proposal not its proposer: nobody checks their
    own proposal against the rules (or hides, restores or cleans up its signatures)."""

    if not has_role(actor, Role.MODERATOR):
        raise ProposalError(_("Only moderators can do this."))
    if proposal is not None and proposal.proposer_id == actor.pk:
        raise ProposalError(_("Another moderator must decide on your own proposal."))


@transaction.atomic
def proposal_publish(*, proposal: Proposal, actor, responsible_organization) -> Proposal:
    """Publish for signing for the configured number of days, with today's threshold."""
    _require_moderator(actor, proposal)
    proposal = _locked(proposal)
    if responsible_organization is None or responsible_organization.is_party:
        raise ProposalError(_("Choose the body that is responsible."))
    if not responsible_organization.decides_proposals:
        raise ProposalError(
            _(
                "%(body)s cannot decide on an e-proposal: choose the council, the executive"
                " board or a committee."
            )
            % {"body": responsible_organization.name}
        )
    proposal_check_complete(proposal)
    current = rules.current()
    now = timezone_now()
    proposal.responsible_organization = responsible_organization
    proposal.published_at = now
    proposal.closes_at = now + timedelta(days=current.signing_days)
    proposal.threshold = current.signature_threshold
    proposal.revision_request = ""
    proposal_transition(
        proposal=proposal,
        to=Status.PUBLISHED,
        actor=actor,
        kind=Kind.PUBLISHED,
        data={"responsible_organization": responsible_organization.name},
        extra_fields=(
            "responsible_organization",
            "published_at",
            "closes_at",
            "threshold",
            "revision_request",
        ),
    )
    ProposalCount.objects.update_or_create(
        proposal=proposal, defaults={"total": 0, "by_district": {}, "updated_at": now}
    )
    audit_log(
        actor=actor,
        action="proposal.publish",
        target=proposal,
        data={
            "responsible_organization": responsible_organization.pk,
            "closes_at": proposal.closes_at.isoformat(),
            "threshold": proposal.threshold,
        },
    )
    _notify_with_change(proposal, "published")
    return proposal


@transaction.atomic
def proposal_request_revision(*, proposal: Proposal, actor, message: str) -> Proposal:
    _require_moderator(actor, proposal)
    proposal = _locked(proposal)
    message = clean_text(message)
    if not message:
        raise ValidationError({"message": _("Tell the proposer what to change.")})
    proposal.revision_request = message
    step = proposal_transition(
        proposal=proposal,
        to=Status.REVISION_REQUESTED,
        actor=actor,
        kind=Kind.REVISION_REQUESTED,
        extra_fields=("revision_request",),
    )
    audit_log(actor=actor, action="proposal.request_revision", target=proposal, reason=message)
    _notify_with_change(proposal, "revision_requested", step=step)
    return proposal


@transaction.atomic
def proposal_reject(
    *, proposal: Proposal, actor, reason: RejectionReason, text: str = ""
) -> Proposal:
    _require_moderator(actor, proposal)
    proposal = _locked(proposal)
    if reason is None:
        raise ValidationError({"reason": _("Choose a reason.")})
    text = clean_text(text)
    proposal.rejection_reason = reason
    proposal.rejection_text = text
    proposal.closed_at = timezone_now()
    proposal_transition(
        proposal=proposal,
        to=Status.REJECTED,
        actor=actor,
        kind=Kind.REJECTED,
        # The reason is public only when the reason's code allows the proposal to be shown.
        note=text if reason.public else "",
        data={"reason": reason.code},
        extra_fields=("rejection_reason", "rejection_text", "closed_at"),
    )
    audit_log(
        actor=actor,
        action="proposal.reject",
        target=proposal,
        reason=text,
        data={"code": reason.code},
    )
    _notify_with_change(proposal, "rejected")
    return proposal


def _resolve_reports(queryset, resolution: str) -> int:
    return queryset.filter(resolved_at__isnull=True).update(
        resolved_at=timezone_now(), resolution=resolution
    )


@transaction.atomic
def proposal_hide(*, proposal: Proposal, actor, reason: str) -> Proposal:
    _require_moderator(actor, proposal)
    proposal = _locked(proposal)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    proposal.status_before_hidden = proposal.status
    step = proposal_transition(
        proposal=proposal,
        to=Status.HIDDEN,
        actor=actor,
        kind=Kind.HIDDEN,
        note=reason,
        extra_fields=("status_before_hidden",),
    )
    _resolve_reports(proposal.reports.all(), "hidden")
    audit_log(actor=actor, action="proposal.hide", target=proposal, reason=reason)
    _notify_with_change(proposal, "hidden", step=step)
    return proposal


@transaction.atomic
def proposal_restore(*, proposal: Proposal, actor, reason: str) -> Proposal:
    _require_moderator(actor, proposal)
    proposal = _locked(proposal)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if proposal.status != Status.HIDDEN or not proposal.status_before_hidden:
        raise ProposalError(_("Only a hidden proposal can be shown again."))
    back = proposal.status_before_hidden
    proposal.status_before_hidden = ""
    step = proposal_transition(
        proposal=proposal,
        to=back,
        actor=actor,
        kind=Kind.RESTORED,
        note=reason,
        extra_fields=("status_before_hidden",),
    )
    audit_log(actor=actor, action="proposal.restore", target=proposal, reason=reason)
    _notify_with_change(proposal, "restored", step=step)
    return proposal


@transaction.atomic
def report_dismiss(*, report: Report, actor) -> Report:
    """A moderator looked at a report and leaves the content as it is."""
    _require_moderator(actor)
    if report.resolved_at is None:
        report.resolved_at = timezone_now()
        report.resolution = "dismissed"
        report.save(update_fields=["resolved_at", "resolution"])
        if report.comment_id:
            comment = report.comment
            # A comment hidden automatically by reports is shown again when none remain open.
            if (
                comment.hidden
                and comment.hidden_reason == AUTO_HIDDEN
                and not (comment.reports.filter(resolved_at__isnull=True).exists())
            ):
                comment.hidden = False
                comment.hidden_reason = ""
                comment.save(update_fields=["hidden", "hidden_reason"])
        audit_log(
            actor=actor,
            action="proposal.report.dismiss",
            target=report.proposal or report.comment,
            data={"report": report.pk},
        )
    return report


# --- Rejection reasons (an editable list) ---------------------------------------------------


@transaction.atomic
def rejection_reason_save(*, reason: RejectionReason, actor) -> RejectionReason:
    _require_moderator(actor)
    created = reason.pk is None
    reason.full_clean()
    reason.save()
    audit_log(
        actor=actor,
        action="proposal.rejection_reason." + ("create" if created else "update"),
        target=reason,
        data={"code": reason.code, "public": reason.public, "active": reason.active},
    )
    return reason


# --- Signatures -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _address(ip: str) -> str | None:
    """An IP address in its normal text form, or ``None`` if it is not one (kept per process:
    parsing an address is a few dozen Python calls, and the same addresses come back)."""
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def network_of(ip: str | None, *, ipv4_prefix: int = 24, ipv6_prefix: int = 48) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address, as text; "" if there is none."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


# The largest id a row can have (BigAutoField), on PostgreSQL and SQLite alike.
MAX_ID = 2**63 - 1


def proposal_sign(
    *,
    proposal: Proposal | int,
    user,
    district: District | int | None = None,
    show_name: bool = False,
    public_name: str = "",
    notify: bool = False,
    ip_address: str | None = None,
    recount: bool = True,
) -> int:
    """Add ``user``'s signature to ``proposal`` (an instance or an id); returns its id.

    Raises ``AlreadySigned`` on a second signature and ``ProposalError`` when the proposal is
    not open. The whole write is one statement: INSERT … SELECT … WHERE the proposal is open,
    ON CONFLICT (the one-per-person constraint) DO NOTHING. So there is no read-then-write
    race, no counter row is touched, and no explicit transaction is needed (one statement is
    atomic; BEGIN and COMMIT would add two round trips to the busiest write of the site). The
    count follows from the counting loop, or, with ``recount`` (the default; the signing view
    passes False when ``signing_gate`` saw the loop running), from a coalesced recount queued
    after commit.
    """
    proposal_id = proposal if isinstance(proposal, int) else proposal.pk
    if not 0 < proposal_id <= MAX_ID:
        # An id from the URL that no row can have: the database would refuse the parameter.
        raise ProposalError(_("This proposal is not open for signing."))
    now = timezone_now()
    name = clean_text(public_name or user.name or "")[:150].strip() if show_name else ""
    if show_name and not name:
        raise ValidationError({"public_name": _("Write the name to show, or sign anonymously.")})
    ip = _address(ip_address) if ip_address else None
    domain = email_domain_of(user)
    network = network_of(ip)
    ops = connection.ops
    signatures = ops.quote_name(Signature._meta.db_table)
    proposals = ops.quote_name(Proposal._meta.db_table)
    district_id = district.pk if isinstance(district, District) else district
    # The district as the database has it: one removed since it was checked is left out
    # rather than failing the signature (and without a district the sub-select gives NULL).
    districts = ops.quote_name(District._meta.db_table)
    # One statement text for every signature, prepared on PostgreSQL (decision 67), where the
    # address parameter needs its type spelled out.
    ip_sql = "%s::inet" if connection.vendor == "postgresql" else "%s"
    with prepared_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {signatures} (proposal_id, user_id, district_id, public_name, "  # noqa: S608 -- table names from the models
            "notify, ip_address, network, email_domain, status, created_at) "
            f"SELECT %s, %s, (SELECT id FROM {districts} WHERE id = %s), %s, %s, {ip_sql}, "
            "%s, %s, %s, %s "
            f"WHERE EXISTS (SELECT 1 FROM {proposals} WHERE id = %s AND status = %s "
            "AND closes_at > %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [
                proposal_id,
                user.pk,
                district_id or None,
                name,
                bool(notify),
                ops.adapt_ipaddressfield_value(ip),
                network,
                domain,
                Signature.Status.VALID,
                ops.adapt_datetimefield_value(now),
                proposal_id,
                Status.PUBLISHED,
                ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        if Signature.objects.filter(proposal_id=proposal_id, user=user).exists():
            raise AlreadySigned(_("You have already signed this proposal."))
        raise ProposalError(_("This proposal is not open for signing."))
    if recount:
        transaction.on_commit(lambda: signature_count_request(proposal_id=proposal_id))
    return row[0]


def signature_stop_updates(*, proposal_id: int, user_id: int) -> bool:
    """Stop the mail updates a signer asked for on one proposal; True if any were on.

    Idempotent: following the link twice, or a mail program's one-click request after the
    person clicked the link, changes nothing more.
    """
    return bool(
        Signature.objects.filter(proposal_id=proposal_id, user_id=user_id, notify=True).update(
            notify=False
        )
    )


@transaction.atomic
def signature_withdraw(*, proposal: Proposal, user) -> None:
    """Take back one's own signature while the proposal is open for signing."""
    if not proposal.is_open_for_signing(timezone_now()):
        raise ProposalError(_("Signatures can only be withdrawn while the proposal is open."))
    deleted, _details = Signature.objects.filter(
        proposal=proposal, user=user, status=Signature.Status.VALID
    ).delete()
    if not deleted:
        raise ProposalError(_("You have not signed this proposal."))
    proposal_id = proposal.pk
    transaction.on_commit(lambda: signature_count_request(proposal_id=proposal_id, force=True))


def email_domain_of(user) -> str:
    return user.email.rsplit("@", 1)[-1].lower()[:100]


@dataclass(frozen=True)
class SigningGate:
    limited: bool  # over the signing limit per account or per address: refuse (429)
    counting_loop_running: bool  # the loop counts the signature; nothing to queue after it


def signing_gate(*, proposal_id: int, user, ip_address: str | None) -> SigningGate:
    """Before a signature is written: count the attempt, in one cache round trip, against the
    limits per account and per address (``PROPOSALS_SIGN_RATE_USER``/``_IP``: one address for
    IPv4, the /64 for IPv6, where a household or a phone has a whole /64) and in the burst
    counters of the proposal per network (/24, /48) and e-mail domain; and see whether the
    counting loop is running.

    The burst counters count attempts, refused ones included: a flood from one network is what
    moderators are alerted to, whether or not the limit stopped it. An alert is raised once,
    when a counter reaches ``PROPOSALS_BURST_THRESHOLD`` within the window. The limits use the
    same fixed windows as django-ratelimit, which guards the site's other forms.
    """
    user_count, user_period = counters.parse_rate(settings.PROPOSALS_SIGN_RATE_USER)
    ip_count, ip_period = counters.parse_rate(settings.PROPOSALS_SIGN_RATE_IP)
    ip = _address(ip_address) if ip_address else None
    address = network_of(ip, ipv4_prefix=32, ipv6_prefix=64)
    window = settings.PROPOSALS_BURST_WINDOW_MINUTES * 60
    bucket = int(time.time() // window)
    sources = [
        (kind, value)
        for kind, value in (("network", network_of(ip)), ("domain", email_domain_of(user)))
        if value
    ]
    keys = [
        (counters.window_key(f"proposals:rl:sign:user:{user.pk}", user_period), user_period),
        (counters.window_key(f"proposals:rl:sign:ip:{address}", ip_period), ip_period),
    ]
    keys += [
        (f"proposals:burst:{proposal_id}:{kind}:{value}:{bucket}", window * 2)
        for kind, value in sources
    ]
    values, _claimed, loop_running = counters.incr_and_claim(keys, present=_LOOP_ALIVE)
    by_user, by_ip, *bursts = values
    threshold = settings.PROPOSALS_BURST_THRESHOLD
    for (kind, value), count in zip(sources, bursts, strict=True):
        if count == threshold:
            _burst_alert(proposal_id=proposal_id, kind=kind, value=value, count=count)
    return SigningGate(
        limited=by_user > user_count or by_ip > ip_count, counting_loop_running=loop_running
    )


def _burst_alert(*, proposal_id: int, kind: str, value: str, count: int) -> None:
    staff_alert_raise(
        role=Role.MODERATOR,
        kind="proposal_signature_burst",
        message=_(
            "%(count)s signatures or signing attempts on e-proposal %(id)s from %(what)s "
            "within %(minutes)s minutes."
        )
        % {
            "count": count,
            "id": proposal_id,
            "what": value,
            "minutes": settings.PROPOSALS_BURST_WINDOW_MINUTES,
        },
        data={"proposal": proposal_id, kind: value, "count": count},
        dedupe_key=f"proposals:burst:{proposal_id}:{kind}:{value}",
        dedupe_minutes=settings.PROPOSALS_BURST_WINDOW_MINUTES,
    )


def _signature_filter(proposal, *, network="", email_domain="", created_from=None, created_to=None):
    queryset = Signature.objects.filter(proposal=proposal, status=Signature.Status.VALID)
    if network:
        queryset = queryset.filter(network=network)
    if email_domain:
        queryset = queryset.filter(email_domain=email_domain.lower().lstrip("@"))
    if created_from:
        queryset = queryset.filter(created_at__gte=created_from)
    if created_to:
        queryset = queryset.filter(created_at__lte=created_to)
    return queryset


@transaction.atomic
def signatures_invalidate(
    *,
    proposal: Proposal,
    actor,
    reason: str,
    network: str = "",
    email_domain: str = "",
    created_from=None,
    created_to=None,
) -> SignatureInvalidation:
    """A moderator removes matching signatures from the count, with a reason (UK petitions)."""
    _require_moderator(actor, proposal)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if not (network or email_domain or created_from or created_to):
        raise ValidationError(_("Give at least one thing to match: network, domain or time."))
    criteria = {
        "network": network,
        "email_domain": email_domain,
        "created_from": created_from.isoformat() if created_from else "",
        "created_to": created_to.isoformat() if created_to else "",
    }
    invalidation = SignatureInvalidation.objects.create(
        proposal=proposal, reason=reason, criteria=criteria, actor=actor
    )
    matched = _signature_filter(
        proposal,
        network=network,
        email_domain=email_domain,
        created_from=created_from,
        created_to=created_to,
    ).update(status=Signature.Status.INVALIDATED, invalidation=invalidation)
    invalidation.matched = matched
    invalidation.save(update_fields=["matched"])
    _event(
        proposal,
        kind=Kind.SIGNATURES_INVALIDATED,
        actor=actor,
        note=reason,
        data={"count": matched},
    )
    audit_log(
        actor=actor,
        action="proposal.signatures.invalidate",
        target=proposal,
        reason=reason,
        data={**criteria, "matched": matched},
    )
    proposal_id = proposal.pk
    # Correct the count now; the counting loop only sees new signatures.
    transaction.on_commit(lambda: signature_count_request(proposal_id=proposal_id, force=True))
    return invalidation


# --- Counting -------------------------------------------------------------------------------

COUNT_PAYLOAD_KEY = "proposals:count:{}"
_RECENT = "proposals:count-recent:{}"
_LOOP_ALIVE = "proposals:count-loop-alive"
# How far back each pass of the counting loop looks for new signatures. A signature's time is
# set just before its INSERT commits, so a commit can land slightly after a later one; the
# overlap makes sure it is still seen. Recounting is idempotent, so overlap costs nothing else.
LOOKBACK_SECONDS = 5


def count_payload_ttl() -> int:
    """Seconds a count payload is served from the cache; readers within it cost no query."""
    return max(2, 2 * rules.current().count_interval)


def count_group(proposal_id: int) -> str:
    return f"proposal-{proposal_id}"


def signature_count_request(*, proposal_id: int, force: bool = False) -> None:
    """After a signature change has been committed: queue a recount, unless the counting loop
    runs (it counts new signatures within the interval) or a recount was queued within the
    interval; one cache round trip for both checks.

    This gives a quiet proposal an instant update and a busy one at most about one recount,
    and one live broadcast, per interval. ``force`` queues one regardless (withdrawals and
    other removals, which the loop cannot see because it looks for new rows).
    """
    if not force:
        interval = rules.current().count_interval
        claim = (_RECENT.format(proposal_id), interval) if interval else None
        _values, claimed, loop_running = counters.incr_and_claim([], claim, present=_LOOP_ALIVE)
        if loop_running or not (claim is None or claimed):
            return
    async_task("proposals.tasks.refresh_signature_count", proposal_id, group="proposals-count")


def signature_counts_refresh_recent(*, since) -> list[int]:
    """One pass of the counting loop: recount every proposal signed since ``since``, all in
    one grouped recount (one query for the counts, one for the stored counts, one for the
    proposals), however many proposals were signed."""
    proposal_ids = list(
        Signature.objects.filter(created_at__gte=since)
        .values_list("proposal_id", flat=True)
        .distinct()
        .order_by()
    )
    if proposal_ids:
        signature_counts_refresh(proposal_ids=proposal_ids)
    return proposal_ids


LOOP_LEASE = "signature-count-loop"
LEASE_SECONDS = 15


def _lease(token: str) -> bool:
    """Take or renew the counting loop's lease; False while another loop holds it."""

    now = timezone_now()
    CountingLease.objects.get_or_create(
        name=LOOP_LEASE, defaults={"expires_at": now - timedelta(seconds=1)}
    )
    taken = (
        CountingLease.objects.filter(name=LOOP_LEASE)
        .filter(Q(expires_at__lt=now) | Q(holder=token))
        .update(holder=token, expires_at=now + timedelta(seconds=LEASE_SECONDS))
    )
    return taken == 1


def _lease_release(token: str) -> None:

    CountingLease.objects.filter(name=LOOP_LEASE, holder=token).update(expires_at=timezone_now())


def signature_count_loop(*, seconds: float = 70.0) -> int:
    """The counting loop (the UK petitions' single counter job, every interval instead of every
    minute): for ``seconds``, once per interval, recount the proposals that got signatures.

    Started every minute by the scheduler; runs a little longer than a minute, and a new loop
    waits for the running one to finish, so exactly one counts at a time (a lease in the
    database, which every worker process sees) and there is no gap between them. Returns the
    number of passes. Idempotent.
    """
    interval = max(1, rules.current().count_interval)
    token = secrets.token_hex(8)
    deadline = time.monotonic() + seconds
    while not _lease(token):
        if time.monotonic() > deadline - interval:
            return 0
        time.sleep(0.5)
    passes = 0
    since = timezone_now() - timedelta(seconds=interval + LOOKBACK_SECONDS)
    try:
        while time.monotonic() < deadline:
            started, tick = timezone_now(), time.monotonic()
            signature_counts_refresh_recent(since=since)
            since = started - timedelta(seconds=LOOKBACK_SECONDS)
            passes += 1
            cache.set(_LOOP_ALIVE, 1, 3 * interval)
            if not _lease(token):
                break  # the lease expired (a very slow pass) and another loop took over
            time.sleep(max(0.0, interval - (time.monotonic() - tick)))
    finally:
        _lease_release(token)
        cache.delete(_LOOP_ALIVE)
    return passes


def count_payload(proposal: Proposal, count: ProposalCount | None) -> dict:
    total = count.total if count else 0
    updated = count.updated_at if count else proposal.published_at or proposal.created_at
    return {
        "id": proposal.pk,
        "count": total,
        "threshold": proposal.threshold,
        "status": proposal.status,
        "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
        "updated_at": updated.isoformat(),
        "updated_ts": updated.timestamp(),
    }


def signature_count_refresh(*, proposal_id: int) -> ProposalCount | None:
    """Recount one proposal (see ``signature_counts_refresh``)."""
    return signature_counts_refresh(proposal_ids=[proposal_id]).get(proposal_id)


@transaction.atomic
def signature_counts_refresh(*, proposal_ids: list[int]) -> dict[int, ProposalCount]:
    """Recount the valid signatures (total and by district) of these proposals into
    ``ProposalCount``, with one grouped query, and publish the counts that changed.

    Idempotent and self-correcting: it always counts the rows, never adds to a number. Refers
    a proposal at once when its count reaches the threshold.
    """
    proposal_ids = sorted(set(proposal_ids))
    interval = rules.current().count_interval
    if interval:
        cache.set_many({_RECENT.format(pk): 1 for pk in proposal_ids}, interval)
    rows = (
        Signature.objects.filter(proposal_id__in=proposal_ids, status=Signature.Status.VALID)
        .values("proposal_id", "district_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_proposal: dict[int, dict[str, int]] = {pk: {} for pk in proposal_ids}
    for row in rows:
        by_proposal[row["proposal_id"]][str(row["district_id"] or "")] = row["n"]
    counts = {c.proposal_id: c for c in ProposalCount.objects.filter(proposal_id__in=proposal_ids)}
    proposals = Proposal.objects.in_bulk(proposal_ids)
    now = timezone_now()
    changed, new = [], []
    for proposal_id in proposal_ids:
        if proposal_id not in proposals:
            continue
        by_district = by_proposal[proposal_id]
        total = sum(by_district.values())
        count = counts.get(proposal_id)
        if count is None:
            count = ProposalCount(
                proposal_id=proposal_id, total=total, by_district=by_district, updated_at=now
            )
            new.append(count)
            counts[proposal_id] = count
        elif count.total != total or count.by_district != by_district:
            count.total, count.by_district, count.updated_at = total, by_district, now
            changed.append(count)
        else:
            continue
        proposal = proposals[proposal_id]
        if (
            proposal.status == Status.PUBLISHED
            and proposal.threshold
            and total >= proposal.threshold
        ):
            proposals[proposal_id] = proposal_refer(proposal=proposal)
    ProposalCount.objects.bulk_create(new, ignore_conflicts=True)
    _counts_update(changed)
    payloads = {
        count.proposal_id: count_payload(proposals[count.proposal_id], count)
        for count in (*new, *changed)
    }
    if payloads:
        transaction.on_commit(lambda: _counts_publish(payloads))
    return counts


def _counts_update(counts: list[ProposalCount]) -> None:
    """Store changed counts: one UPDATE per row, sent together (``executemany``: one round
    trip in psycopg's pipeline). ``bulk_update``'s CASE expressions cost more Python than the
    counting itself when a pass changes many proposals."""
    if not counts:
        return
    ops = connection.ops
    table = ops.quote_name(ProposalCount._meta.db_table)
    by_district = ProposalCount._meta.get_field("by_district")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET total = %s, by_district = %s, updated_at = %s "  # noqa: S608 -- table name from the model
            "WHERE proposal_id = %s",
            [
                (
                    count.total,
                    by_district.get_db_prep_save(count.by_district, connection),
                    ops.adapt_datetimefield_value(count.updated_at),
                    count.proposal_id,
                )
                for count in counts
            ],
        )


def _counts_publish(payloads: dict[int, dict]) -> None:
    """Changed counts: into the cache for count.json (one round trip), and to the live
    listeners (one event loop run)."""
    cache.set_many(
        {COUNT_PAYLOAD_KEY.format(pk): payload for pk, payload in payloads.items()},
        count_payload_ttl(),
    )
    group_send_many(
        [
            (count_group(pk), {"type": "proposal.count", **payload})
            for pk, payload in payloads.items()
        ]
    )


def signature_counts_publish_stored(*, seen: dict[int, float]) -> dict[int, float]:
    """Publish the stored counts of the proposals in ``seen`` (id: ``updated_ts`` published
    last, or 0) that changed since; returns what is published now.

    For a web server whose channel layer lives in its own memory (the embedded default): the
    worker counts in another process, and the count row in the database is what carries the
    change across (see ``proposals.live``). One query, however many proposals are watched.
    """
    if not seen:
        return {}
    payloads = {}
    for count in ProposalCount.objects.filter(proposal_id__in=list(seen)).select_related(
        "proposal"
    ):
        if count.updated_at.timestamp() != seen[count.proposal_id]:
            payloads[count.proposal_id] = count_payload(count.proposal, count)
    if payloads:
        _counts_publish(payloads)
    return {**seen, **{pk: payload["updated_ts"] for pk, payload in payloads.items()}}


def count_cache_forget(*, proposal_id: int) -> None:
    cache.delete(COUNT_PAYLOAD_KEY.format(proposal_id))


# --- Referral and decision ------------------------------------------------------------------


@transaction.atomic
def proposal_refer(*, proposal: Proposal) -> Proposal:
    """At the threshold: open a case in the diary for the responsible body (system action)."""

    proposal = _locked(proposal)
    if proposal.status != Status.PUBLISHED:
        return proposal
    now = timezone_now()
    case = case_open(
        title=proposal.title,
        responsible_organization=proposal.responsible_organization,
        origin=Case.Origin.E_PROPOSAL,
        summary=proposal.summary,
        actor=None,
    )
    proposal.case = case
    proposal.threshold_reached_at = now
    proposal.referred_at = now
    _event(proposal, kind=Kind.THRESHOLD_REACHED, data={"threshold": proposal.threshold})
    proposal_transition(
        proposal=proposal,
        to=Status.REFERRED,
        actor=None,
        kind=Kind.REFERRED,
        data={
            "diary_number": case.diary_number,
            "case": case.pk,
            "responsible_organization": proposal.responsible_organization.name,
        },
        extra_fields=("case", "threshold_reached_at", "referred_at"),
    )
    audit_log(
        actor=None,
        action="proposal.refer",
        target=proposal,
        data={"case": case.pk, "diary_number": case.diary_number},
    )
    count_cache_forget(proposal_id=proposal.pk)
    _notify_with_change(proposal, "referred")
    return proposal


# Outcomes that do not end the case: the proposal stays referred and waits.
NOT_FINAL_OUTCOMES = {"referred_back", "tabled", "withdrawn"}


@transaction.atomic
def proposal_case_decided(*, agenda_item_id: int) -> list[Proposal]:
    """An agenda item got its decision: answer the proposals referred with its case.

    Idempotent: a proposal already answered by this item is left as it is.
    """

    item = (
        AgendaItem.objects.select_related("meeting__organization", "case")
        .filter(pk=agenda_item_id)
        .first()
    )
    if item is None or item.case_id is None or not item.outcome:
        return []
    if item.outcome in NOT_FINAL_OUTCOMES:
        return []

    if decision_refusal(item.meeting):  # no decision before the meeting is held (decision 69)
        return []
    answered = []
    for proposal in Proposal.objects.select_for_update().filter(case_id=item.case_id):
        if proposal.decision_item_id == item.pk:
            continue
        now = timezone_now()
        data = {
            "agenda_item": item.pk,
            "meeting": item.meeting_id,
            "meeting_date": timezone.localdate(item.meeting.start).isoformat(),
            "body": item.meeting.organization.name,
        }
        if item.public:  # the journey and the API show it; a closed item's outcome is not public
            data["outcome"] = item.outcome
        proposal.decision_item = item
        proposal.answered_at = proposal.answered_at or now
        proposal.closed_at = proposal.closed_at or now
        fields = ("decision_item", "answered_at", "closed_at")
        if proposal.status == Status.REFERRED:
            proposal_transition(
                proposal=proposal,
                to=Status.ANSWERED,
                actor=None,
                kind=Kind.DECIDED,
                data=data,
                extra_fields=fields,
            )
        elif proposal.status == Status.ANSWERED or (
            proposal.status == Status.HIDDEN
            and proposal.status_before_hidden in (Status.REFERRED, Status.ANSWERED)
        ):
            # A later decision on the same case (after a referral back) replaces the first.
            if proposal.status == Status.HIDDEN:
                proposal.status_before_hidden = Status.ANSWERED
                fields = (*fields, "status_before_hidden")
            proposal.save(update_fields=[*fields, "updated_at"])
            _event(proposal, kind=Kind.DECIDED, data=data)
        else:
            continue
        audit_log(actor=None, action="proposal.decided", target=proposal, data=data)
        count_cache_forget(proposal_id=proposal.pk)
        _notify_with_change(proposal, f"decided-{item.pk}")
        answered.append(proposal)
    return answered


def proposal_close_if_due(*, proposal_id: int) -> Proposal | None:
    """Close signing when the window has passed: refer if the count is enough, else expire."""
    signature_count_refresh(proposal_id=proposal_id)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None or proposal.status != Status.PUBLISHED:
            return proposal
        now = timezone_now()
        if proposal.closes_at is None or proposal.closes_at > now:
            return proposal
        proposal.closed_at = now
        count = ProposalCount.objects.filter(proposal=proposal).first()
        proposal_transition(
            proposal=proposal,
            to=Status.EXPIRED,
            actor=None,
            kind=Kind.EXPIRED,
            data={"count": count.total if count else 0, "threshold": proposal.threshold},
            extra_fields=("closed_at",),
        )
        audit_log(actor=None, action="proposal.expire", target=proposal)
        count_cache_forget(proposal_id=proposal.pk)
        _notify_with_change(proposal, "expired")
        return proposal


# --- Comments and reports -------------------------------------------------------------------

AUTO_HIDDEN = "reports"
COMMENT_REPEAT_MINUTES = 10  # the same text by the same person within this time is one comment


@transaction.atomic
def comment_create(*, proposal: Proposal, author, body: str) -> Comment:

    if not can_comment(author, proposal):
        raise ProposalError(_("Comments are not open on this proposal."))
    cleaned = clean_html(body)
    if not plain_length(cleaned):
        raise ValidationError({"body": _("Write a comment.")})
    if plain_length(cleaned) > rules.COMMENT_MAX or len(cleaned) > rules.COMMENT_MAX * 2:
        raise ValidationError({"body": _("The comment is too long.")})
    # A second click on "send" (or the form sent again) gives the comment once.
    just_sent = Comment.objects.filter(
        proposal=proposal,
        author=author,
        body=cleaned,
        created_at__gte=timezone_now() - timedelta(minutes=COMMENT_REPEAT_MINUTES),
    ).first()
    if just_sent is not None:
        return just_sent
    return Comment.objects.create(
        proposal=proposal, author=author, author_name=(author.name or "").strip(), body=cleaned
    )


@transaction.atomic
def report_create(
    *,
    reporter,
    reason: str,
    text: str = "",
    proposal: Proposal | None = None,
    comment: Comment | None = None,
) -> Report:
    """Report a proposal or a comment to the moderators (once per person and item)."""
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    target = {"proposal": proposal} if proposal is not None else {"comment": comment}
    existing = Report.objects.filter(reporter=reporter, **target).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter, reason=reason, text=clean_text(text)[:1000], **target
            )
    except IntegrityError:  # the same person's report sent twice at the same moment
        return Report.objects.get(reporter=reporter, **target)
    if comment is not None:
        open_reports = comment.reports.filter(resolved_at__isnull=True).count()
        if not comment.hidden and open_reports >= rules.current().reports_to_hide:
            comment.hidden = True
            comment.hidden_reason = AUTO_HIDDEN
            comment.save(update_fields=["hidden", "hidden_reason"])
    return report


@transaction.atomic
def comment_hide(*, comment: Comment, actor, reason: str) -> Comment:
    _require_moderator(actor)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    comment.hidden = True
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden", "hidden_reason"])
    _resolve_reports(comment.reports.all(), "hidden")
    audit_log(actor=actor, action="proposal.comment.hide", target=comment, reason=reason)
    return comment


@transaction.atomic
def comment_restore(*, comment: Comment, actor, reason: str) -> Comment:
    _require_moderator(actor)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    comment.hidden = False
    comment.hidden_reason = ""
    comment.save(update_fields=["hidden", "hidden_reason"])
    _resolve_reports(comment.reports.all(), "restored")
    audit_log(actor=actor, action="proposal.comment.restore", target=comment, reason=reason)
    return comment


# --- Personal data --------------------------------------------------------------------------

ANONYMOUS_SIGNATURE = {
    "user": None,
    "public_name": "",
    "ip_address": None,
    "network": "",
    "email_domain": "",
    "notify": False,
}


@transaction.atomic
def signer_data_anonymise(*, proposal: Proposal) -> int:
    """Remove who signed (account, name, address, domain) and keep the counted rows."""
    changed = Signature.objects.filter(proposal=proposal).update(**ANONYMOUS_SIGNATURE)
    proposal.signer_data_anonymised_at = timezone_now()
    proposal.save(update_fields=["signer_data_anonymised_at"])
    audit_log(
        actor=None,
        action="proposal.signatures.anonymise",
        target=proposal,
        data={"signatures": changed},
    )
    return changed


def signer_data_anonymise_due() -> int:
    """Anonymise signer data of proposals that ended more than the configured days ago."""
    limit = timezone_now() - timedelta(days=rules.current().anonymise_after_days)
    ended = Q(status__in=Proposal.FINAL_STATUSES, closed_at__lte=limit)
    # A hidden proposal ended too: it was final when hidden, or its signing time ran out
    # while it was hidden (no task closes a hidden proposal). Hiding must not keep signers'
    # data for ever.
    hidden_ended = Q(status=Status.HIDDEN) & (
        Q(status_before_hidden__in=Proposal.FINAL_STATUSES, closed_at__lte=limit)
        | Q(status_before_hidden=Status.PUBLISHED, closes_at__lte=limit)
    )
    due = Proposal.objects.filter(ended | hidden_ended, signer_data_anonymised_at__isnull=True)
    done = 0
    for proposal in due.iterator():
        signer_data_anonymise(proposal=proposal)
        done += 1
    return done
