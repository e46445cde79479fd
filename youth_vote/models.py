"""The youth-council election: set-up, voter roll, supervised sessions and secret ballots.

Two halves that never meet in one row:

- the **identity side** (``Voter``, ``Participation``, ``VotingSession``): who may vote, which
  code hash they hold, and whether they have voted;
- the **ballot side** (``Ballot``, ``Tracker``): what was chosen, in which district, and the
  random trackers of counted ballots.

A ballot has a random primary key, its district and its choice, nothing else: no voter, no
session, no device, no time. ``Participation`` and ``Ballot`` are written in one transaction
(``services.ballot_cast``); the unique voter on ``Participation`` makes a second ballot for
the same voter impossible, whatever the application does. Default orderings use the random
keys, so no listing shows the order in which ballots or participations were stored.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from democracy.core.translations import translations_field


class Election(models.Model):
    """One youth-council election with its voting window.

    The stored ``status`` records the administrative steps; whether voting is open or closed
    follows the clock (``opens_at`` / ``closes_at``) and is derived in ``phase``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FROZEN = "frozen", _("Frozen")
        TALLIED = "tallied", _("Counted")
        PUBLISHED = "published", pgettext_lazy("election status", "Published")

    # The administrative steps an election may take; everything else is refused.
    TRANSITIONS = {
        Status.DRAFT: {Status.FROZEN},
        Status.FROZEN: {Status.TALLIED},
        Status.TALLIED: {Status.PUBLISHED},
        Status.PUBLISHED: set(),
    }

    class Phase(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("election status", "Being prepared")
        UPCOMING = "upcoming", _("Voting opens soon")
        OPEN = "open", _("Voting is open")
        CLOSED = "closed", _("Voting has closed, counting")
        TALLIED = "tallied", _("Counted, result not yet published")
        PUBLISHED = "published", _("Result published")

    class Method(models.TextChoices):
        LARGEST_REMAINDER = "hare", _("Largest remainder method (Hare quota)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    description = models.TextField(_("about the election"), blank=True)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(
        _("voting closes"), help_text=_("Moves only through a reasoned, public extension.")
    )
    original_closes_at = models.DateTimeField(_("voting closes (as frozen)"), null=True, blank=True)
    total_members = models.PositiveSmallIntegerField(_("members to elect"), default=81)
    total_substitutes = models.PositiveSmallIntegerField(_("substitutes to elect"), default=20)
    apportionment_method = models.CharField(
        _("seat apportionment"), max_length=16, choices=Method.choices, default=Method.LARGEST_REMAINDER
    )
    voter_min_grade = models.PositiveSmallIntegerField(_("lowest school year to vote"), default=5)
    candidate_min_grade = models.PositiveSmallIntegerField(
        _("lowest school year to stand"), default=6
    )
    max_age = models.PositiveSmallIntegerField(
        _("voters and candidates must be younger than"), default=18
    )
    council = models.ForeignKey(
        "people.Organization",
        verbose_name=_("youth council in the diary"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"classification": "youth_council"},
        related_name="+",
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    trustees = models.PositiveSmallIntegerField(
        _("trustees"),
        default=5,
        help_text=_("People who each keep one printed key sheet; the count needs some of them."),
    )
    trustee_threshold = models.PositiveSmallIntegerField(
        _("trustees needed to count"),
        default=3,
        help_text=_("How many of the key sheets must be entered to count the votes."),
    )
    config = models.JSONField(_("frozen configuration"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    roll_hash = models.CharField(_("voter-roll hash"), max_length=64, blank=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)
    tie_seed = models.CharField(_("seed of the lot"), max_length=64, blank=True)
    decryption = models.JSONField(
        _("decryption of the sums"),
        null=True,
        blank=True,
        help_text=_("The encrypted sums, the trustees' partial decryptions and their proofs."),
    )
    tallied_at = models.DateTimeField(_("counted"), null=True, blank=True)
    published_at = models.DateTimeField(
        pgettext_lazy("election", "published"), null=True, blank=True
    )
    members_added_at = models.DateTimeField(_("added to the diary"), null=True, blank=True)
    purged_at = models.DateTimeField(_("roll destroyed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("youth-council election")
        verbose_name_plural = _("youth-council elections")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="youth_vote_election_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("youth_vote:election-detail", kwargs={"slug": self.slug})

    def phase_at(self, moment) -> str:
        if self.status == self.Status.PUBLISHED:
            return self.Phase.PUBLISHED
        if self.status == self.Status.TALLIED:
            return self.Phase.TALLIED
        if self.status == self.Status.DRAFT:
            return self.Phase.DRAFT
        if moment < self.opens_at:
            return self.Phase.UPCOMING
        if moment < self.closes_at:
            return self.Phase.OPEN
        return self.Phase.CLOSED

    @property
    def phase(self) -> str:
        return self.phase_at(timezone_now())

    def get_phase_display(self) -> str:
        return self.Phase(self.phase).label

    @property
    def is_open(self) -> bool:
        return self.phase == self.Phase.OPEN

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def has_closed(self) -> bool:
        return self.phase in (self.Phase.CLOSED, self.Phase.TALLIED, self.Phase.PUBLISHED)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_extended(self) -> bool:
        return bool(self.original_closes_at and self.closes_at != self.original_closes_at)


class Extension(models.Model):
    """A reasoned, public extension of the voting window."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("election")
    )
    previous_closes_at = models.DateTimeField(_("closed before"))
    new_closes_at = models.DateTimeField(_("closes now"))
    reason = models.TextField(_("reason"))
    decided_by = models.CharField(_("decided by"), max_length=254)
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self):
        return f"{self.election}: {self.new_closes_at:%Y-%m-%d %H:%M}"


class District(models.Model):
    """A district (stadsområde); students vote for candidates of their home district."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="districts", verbose_name=_("election")
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address name"), max_length=80)
    child_population = models.PositiveIntegerField(
        _("children living here"), help_text=_("Used to share the seats between districts.")
    )
    seats_members = models.PositiveSmallIntegerField(_("members"), default=0)
    seats_substitutes = models.PositiveSmallIntegerField(_("substitutes"), default=0)
    # The name in other languages: see democracy.core.translations.
    translations = translations_field()

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("election", "district")
        verbose_name_plural = pgettext_lazy("election", "districts")
        constraints = [
            models.UniqueConstraint(fields=["election", "slug"], name="youth_vote_district_slug"),
            models.UniqueConstraint(fields=["election", "name"], name="youth_vote_district_name"),
        ]

    def __str__(self):
        return self.name


class School(models.Model):
    """A school taking part, in one district, with its contact persons."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="schools", verbose_name=_("election")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools",
        verbose_name=pgettext_lazy("election", "district"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact persons"),
        blank=True,
        related_name="youth_vote_schools",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.UniqueConstraint(fields=["election", "slug"], name="youth_vote_school_slug"),
        ]

    def __str__(self):
        return self.name


class SchoolClass(models.Model):
    """A class at a school; sessions are opened per class."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="classes", verbose_name=_("school")
    )
    name = models.CharField(pgettext_lazy("school class", "name"), max_length=40)

    class Meta:
        ordering = ["school__name", "name"]
        verbose_name = pgettext_lazy("school class", "class")
        verbose_name_plural = pgettext_lazy("school class", "classes")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="youth_vote_class_name"),
        ]

    def __str__(self):
        return f"{self.school} {self.name}"


class Candidate(models.Model):
    """A student standing in a district. Only approved candidates are on the ballot."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", pgettext_lazy("candidate review", "Approved")
        REJECTED = "rejected", pgettext_lazy("candidate review", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("candidate", "Withdrawn")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        Status.APPROVED: {Status.PENDING, Status.REJECTED, Status.WITHDRAWN},
        Status.REJECTED: {Status.PENDING, Status.WITHDRAWN},
        Status.WITHDRAWN: set(),
    }

    # A public random key: the export and the lot refer to candidates by it.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("election")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="candidates",
        verbose_name=pgettext_lazy("election", "district"),
    )
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    school_name = models.CharField(_("school"), max_length=200, blank=True)
    grade = models.PositiveSmallIntegerField(_("school year"))
    birth_date = models.DateField(_("date of birth"), help_text=_("Checked, never published."))
    statement = models.TextField(_("why vote for me"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="youth_vote/candidates/", blank=True)
    photo_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Voter(models.Model):
    """A student on the voter roll (the identity side).

    The voting code is kept only as a keyed hash (``code_hash``); the code itself exists
    once, on the printed class sheet. ``youth_vote_purge`` deletes these rows after
    certification, which destroys the link between codes and students.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="voters", verbose_name=_("election")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="voters", verbose_name=_("class")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="voters",
        verbose_name=_("home district"),
    )
    student_ref = models.CharField(
        _("student reference"), max_length=64, help_text=_("The school's own id for the student.")
    )
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("school year"))
    birth_date = models.DateField(_("date of birth"))
    code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("voter")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "school_class", "student_ref"], name="youth_vote_voter_ref"
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Participation(models.Model):
    """The mark that a voter has voted: one row per voter, enforced by the database.

    No time, no session, no channel: only that the voter took part. The random key keeps
    the table's order from showing the order in which students voted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    voter = models.OneToOneField(Voter, on_delete=models.CASCADE, related_name="participation")

    class Meta:
        ordering = ["id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self):
        return str(self.pk)


class Ballot(models.Model):
    """A secret ballot: a random key, the district and the encrypted choice.

    ``ciphertext`` holds one ElGamal ciphertext per approved candidate of the district, in the
    frozen configuration's order, under the trustees' joint key (``youth_vote/crypto.py``).
    Nothing else, by design: no voter, no session, no device, no address, no time, and no
    plaintext choice, so a row that can be lined up with its voter (by ``xmin``, order or
    position while voting runs) still says nothing. Only the per-candidate sums are ever
    decrypted. ``tests/youth_vote/test_secrecy.py`` checks the fields of this model.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="ballots")
    ciphertext = models.BinaryField(_("encrypted choice"))
    # Whether the ballot is already in its district's running sum (``BallotSum``): the worker
    # adds new ballots every minute, so closing needs only the decryption of the sums.
    summed = models.BooleanField(_("in the running sum"), default=False, db_default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [
            models.Index(fields=["election", "district"], name="youth_vote_ballot_tally"),
            models.Index(
                fields=["election"],
                condition=models.Q(summed=False),
                name="youth_vote_ballot_unsummed",
            ),
        ]

    def __str__(self):
        return str(self.pk)


class BallotSum(models.Model):
    """A district's running encrypted sum: the ballots added so far, option by option.

    ``sums`` has the layout of a ballot (one ElGamal ciphertext per approved candidate, in the
    frozen order); empty until the first ballot is added. Adding ciphertexts needs no key, and
    only the final sums are ever decrypted (``youth_vote.counting``).
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballot_sums")
    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="ballot_sum"
    )
    ballots = models.PositiveIntegerField(_("ballots in the sum"), default=0)
    sums = models.BinaryField(_("encrypted sums"), default=b"")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("running sum")
        verbose_name_plural = _("running sums")

    def __str__(self):
        return f"{self.district_id}: {self.ballots}"


class Tracker(models.Model):
    """A counted ballot's random tracker, kept apart from the ballot.

    The tracker proves that a ballot was counted; stored in its own table with no link to the
    ballot it proves the counting of, it cannot prove what the ballot says.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="trackers")
    code = models.CharField(_("tracker"), max_length=16)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tracker")
        verbose_name_plural = _("trackers")
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="youth_vote_tracker_code"),
        ]

    def __str__(self):
        return self.code


class VotingSession(models.Model):
    """A time-boxed, supervised voting session for one class.

    The classroom screen shows the session's rotating code (TOTP from ``secret``); a student
    needs their own code and the current session code to vote.
    """

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("class")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    ended_early_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    secret = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("voting session")
        verbose_name_plural = _("voting sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="youth_vote_session_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.school_class} {self.starts_at:%Y-%m-%d %H:%M}"

    def is_open_at(self, moment) -> bool:
        end = self.ended_early_at or self.ends_at
        return self.starts_at <= moment < end

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone_now())

    @property
    def effective_end(self):
        return self.ended_early_at or self.ends_at


class DistrictResult(models.Model):
    """The counted blank votes and total of one district (written by the tally)."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="result")
    ballots = models.PositiveIntegerField(_("ballots"))
    blank = models.PositiveIntegerField(_("blank votes"))
    eligible = models.PositiveIntegerField(_("eligible voters"))

    class Meta:
        ordering = ["district__name"]
        verbose_name = _("district result")
        verbose_name_plural = _("district results")

    def __str__(self):
        return str(self.district)


class CandidateResult(models.Model):
    """A candidate's votes, rank and outcome in the count."""

    class Outcome(models.TextChoices):
        MEMBER = "member", _("Elected member")
        SUBSTITUTE = "substitute", _("Elected substitute")
        NOT_ELECTED = "not_elected", _("Not elected")

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="result")
    votes = models.PositiveIntegerField(_("votes"))
    rank = models.PositiveIntegerField(pgettext_lazy("result rank", "place"))
    lot = models.CharField(_("lot"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    substitute_order = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["candidate__district__name", "rank"]
        verbose_name = _("candidate result")
        verbose_name_plural = _("candidate results")

    def __str__(self):
        return f"{self.candidate}: {self.votes}"


class SchoolTurnout(models.Model):
    """Turnout per school, kept at the count so that it outlives the purge of the roll."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="turnout")
    eligible = models.PositiveIntegerField(_("eligible voters"))
    voted = models.PositiveIntegerField(_("voted"))

    class Meta:
        ordering = ["school__name"]
        verbose_name = _("turnout per school")
        verbose_name_plural = _("turnout per school")

    def __str__(self):
        return f"{self.school}: {self.voted}/{self.eligible}"
