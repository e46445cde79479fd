"""Citizen e-proposals (e-förslag): proposals, their journey, signatures, counts, comments.

Signatures are append-only rows with a database unique constraint (one per account and
proposal). Nothing is incremented when someone signs: the count is recomputed from the rows by
a background counting loop (and, for a quiet proposal, a recount queued after commit) into
``ProposalCount`` (see ``services.signature_count_loop``), so signers never queue on one hot
counter row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from democracy.core.translations import (
    active_language,
    default_language,
    localized,
    translations_field,
)


class Topic(models.Model):
    """What a proposal is about (school, traffic …); an editable list."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    # {"en": {"name": "…"}, "fi": {…}}: see democracy.core.translations.
    translations = translations_field()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language, Swedish when it has no translation."""
        return localized(self, "name")[0]


class District(models.Model):
    """A part of the municipality (stadsområde); proposals and signers may name one."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    translations = translations_field()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "name")[0]


class RejectionReason(models.Model):
    """A coded reason for rejecting a proposal, from the published rules (editable list).

    A reason that is not public rejects without publishing the proposal (libel, personal data,
    offensive content); the proposer is still told why.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)
    public = models.BooleanField(
        _("show the proposal publicly"),
        default=True,
        help_text=_("Off for content that must not be published, such as offensive text."),
    )
    active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    # Title and explanation in other languages: see democracy.core.translations.
    translations = translations_field()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The title in the active language, Swedish when it has no translation."""
        return localized(self, "title")[0]

    @property
    def explanation(self) -> str:
        return localized(self, "description")[0]


class Proposal(models.Model):
    """One e-proposal and where it is in its lifecycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for review")
        REVISION_REQUESTED = "revision_requested", _("Needs changes")
        PUBLISHED = "published", _("Collecting signatures")
        REFERRED = "referred", _("Sent to the committee")
        ANSWERED = "answered", _("Decided")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Not enough signatures")
        HIDDEN = "hidden", pgettext_lazy("proposal status", "Hidden")

    # The only moves the lifecycle allows; services.proposal_transition refuses the rest.
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {
            Status.PUBLISHED,
            Status.REVISION_REQUESTED,
            Status.REJECTED,
            Status.WITHDRAWN,
        },
        Status.REVISION_REQUESTED: {Status.SUBMITTED, Status.REJECTED, Status.WITHDRAWN},
        Status.PUBLISHED: {Status.REFERRED, Status.EXPIRED, Status.WITHDRAWN, Status.HIDDEN},
        Status.REFERRED: {Status.ANSWERED, Status.HIDDEN},
        Status.ANSWERED: {Status.HIDDEN},
        Status.EXPIRED: {Status.HIDDEN},
        Status.REJECTED: {Status.HIDDEN},
        Status.WITHDRAWN: {Status.HIDDEN},
        # Restoring returns to the status it had before it was hidden.
        Status.HIDDEN: {
            Status.PUBLISHED,
            Status.REFERRED,
            Status.ANSWERED,
            Status.EXPIRED,
            Status.REJECTED,
            Status.WITHDRAWN,
        },
    }
    # Statuses the public can see (a rejected one only when its reason is public).
    PUBLIC_STATUSES = {
        Status.PUBLISHED,
        Status.REFERRED,
        Status.ANSWERED,
        Status.EXPIRED,
        Status.REJECTED,
        Status.WITHDRAWN,
    }
    EDITABLE_STATUSES = {Status.DRAFT, Status.REVISION_REQUESTED}
    WITHDRAWABLE_STATUSES = {
        Status.DRAFT,
        Status.SUBMITTED,
        Status.REVISION_REQUESTED,
        Status.PUBLISHED,
    }
    COMMENTABLE_STATUSES = {Status.PUBLISHED, Status.REFERRED, Status.ANSWERED}
    FINAL_STATUSES = {Status.ANSWERED, Status.EXPIRED, Status.WITHDRAWN, Status.REJECTED}

    title = models.CharField(_("title"), max_length=150)
    summary = models.TextField(_("summary"), max_length=600)
    body = models.TextField(_("proposal"))
    # The language the proposer wrote in (one of settings.LANGUAGES, checked by the form and
    # the service; no choices here, so a new language needs no migration). Pages mark the
    # title, summary and body with it.
    language = models.CharField(_("language"), max_length=12, default=default_language)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when it concerns the whole municipality."),
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    # The name shown publicly; emptied when the account is deleted.
    proposer_name = models.CharField(_("proposer's public name"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_before_hidden = models.CharField(max_length=24, choices=Status.choices, blank=True)
    responsible_organization = models.ForeignKey(
        "people.Organization",
        verbose_name=_("responsible body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    case = models.ForeignKey(
        "diary.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    decision_item = models.ForeignKey(
        "diary.AgendaItem",
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    threshold = models.PositiveIntegerField(_("signatures needed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closes_at = models.DateTimeField(_("signing closes"), null=True, blank=True, db_index=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    referred_at = models.DateTimeField(_("referred"), null=True, blank=True)
    answered_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason,
        verbose_name=_("rejection reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_text = models.TextField(_("rejection explanation"), blank=True)
    revision_request = models.TextField(_("changes asked for"), blank=True)
    signer_data_anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("e-proposal")
        verbose_name_plural = _("e-proposals")
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:proposal-detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        if self.status not in self.PUBLIC_STATUSES:
            return False
        if self.status == self.Status.REJECTED:
            return bool(self.rejection_reason_id and self.rejection_reason.public)
        if self.status == self.Status.WITHDRAWN:
            return self.published_at is not None
        return True

    def is_open_for_signing(self, now) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.closes_at is not None
            and now < self.closes_at
        )

    @property
    def display_proposer(self) -> str:
        return self.proposer_name


class ProposalEvent(models.Model):
    """One step of a proposal's journey: who (kept, never shown publicly), when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft started")
        SUBMITTED = "submitted", _("Submitted for review")
        REVISION_REQUESTED = "revision_requested", _("Changes asked for")
        RESUBMITTED = "resubmitted", _("Submitted again after changes")
        PUBLISHED = "published", _("Published for signing")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn by the proposer")
        THRESHOLD_REACHED = "threshold_reached", _("Enough signatures")
        REFERRED = "referred", _("Sent to the committee")
        DECIDED = "decided", _("Decided")
        EXPIRED = "expired", _("Signing closed without enough signatures")
        HIDDEN = "hidden", pgettext_lazy("journey", "Hidden by moderation")
        RESTORED = "restored", _("Shown again after moderation")
        SIGNATURES_INVALIDATED = "signatures_invalidated", _("Signatures removed by moderation")

    # Shown on the public journey; the others are for the proposer and moderators.
    PUBLIC_KINDS = {
        Kind.SUBMITTED,
        Kind.RESUBMITTED,
        Kind.PUBLISHED,
        Kind.REJECTED,
        Kind.WITHDRAWN,
        Kind.THRESHOLD_REACHED,
        Kind.REFERRED,
        Kind.DECIDED,
        Kind.EXPIRED,
        Kind.HIDDEN,
        Kind.RESTORED,
        Kind.SIGNATURES_INVALIDATED,
    }

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("e-proposal"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=Kind.choices)
    from_status = models.CharField(max_length=24, choices=Proposal.Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Proposal.Status.choices, blank=True)
    note = models.TextField(_("public note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Kept for the record and the audit log; never rendered on a public page or in the API.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("journey event")
        verbose_name_plural = _("journey events")

    def __str__(self):
        return f"{self.proposal_id}: {self.kind}"


class ProposalCount(models.Model):
    """The aggregated signature count of one proposal (written only by the recount task)."""

    proposal = models.OneToOneField(
        Proposal, primary_key=True, on_delete=models.CASCADE, related_name="count"
    )
    total = models.PositiveIntegerField(default=0)
    # {"<district id>": n, "": n for signers who named no district}
    by_district = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("signature count")
        verbose_name_plural = _("signature counts")

    def __str__(self):
        return f"{self.proposal_id}: {self.total}"


class CountingLease(models.Model):
    """Who runs the counting loop, until when: a lease that works across processes on SQLite
    and PostgreSQL alike (one conditional UPDATE per pass)."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("counting lease")
        verbose_name_plural = _("counting leases")

    def __str__(self):
        return f"{self.name}: {self.holder}"


class SignatureInvalidation(models.Model):
    """A moderator's bulk removal of signatures from one proposal, with the reason."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="invalidations")
    reason = models.TextField(_("reason"))
    criteria = models.JSONField(default=dict)
    matched = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature invalidation")
        verbose_name_plural = _("signature invalidations")

    def __str__(self):
        return f"{self.proposal_id}: {self.matched}"


class Signature(models.Model):
    """One person's signature on one proposal (append-only; withdrawn by deleting the row).

    The account link, the public name, the IP address and the e-mail domain are personal data
    and are removed ``PROPOSALS_ANONYMISE_AFTER_DAYS`` after the proposal ends; the district
    stays, so counts by district stay right.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALIDATED = "invalidated", _("Removed by moderation")

    # No single-column indexes where a composite one below starts with the column: every index
    # is written on each signature.
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal_signatures",
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    public_name = models.CharField(_("name shown"), max_length=150, blank=True)
    notify = models.BooleanField(_("wants updates"), default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The address's network (/24 for IPv4, /48 for IPv6): bursts and invalidations group by it.
    network = models.CharField(max_length=64, blank=True)
    email_domain = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    invalidation = models.ForeignKey(
        SignatureInvalidation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
        db_index=False,
    )
    created_at = models.DateTimeField(_("signed"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"],
                condition=Q(user__isnull=False),
                name="signature_one_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["proposal", "status", "district"], name="signature_count_idx"),
            models.Index(fields=["proposal", "created_at"], name="signature_time_idx"),
            # The counting loop looks for the signatures of the last seconds.
            models.Index(fields=["created_at"], name="signature_recent_idx"),
        ]

    def __str__(self):
        return f"{self.proposal_id}/{self.pk}"


class Comment(models.Model):
    """A comment on a published proposal by a signed-in person."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposal_comments",
    )
    author_name = models.CharField(_("name shown"), max_length=150, blank=True)
    body = models.TextField(_("comment"))
    # The language of the page the comment was written on: the best knowledge of the language
    # it is written in, so the page marks it right (not asked, to keep commenting short).
    language = models.CharField(_("language"), max_length=12, default=active_language)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.proposal_id}/{self.pk}"


class Report(models.Model):
    """A report of a proposal or a comment, waiting for a moderator until resolved."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or discriminating")
        PERSONAL_DATA = "personal_data", _("Names or details of a private person")
        SPAM = "spam", _("Advertising or spam")
        NOT_MUNICIPAL = "not_municipal", _("Not something the municipality decides")
        OTHER = "other", _("Something else")

    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("details"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, comment__isnull=True)
                | Q(proposal__isnull=True, comment__isnull=False),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "proposal"],
                condition=Q(proposal__isnull=False, reporter__isnull=False),
                name="report_once_per_proposal",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False, reporter__isnull=False),
                name="report_once_per_comment",
            ),
        ]

    def __str__(self):
        return f"{self.reason}: {self.proposal_id or self.comment_id}"


class Notification(models.Model):
    """That one person was sent the mail for one event of one proposal (never twice)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=32)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user", "event"], name="notification_once_per_event"
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id}/{self.user_id}/{self.event}"
