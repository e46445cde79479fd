"""Who sits where: terms, organisations (bodies and parties), persons, memberships, contacts.

Field names follow Popolo / Open Civic Data where there is one (``classification``,
``on_behalf_of``, ``valid_from``/``valid_until``), so the JSON API and the Popolo import and
export map one to one.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from democracy.core.translations import translations_field


class Term(models.Model):
    """A mandatperiod: the four years between municipal elections."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    popolo_id = models.CharField(_("Popolo id"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="term_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["popolo_id"], condition=~Q(popolo_id=""), name="term_unique_popolo_id"
            ),
        ]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """A body of the municipality (fullmäktige, styrelse, nämnd …) or a political party."""

    class Classification(models.TextChoices):
        COUNCIL = "council", _("Municipal council")
        LEGISLATURE = "legislature", _("National parliament")
        EXECUTIVE_BOARD = "executive_board", _("Municipal executive board")
        COMMITTEE = "committee", _("Committee")
        SUBCOMMITTEE = "subcommittee", _("Sub-committee")
        COMPANY_BOARD = "company_board", _("Company board")
        YOUTH_COUNCIL = "youth_council", _("Youth council")
        PARTY = "party", _("Party")

    # The municipality's deciding bodies: fullmäktige, kommunstyrelsen and the nämnder. Only
    # they can take up an e-proposal (kommunallagen 8 kap. 1 §): not a sub-committee (it
    # prepares), a company board, the youth council, a party, or a body outside the
    # municipality that an import brings in under another classification.
    DECIDES_PROPOSALS = (
        Classification.COUNCIL,
        Classification.EXECUTIVE_BOARD,
        Classification.COMMITTEE,
    )

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=20, blank=True, help_text=_("For example KS or BUN.")
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    classification = models.CharField(
        _("kind"), max_length=32, choices=Classification.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(
        _("what it does"), blank=True, help_text=_("Its remit in plain language.")
    )
    # The description in other languages (the name is a Swedish proper name and stays):
    # see democracy.core.translations.
    translations = translations_field()
    color = models.CharField(
        _("colour"), max_length=7, blank=True, help_text=_("Party colour as #rrggbb.")
    )
    email = models.EmailField(_("public e-mail"), blank=True)
    registry_email = models.EmailField(
        _("registry e-mail"),
        blank=True,
        help_text=_("Where requests for documents go (the registrar)."),
    )
    registry_series = models.CharField(
        _("diary series"),
        max_length=20,
        blank=True,
        help_text=_("Prefix of this body's diary numbers, for example KS."),
    )
    meetings_public_default = models.BooleanField(_("meetings open to the public"), default=False)
    founding_date = models.DateField(_("founded"), null=True, blank=True)
    dissolution_date = models.DateField(_("dissolved"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    popolo_id = models.CharField(_("Popolo id"), max_length=200, blank=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["popolo_id"],
                condition=~Q(popolo_id=""),
                name="organization_unique_popolo_id",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        if self.classification == self.Classification.PARTY:
            return reverse("people:politician-list") + f"?party={self.slug}"
        return reverse("diary:body-detail", kwargs={"slug": self.slug})

    @property
    def decides_proposals(self) -> bool:
        return self.classification in self.DECIDES_PROPOSALS and self.dissolution_date is None

    @property
    def is_party(self) -> bool:
        return self.classification == self.Classification.PARTY

    @property
    def diary_series(self) -> str:
        return self.registry_series or self.short_name or self.slug.upper()[:8]


class Person(models.Model):
    """An elected representative (förtroendevald)."""

    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    sort_name = models.CharField(_("sort name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    image = models.ImageField(_("photo"), upload_to="people/", blank=True)
    image_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    image_url = models.URLField(_("photo address"), blank=True)
    biography = models.TextField(_("about"), blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    is_protected = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_("Only the name and party are shown anywhere, never contact details or photo."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="politician",
    )
    popolo_id = models.CharField(_("Popolo id"), max_length=200, blank=True)

    class Meta:
        ordering = ["sort_name", "family_name", "given_name"]
        verbose_name = _("politician")
        verbose_name_plural = _("politicians")
        constraints = [
            models.UniqueConstraint(
                fields=["popolo_id"], condition=~Q(popolo_id=""), name="person_unique_popolo_id"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:politician-detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        day = on or localdate()
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day),
            Q(end_date__isnull=True) | Q(end_date__gte=day),
        )

    def upcoming(self, on=None):
        """Assignments that begin after ``on``: elected or appointed, not yet in office."""
        day = on or localdate()
        return self.filter(start_date__gt=day)


class Membership(models.Model):
    """An assignment (uppdrag): a person's role in an organisation, or in a party."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        FIRST_VICE_CHAIR = "first_vice_chair", _("First vice chair")
        SECOND_VICE_CHAIR = "second_vice_chair", _("Second vice chair")
        MEMBER = "member", _("Member")
        SUBSTITUTE = "substitute", _("Substitute")
        COMMISSIONER = "commissioner", _("Municipal commissioner")
        GROUP_LEADER = "group_leader", _("Group leader")
        CO_OPTED = "co_opted", _("Co-opted member")
        OBSERVER = "observer", _("Observer")

    # The order roles are listed in on a body's page.
    ROLE_ORDER = [
        Role.CHAIR,
        Role.FIRST_VICE_CHAIR,
        Role.SECOND_VICE_CHAIR,
        Role.COMMISSIONER,
        Role.GROUP_LEADER,
        Role.MEMBER,
        Role.CO_OPTED,
        Role.OBSERVER,
        Role.SUBSTITUTE,
    ]

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("term of office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.MEMBER)
    label = models.CharField(pgettext_lazy("person's title", "title"), max_length=200, blank=True)
    on_behalf_of = models.ForeignKey(
        Organization,
        verbose_name=_("for party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_memberships",
        limit_choices_to={"classification": Organization.Classification.PARTY},
    )
    substitute_order = models.PositiveSmallIntegerField(
        _("substitute order"), null=True, blank=True
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    popolo_id = models.CharField(_("Popolo id"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__sort_order", "start_date", "substitute_order"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["popolo_id"],
                condition=~Q(popolo_id=""),
                name="membership_unique_popolo_id",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()}, {self.organization}"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})
        if self.person_id is None or self.organization_id is None:
            return
        if self.organization.classification == Organization.Classification.PARTY:
            return
        # One seat per body: nobody is a substitute for the body they are a member of.
        substitute = self.role == self.Role.SUBSTITUTE
        others = Membership.objects.filter(
            person_id=self.person_id, organization_id=self.organization_id
        )
        others = others.exclude(pk=self.pk) if self.pk else others
        others = (
            others.exclude(role=self.Role.SUBSTITUTE)
            if substitute
            else others.filter(role=self.Role.SUBSTITUTE)
        )
        if self.start_date:
            others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if self.end_date:
            others = others.filter(Q(start_date__isnull=True) | Q(start_date__lte=self.end_date))
        if others.exists():
            raise ValidationError(
                {
                    "role": _(
                        "This person already has a seat in this body for the same time, as "
                        "a member or as a substitute; one person cannot hold both."
                    )
                }
            )

    def is_current(self, on=None) -> bool:
        day = on or localdate()
        started = self.start_date is None or self.start_date <= day
        not_ended = self.end_date is None or self.end_date >= day
        return started and not_ended

    def is_upcoming(self, on=None) -> bool:
        day = on or localdate()
        return self.start_date is not None and self.start_date > day


class ContactDetailQuerySet(models.QuerySet):
    def published(self, on=None):
        """Details that may be shown: publish flag, recorded consent, valid on ``on``.

        A protected person's details never qualify. Every page, API response and export
        filters through this one method.
        """
        day = on or localdate()
        return self.filter(
            publish=True,
            consent_given_at__isnull=False,
            person__is_protected=False,
        ).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


class ContactDetail(models.Model):
    """A way to reach a person (Popolo ContactDetail), with publication consent."""

    class Type(models.TextChoices):
        EMAIL = "email", _("E-mail")
        VOICE = "voice", _("Phone")
        CELL = "cell", _("Mobile phone")
        ADDRESS = "address", _("Postal address")
        URL = "url", _("Website")
        SOCIAL = "social", _("Social media")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="contact_details",
    )
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    value = models.CharField(_("value"), max_length=300)
    label = models.CharField(_("label"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_official = models.BooleanField(
        _("official"), default=False, help_text=_("Given by the municipality for the assignment.")
    )
    publish = models.BooleanField(_("publish"), default=False)
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_source = models.CharField(_("how consent was given"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = ContactDetailQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-is_official", "type"]
        verbose_name = _("contact detail")
        verbose_name_plural = _("contact details")

    def __str__(self):
        return f"{self.person}: {self.get_type_display()}"

    @property
    def href(self) -> str:
        """Where a link to this detail points, or "" when it is shown as plain text.

        Websites and social media are linked only with an http(s) address: a ``javascript:``
        value (from an import or a typo) is never a link, and a bare handle such as
        "@namn" would otherwise become a broken link relative to the page.
        """
        value = self.value.strip()
        if self.type == self.Type.EMAIL:
            return f"mailto:{value}" if "@" in value and ":" not in value else ""
        if self.type in (self.Type.URL, self.Type.SOCIAL):
            return value if value.lower().startswith(("https://", "http://")) else ""
        if self.type in (self.Type.VOICE, self.Type.CELL):
            number = "".join(c for c in value if c.isdigit() or c == "+")
            return f"tel:{number}" if number else ""
        return ""

    def clean(self):
        super().clean()
        if self.publish and self.consent_given_at is None:
            raise ValidationError(
                {"publish": _("A contact detail can be published only when consent is recorded.")}
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date is before the start date.")})
