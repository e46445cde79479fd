from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from democracy.core.roles import Role
from democracy.core.translations import translations_field


class AuditEntry(models.Model):
    """One append-only row of the hash-chained audit log.

    ``hash`` covers every other column and the previous row's hash, so editing a row breaks its
    own hash and removing one breaks the chain; ``AuditHead`` keeps the newest hash and sequence
    number so that removing rows from the end is noticed too. The actor is stored as plain
    values, not a foreign key, so deleting an account never rewrites the log.
    """

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    created_at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=254)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # HMAC-SHA256 of ``hash`` with AUDIT_KEY, which is not in the database: whoever can write
    # the database can recompute ``hash`` for a forged row, but not this.
    seal = models.CharField(_("seal"), max_length=64, blank=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.target_label}"


class AuditHead(models.Model):
    """The single row that records the newest entry of the audit chain.

    Appending locks this row, which keeps the chain linear under concurrent writers.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64, blank=True)  # HMAC of "seq:hash" with AUDIT_KEY

    class Meta:
        verbose_name = _("audit log head")

    def __str__(self):
        return f"#{self.seq} {self.hash}"


class WorkerHeartbeat(models.Model):
    """The time the task worker last ran its scheduled heartbeat (one row)."""

    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self):
        return self.beat_at.isoformat()


class SentMail(models.Model):
    """That the worker handed one queued message (by its Message-ID) to the mail server.

    The task broker hands a task out again when the worker that took it was killed before it
    finished (decision 79), so a delivery task can run twice; this row, written in the
    transaction that sends, makes the second run send nothing. Holds no personal data; a daily
    task deletes rows older than ``core.services.SENT_MAIL_KEEP``.
    """

    message_id = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("mail sent")
        verbose_name_plural = _("mail sent")

    def __str__(self):
        return self.message_id


class StaffAlert(models.Model):
    """Something staff with a role should look at (a burst of signatures, failed code attempts).

    Alerts carry counts and keys (an IP range, a proposal id), never a ballot choice.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=64)
    message = models.TextField(_("message"))
    data = models.JSONField(_("details"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("staff alert")
        verbose_name_plural = _("staff alerts")

    def __str__(self):
        return f"{self.get_role_display()}: {self.message}"


class EditorialText(models.Model):
    """A text of the portal that the municipality writes itself, in each language.

    Where nothing is entered, the page shows Delta's own text (translated in the catalogues);
    where the Swedish text is entered, it replaces that, and its translations are shown on
    pages in other languages (democracy.core.translations; Swedish where one is missing).
    """

    class Key(models.TextChoices):
        HUB_PROPOSALS = "hub-proposals", _("Start page: write or sign an e-proposal")
        HUB_POLITICIANS = "hub-politicians", _("Start page: contact a politician")
        HUB_MEETINGS = "hub-meetings", _("Start page: follow a meeting")
        HUB_YOUTH_COUNCIL = "hub-youth-council", _("Start page: the youth council")
        PROPOSAL_RULES = "proposal-rules", _("E-proposal rules: who can take part and the steps")

    key = models.CharField(_("text"), max_length=40, choices=Key.choices, unique=True)
    text = models.TextField(
        _("text in Swedish"),
        blank=True,
        help_text=_("Empty: the page shows Delta's own text."),
    )
    translations = translations_field()
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("editable text")
        verbose_name_plural = _("editable texts")

    def __str__(self):
        return str(self.get_key_display())


# Sign-language films and their captions; sent only by core.views.sign_language_file.
SIGN_LANGUAGE_DIR = "core/sign_language/"


def _sign_language_upload_to(instance, filename):
    # The service names every file (a random name, the extension of what the content is);
    # this only keeps the folder in one place.
    return f"{SIGN_LANGUAGE_DIR}{filename}"


class SignLanguageVideo(models.Model):
    """A film in Swedish Sign Language about one of the topics that also have an easy-Swedish
    page, with Swedish captions (WebVTT) and the same content as text (decision 90).

    Uploaded and published by staff on a staff page (``core:staff-sign-language``); the files
    are sent by ``core.views.sign_language_file``, to everyone only while the film is
    published.
    """

    class Topic(models.TextChoices):
        INFLUENCE = "influence", _("How you can influence")
        PROPOSAL_RULES = "proposal-rules", _("The rules for e-proposals")
        YOUTH_ELECTION = "youth-election", _("The youth-council election")

    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices, unique=True)
    video = models.FileField(_("film"), upload_to=_sign_language_upload_to, max_length=200)
    captions = models.FileField(
        _("captions (WebVTT)"), upload_to=_sign_language_upload_to, max_length=200
    )
    text_alternative = models.TextField(_("what the film says, as text"))
    is_published = models.BooleanField(_("shown on the sign-language page"), default=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["topic"]
        verbose_name = _("sign-language film")
        verbose_name_plural = _("sign-language films")

    def __str__(self):
        return str(self.get_topic_display())

    @property
    def video_type(self) -> str:
        return "video/webm" if self.video.name.endswith(".webm") else "video/mp4"
