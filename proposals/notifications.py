"""E-mail about a proposal's events, sent from the task queue (never in a request).

Each person gets at most one mail per proposal and event: a ``Notification`` row is written
in the same transaction as the mail is queued, under a unique constraint.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from democracy.core.queue import queue_with_change
from proposals.models import Notification, Proposal, Signature

PROPOSER_EVENTS = {
    "submitted",
    "published",
    "revision_requested",
    "rejected",
    "hidden",
    "restored",
    "referred",
    "decided",
    "expired",
}
# Signers who asked for updates hear about the referral and the decision only.
SIGNER_EVENTS = {"referred", "decided"}
CHUNK = 500
# Signers mailed by one run of the task; the rest get their mail from the run it queues. One
# run then stays well inside the worker's timeout (120 s): a run that outlasts it is stopped
# and counted as failed, and the signers after it would never hear.
PER_TASK = 1000


def _kind(event: str) -> str:
    return event.split("-", 1)[0]


def _date(value) -> str:
    # The municipality's date, as on the pages (date_format alone would use UTC's date).
    return formats.date_format(timezone.localtime(value), "j F Y") if value else ""


def compose(proposal: Proposal, kind: str, *, signer: bool) -> tuple[str, list[str]]:
    """Subject and paragraphs for one event, in the active language."""
    title = proposal.title
    body_name = proposal.responsible_organization.name if proposal.responsible_organization else ""
    values = {"title": title, "body": body_name}
    if kind == "submitted":
        return _("We have received your proposal"), [
            _("Thank you for your proposal “%(title)s”.") % values,
            _(
                "A moderator checks it against the rules before it is published. You get an "
                "e-mail when that is done."
            ),
        ]
    if kind == "published":
        values["date"] = _date(proposal.closes_at)
        values["threshold"] = proposal.threshold
        return _("Your proposal is published"), [
            _("Your proposal “%(title)s” is published and can be signed until %(date)s.") % values,
            _("When %(threshold)s people have signed, it is sent to %(body)s.") % values,
        ]
    if kind == "revision_requested":
        return _("Please change your proposal"), [
            _(
                "A moderator has read your proposal “%(title)s” and asks you to change it "
                "before it can be published:"
            )
            % values,
            proposal.revision_request,
            _("Open the proposal, make the changes and send it again."),
        ]
    if kind == "rejected":
        reason = proposal.rejection_reason.label if proposal.rejection_reason else ""
        paragraphs = [
            _("Your proposal “%(title)s” cannot be published.") % values,
            _("Reason: %(reason)s") % {"reason": reason},
        ]
        if proposal.rejection_text:
            paragraphs.append(proposal.rejection_text)
        return _("Your proposal was not accepted"), paragraphs
    if kind == "hidden":
        return _("Your proposal has been hidden"), [
            _("A moderator has hidden your proposal “%(title)s” because it breaks the rules.")
            % values,
        ]
    if kind == "restored":
        return _("Your proposal is shown again"), [
            _("A moderator has made your proposal “%(title)s” visible again.") % values,
        ]
    if kind == "referred":
        values["diary_number"] = proposal.case.diary_number if proposal.case else ""
        values["threshold"] = proposal.threshold
        first = (
            _("The proposal “%(title)s” that you signed has enough signatures.")
            if signer
            else _("Your proposal “%(title)s” has %(threshold)s signatures or more.")
        ) % values
        return _("The proposal has been sent to the committee"), [
            first,
            _(
                "It has now been sent to %(body)s, which will decide on it. The case number "
                "is %(diary_number)s."
            )
            % values,
        ]
    if kind == "decided":
        item = proposal.decision_item
        values["date"] = _date(item.meeting.start) if item else ""
        values["meeting_body"] = item.meeting.organization.name if item else body_name
        paragraphs = [
            _("%(meeting_body)s decided on the proposal “%(title)s” at its meeting on %(date)s.")
            % values,
        ]
        if item and not item.public:
            # The diary does not publish a closed item's decision; neither does the mail.
            paragraphs.append(
                _(
                    "The item was not public, so the decision is not shown. Ask the registrar for it."
                )
            )
        elif item:
            paragraphs.append(_("Outcome: %(outcome)s") % {"outcome": item.get_outcome_display()})
            if item.decision_text:
                paragraphs.append(item.decision_text)
        return _("A decision has been made on the proposal"), paragraphs
    if kind == "expired":
        count = getattr(getattr(proposal, "count", None), "total", 0)
        values.update(count=count, threshold=proposal.threshold)
        return _("Signing has closed"), [
            _(
                "Signing of your proposal “%(title)s” has closed. It got %(count)s of the "
                "%(threshold)s signatures it needed, so it will not be treated by a committee."
            )
            % values,
            _("Thank you for taking part. You are welcome to write a new proposal."),
        ]
    raise ValueError(f"Unknown proposal event {kind!r}")


STOP_UPDATES_SALT = "proposals.stop-updates"


def stop_updates_token(*, proposal_id: int, user_id: int) -> str:
    """A token for the link in signers' mail that stops their updates for one proposal."""
    return signing.dumps({"p": proposal_id, "u": user_id}, salt=STOP_UPDATES_SALT)


def read_stop_updates_token(token: str) -> tuple[int, int] | None:
    try:
        data = signing.loads(token, salt=STOP_UPDATES_SALT)
        return int(data["p"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _send_once(*, proposal: Proposal, user, event: str, signer: bool) -> bool:
    if not user.is_active or not user.email:
        return False
    # Each person gets the mail in the language of their account.
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        subject, paragraphs = compose(proposal, _kind(event), signer=signer)
        stop_url = (
            settings.SITE_URL
            + reverse(
                "proposals:stop-updates",
                args=[stop_updates_token(proposal_id=proposal.pk, user_id=user.pk)],
            )
            if signer
            else ""
        )
        body = render_to_string(
            "proposals/email/notification.txt",
            {
                "name": user.name,
                "paragraphs": paragraphs,
                "url": settings.SITE_URL + proposal.get_absolute_url(),
                "signer": signer,
                "stop_url": stop_url,
                "municipality_name": settings.MUNICIPALITY_NAME,
            },
        )
    headers = {}
    if stop_url:
        # RFC 8058 one-click unsubscribe: mail programs show their own "unsubscribe" button.
        headers = {
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMessage(
        f"[{settings.MUNICIPALITY_NAME}] {subject}", body, None, [user.email], headers=headers
    )
    try:
        with transaction.atomic():
            _notification, created = Notification.objects.get_or_create(
                proposal=proposal, user=user, event=event
            )
            if created:
                message.send()
    except IntegrityError:  # a concurrent run recorded it first
        return False
    return created


def send_event(*, proposal_id: int, event: str) -> int:
    proposal = (
        Proposal.objects.select_related(
            "proposer",
            "responsible_organization",
            "case",
            "rejection_reason",
            "decision_item__meeting__organization",
            "count",
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        return 0
    kind = _kind(event)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if kind in PROPOSER_EVENTS and proposal.proposer is not None:
            sent += _send_once(proposal=proposal, user=proposal.proposer, event=event, signer=False)
        if kind in SIGNER_EVENTS:
            user_ids = list(
                Signature.objects.filter(
                    proposal=proposal,
                    status=Signature.Status.VALID,
                    notify=True,
                    user__isnull=False,
                )
                .exclude(user_id=proposal.proposer_id)
                .values_list("user_id", flat=True)
                .order_by("user_id")
            )
            done = set(
                Notification.objects.filter(proposal=proposal, event=event).values_list(
                    "user_id", flat=True
                )
            )
            user_ids = [pk for pk in user_ids if pk not in done]
            more = len(user_ids) > PER_TASK
            user_ids = user_ids[:PER_TASK]
            User = get_user_model()
            for start in range(0, len(user_ids), CHUNK):
                for user in User.objects.filter(pk__in=user_ids[start : start + CHUNK]):
                    sent += _send_once(proposal=proposal, user=user, event=event, signer=True)
            if more:
                # The next run mails the next signers (this run's are recorded, so it skips
                # them). Queued last: a run killed before this point is handed out again.
                queue_with_change(
                    "proposals.tasks.notify_proposal_event",
                    proposal_id,
                    event,
                    group="proposals-mail",
                )
    return sent
