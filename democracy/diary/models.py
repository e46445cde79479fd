"""The public meeting diary: meetings, cases with diary numbers, agenda items, documents.

Modelled on Open Civic Data's Event/Bill, Helsinki's Ahjo (case ↔ agenda item, diary number,
original date of a moved meeting) and Swedish practice (justering, anslag, appeal deadline).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from democracy.diary.dates import appeal_deadline
from democracy.people.models import Organization, Term


class Meeting(models.Model):
    """A meeting (sammanträde) of one body."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    class Publicity(models.TextChoices):
        OPEN = "open", _("Open to the public")
        CLOSED = "closed", _("Closed")
        PARTLY_OPEN = "partly_open", _("Partly open")

    # Allowed status changes (house style: explicit state machine, enforced by
    # diary.services.meeting_transition). A held meeting is final; a cancelled one can be
    # planned again.
    TRANSITIONS = {
        Status.PLANNED: {Status.CONFIRMED, Status.MOVED, Status.CANCELLED, Status.HELD},
        Status.CONFIRMED: {Status.MOVED, Status.CANCELLED, Status.HELD, Status.PLANNED},
        Status.MOVED: {Status.CONFIRMED, Status.MOVED, Status.CANCELLED, Status.HELD},
        Status.CANCELLED: {Status.PLANNED},
        Status.HELD: set(),
    }

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("term of office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("The meeting's number in the year.")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"), null=True, blank=True)
    original_start = models.DateTimeField(
        _("originally planned start"),
        null=True,
        blank=True,
        help_text=_("Set when the meeting is moved."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    publicity = models.CharField(
        _("open or closed"),
        max_length=16,
        choices=Publicity.choices,
        default=Publicity.CLOSED,
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notice_published_on = models.DateField(
        _("notice sent"), null=True, blank=True, help_text=_("Kallelse.")
    )
    public_announcement_on = models.DateField(
        _("public announcement"),
        null=True,
        blank=True,
        help_text=_("Kungörelse, for the municipal council."),
    )
    minutes_adjusted_on = models.DateField(
        _("minutes approved"), null=True, blank=True, help_text=_("Justering.")
    )
    minutes_announced_on = models.DateField(
        _("minutes announced"),
        null=True,
        blank=True,
        help_text=_("The day the approved minutes were put on the notice board (anslag)."),
    )
    status_note = models.CharField(
        _("note on the status"),
        max_length=300,
        blank=True,
        help_text=_("Why the meeting was moved or cancelled, in plain language."),
    )
    webcast_url = models.URLField(_("webcast"), blank=True)
    calendar_sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_("Goes up each time the time, place, title or status changes."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What a calendar shows of a meeting. A saved change to any of them is a new revision: the
    # iCalendar SEQUENCE goes up (RFC 5545 3.8.7.4) and subscribed calendars replace the event.
    CALENDAR_FIELDS = ("start", "end", "status", "location", "address", "title")

    class Meta:
        ordering = ["start"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "number"],
                condition=Q(number__isnull=False),
                name="meeting_unique_number_per_body_and_year",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self):
        if self.number:
            return f"{self.organization} {self.number}/{self.year}"
        return f"{self.organization} {self.start:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        saved = getattr(self, "_calendar_saved", None)
        if saved is not None and saved != self._calendar_state():
            self.calendar_sequence += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "calendar_sequence"}
        super().save(*args, **kwargs)
        self._calendar_saved = self._calendar_state()

    def get_absolute_url(self):
        return reverse("diary:meeting-detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The model's own bookkeeping, on the instance this class method builds.
        instance._calendar_saved = instance._calendar_state()  # noqa: SLF001
        return instance

    def _calendar_state(self) -> tuple:
        return tuple(self.__dict__.get(name) for name in self.CALENDAR_FIELDS)

    @property
    def appeal_deadline(self):
        if self.minutes_announced_on is None:
            return None
        return appeal_deadline(self.minutes_announced_on)

    @property
    def was_moved(self) -> bool:
        return self.original_start is not None and self.original_start != self.start

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def name(self) -> str:
        """The meeting's public name, e.g. "Kommunstyrelsen 3/2026" or its title."""
        if self.title:
            return self.title
        return str(self)


class Case(models.Model):
    """A case (ärende) with its diary number, followed through every meeting that treats it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PREPARATION = "in_preparation", _("Being prepared")
        ON_AGENDA = "on_agenda", _("On an agenda")
        REFERRED_BACK = "referred_back", _("Referred back for more preparation")
        TABLED = "tabled", _("Postponed")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")

    # Allowed status changes (house style: explicit state machine, enforced by
    # diary.services.case_transition, the one place that changes a case's status). A case is
    # on an agenda once an item for it is; the decision moves it on; a case decided by one body
    # (often a proposal to the next) is on an agenda again when another meeting takes it up.
    # A closed case is final.
    TRANSITIONS = {
        Status.RECEIVED: {Status.IN_PREPARATION, Status.ON_AGENDA, Status.CLOSED},
        Status.IN_PREPARATION: {Status.ON_AGENDA, Status.CLOSED},
        Status.ON_AGENDA: {
            Status.DECIDED,
            Status.REFERRED_BACK,
            Status.TABLED,
            Status.IN_PREPARATION,
            Status.CLOSED,
        },
        Status.REFERRED_BACK: {Status.IN_PREPARATION, Status.ON_AGENDA, Status.CLOSED},
        Status.TABLED: {Status.IN_PREPARATION, Status.ON_AGENDA, Status.CLOSED},
        Status.DECIDED: {Status.ON_AGENDA, Status.CLOSED},
        Status.CLOSED: set(),
    }

    class Origin(models.TextChoices):
        MOTION = "motion", _("Motion")
        CITIZEN_PROPOSAL = "citizen_proposal", _("Citizen proposal")
        E_PROPOSAL = "e_proposal", _("E-proposal")
        LETTER = "letter", _("Letter")
        CONSULTATION = "consultation", _("Consultation")
        OFFICIAL = "official", _("Raised by the administration")
        INTERPELLATION = "interpellation", _("Interpellation")
        QUESTION = "question", _("Question")

    series = models.CharField(_("diary series"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    # Derived from the diary number by diary.services.case_open: "KS 2026/00123" → "ks-2026-00123".
    slug = models.SlugField(_("slug"), max_length=60, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary in plain language"), blank=True)
    responsible_organization = models.ForeignKey(
        Organization,
        verbose_name=_("responsible body"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.OFFICIAL
    )
    registered_on = models.DateField(_("registered"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="case_unique_diary_number"
            ),
        ]

    def __str__(self):
        return f"{self.diary_number} {self.title}"

    def get_absolute_url(self):
        return reverse("diary:case-detail", kwargs={"slug": self.slug})

    @staticmethod
    def format_diary_number(series: str, year: int, sequence: int) -> str:
        return f"{series} {year}/{sequence:05d}"

    @classmethod
    def slug_for(cls, series: str, year: int, sequence: int) -> str:
        return slugify(cls.format_diary_number(series, year, sequence).replace("/", "-"))

    @property
    def diary_number(self) -> str:
        return self.format_diary_number(self.series, self.year, self.sequence)


class AgendaItem(models.Model):
    """One item (ärendepunkt, §) on a meeting's agenda, with the proposal and the decision."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        APPROVED_AFTER_VOTE = "approved_after_vote", _("Approved after a vote")
        AMENDED = "amended", _("Approved with changes")
        REJECTED = "rejected", _("Rejected")
        REFERRED_BACK = "referred_back", _("Referred back")
        TABLED = "tabled", _("Postponed")
        ANSWERED = "answered", _("Answered")
        NOTED = "noted", _("Noted")
        ELECTION = "election", _("Election held")
        WITHDRAWN = "withdrawn", _("Withdrawn from the agenda")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    paragraph = models.CharField(
        _("paragraph"), max_length=20, blank=True, help_text=_("For example § 112.")
    )
    title = models.CharField(_("title"), max_length=300)
    public = models.BooleanField(_("public"), default=True)
    proposal_text = models.TextField(_("proposed decision"), blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["meeting__start", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="agenda_item_unique_position"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url() + f"#item-{self.position}"

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)


class PartyVote(models.Model):
    """How one party's members voted on an agenda item (Popolo VoteEvent group_results)."""

    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="party_votes",
    )
    party = models.ForeignKey(
        Organization,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"classification": Organization.Classification.PARTY},
    )
    yes = models.PositiveSmallIntegerField(_("yes"), default=0)
    no = models.PositiveSmallIntegerField(_("no"), default=0)
    abstain = models.PositiveSmallIntegerField(_("abstained"), default=0)
    absent = models.PositiveSmallIntegerField(_("absent"), default=0)

    class Meta:
        ordering = ["party__sort_order", "party__name"]
        verbose_name = _("party vote")
        verbose_name_plural = _("party votes")
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "party"], name="party_vote_unique_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.party}: {self.yes}/{self.no}/{self.abstain}"


class Document(models.Model):
    """A document (handling) of a meeting, agenda item or case; public or withheld."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice of meeting")
        AGENDA = "agenda", _("Agenda")
        PUBLIC_ANNOUNCEMENT = "public_announcement", _("Public announcement")
        OFFICIAL_REPORT = "official_report", _("Official report")
        DECISION_BASIS = "decision_basis", _("Decision basis")
        ATTACHMENT = "attachment", _("Attachment")
        MINUTES = "minutes", _("Minutes")
        MINUTES_EXTRACT = "minutes_extract", _("Extract from the minutes")

    class MinutesVersion(models.TextChoices):
        UNADJUSTED = "unadjusted", _("Not yet approved")
        ADJUSTED = "adjusted", pgettext_lazy("minutes", "Approved")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    text = models.TextField(
        _("text"), blank=True, help_text=_("The document as accessible text, shown as HTML.")
    )
    minutes_version = models.CharField(
        _("minutes version"), max_length=16, choices=MinutesVersion.choices, blank=True
    )
    published_on = models.DateField(_("published"), null=True, blank=True)
    registry_document_id = models.CharField(
        _("document id in the registry"), max_length=50, blank=True
    )
    public = models.BooleanField(_("public"), default=True)
    withheld_ground = models.CharField(
        _("legal ground for withholding"),
        max_length=200,
        blank=True,
        help_text=_("For example: OSL 21 kap. 1 § (health or personal circumstances)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting__start", "kind", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False)
                | Q(agenda_item__isnull=False)
                | Q(case__isnull=False),
                name="document_belongs_somewhere",
            ),
            models.CheckConstraint(
                condition=Q(public=True) | ~Q(withheld_ground=""),
                name="document_withheld_has_ground",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if not self.public and not self.withheld_ground.strip():
            raise ValidationError(
                {
                    "withheld_ground": _(
                        "A withheld document needs the legal ground for withholding it."
                    )
                }
            )

    @property
    def registry_email(self) -> str:
        item = self.agenda_item
        for organization in (
            self.case.responsible_organization if self.case else None,
            item.case.responsible_organization if item and item.case else None,
            self.meeting.organization if self.meeting else None,
            item.meeting.organization if item else None,
        ):
            if organization is not None and organization.registry_email:
                return organization.registry_email
        return settings.MUNICIPALITY_REGISTRY_EMAIL
