"""Writes of the shared core: the audit log, staff alerts, the worker heartbeat and the record
of sent mail."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _

from democracy.core import audit, sign_language
from democracy.core.models import (
    AuditEntry,
    AuditHead,
    SentMail,
    SignLanguageVideo,
    StaffAlert,
    WorkerHeartbeat,
)
from democracy.core.realtime import group_send
from democracy.core.roles import Role
from democracy.core.sanitize import clean_text

SYSTEM_ACTOR = "system"
# A delivery task is handed out again within minutes of a killed worker (the broker's retry);
# a month of Message-IDs is far more than that needs.
SENT_MAIL_KEEP = timedelta(days=30)


def _actor_values(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, SYSTEM_ACTOR
    return actor.pk, actor.email


def _target_values(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:300]
    return type(target).__name__.lower(), "", str(target)[:300]


@transaction.atomic
def audit_log(
    *,
    actor,
    action: str,
    target=None,
    reason: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry to the hash-chained audit log and move the head.

    ``actor`` is a user or ``None`` for the system; ``target`` is usually a model instance.
    ``action`` is a dotted name such as ``"proposal.publish"``. The head row is locked for the
    length of the surrounding transaction, so entries are chained in commit order.
    """
    head = _locked_head()
    actor_id, actor_label = _actor_values(actor)
    target_type, target_id, target_label = _target_values(target)
    values = {
        "seq": head.seq + 1,
        "created_at": timezone_now(),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "reason": reason or "",
        "data": audit.normalise_data(data),
        "prev_hash": head.hash,
    }
    entry_hash = audit.entry_hash(**values)
    entry = AuditEntry(**values, hash=entry_hash, seal=audit.entry_seal(entry_hash))
    entry.save(force_insert=True)
    head.seq = entry.seq
    head.hash = entry.hash
    head.seal = audit.head_seal(entry.seq, entry.hash)
    head.save(update_fields=["seq", "hash", "seal"])
    return entry


def _locked_head() -> AuditHead:
    """The head row, locked; created at the genesis hash if the table is empty."""
    try:
        return AuditHead.objects.select_for_update().get(pk=1)
    except AuditHead.DoesNotExist:
        try:
            with transaction.atomic():
                AuditHead.objects.create(
                    pk=1,
                    seq=0,
                    hash=audit.GENESIS_HASH,
                    seal=audit.head_seal(0, audit.GENESIS_HASH),
                )
        except IntegrityError:
            pass  # created by a concurrent first writer
        return AuditHead.objects.select_for_update().get(pk=1)


def audit_head() -> AuditHead:
    return AuditHead.objects.filter(pk=1).first() or AuditHead(
        pk=1, seq=0, hash=audit.GENESIS_HASH, seal=audit.head_seal(0, audit.GENESIS_HASH)
    )


def audit_checkpoint_record() -> str:
    """Record the audit head outside the database: append it to ``AUDIT_CHECKPOINT_FILE`` and
    mail it to ``AUDIT_CHECKPOINT_EMAILS`` (the registrar). A later ``audit_verify
    --checkpoints`` (or ``--checkpoint SEQ:HASH`` from the mail) then finds a log that was
    emptied and started again, or rewritten before that point, even by someone who holds the
    database and the key. Returns the checkpoint line."""

    head = audit_head()
    line = audit.checkpoint_line(seq=head.seq, head_hash=head.hash, at=timezone_now())
    if settings.AUDIT_CHECKPOINT_FILE:
        with open(settings.AUDIT_CHECKPOINT_FILE, "a", encoding="utf-8") as checkpoints:
            checkpoints.write(line + "\n")
    if settings.AUDIT_CHECKPOINT_EMAILS:
        send_mail(
            _("Audit log checkpoint, entry %(seq)s") % {"seq": head.seq},
            _(
                "The audit log of %(site)s had %(seq)s entries. Keep this message: it lets "
                "anyone check later that the log was not rewritten.\n\n%(line)s\n\n"
                "To check: manage.py audit_verify --checkpoint %(seq)s:%(hash)s"
            )
            % {
                "site": settings.MUNICIPALITY_NAME,
                "seq": head.seq,
                "line": line,
                "hash": head.hash,
            },
            None,
            settings.AUDIT_CHECKPOINT_EMAILS,
        )
    return line


def staff_alert_group(role: str) -> str:
    return f"staff-alerts-{role}"


@transaction.atomic
def staff_alert_raise(
    *,
    role: Role | str,
    kind: str,
    message: str,
    data: dict | None = None,
    dedupe_key: str = "",
    dedupe_minutes: int = 15,
) -> StaffAlert | None:
    """Raise an alert for everyone holding ``role``; returns ``None`` when it is a repeat.

    An alert with the same ``dedupe_key`` raised within ``dedupe_minutes`` is not raised again,
    so a sustained burst gives one alert, not one per request. Connected staff get it over the
    websocket after commit.
    """
    role = Role(role)
    if dedupe_key:
        since = timezone_now() - timedelta(minutes=dedupe_minutes)
        if StaffAlert.objects.filter(dedupe_key=dedupe_key, created_at__gte=since).exists():
            return None
    alert = StaffAlert(
        role=role,
        kind=kind,
        message=message,
        data=audit.normalise_data(data),
        dedupe_key=dedupe_key,
    )
    alert.full_clean()
    alert.save(force_insert=True)
    alert_id = alert.pk
    transaction.on_commit(lambda: staff_alert_broadcast(alert_id=alert_id))
    return alert


def staff_alert_broadcast(*, alert_id: int) -> None:
    alert = StaffAlert.objects.get(pk=alert_id)
    group_send(
        staff_alert_group(alert.role),
        {
            "type": "staff.alert",
            "id": alert.pk,
            "kind": alert.kind,
            "message": alert.message,
            "created_at": alert.created_at.isoformat(),
        },
    )


@transaction.atomic
def staff_alert_acknowledge(*, alert: StaffAlert, actor) -> StaffAlert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone_now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_log(actor=actor, action="staff_alert.acknowledge", target=alert)
    return alert


def worker_heartbeat_record() -> WorkerHeartbeat:
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"beat_at": timezone_now()}
    )
    return beat


def sent_mail_prune() -> int:
    """Delete the record of mail sent more than ``SENT_MAIL_KEEP`` ago."""
    deleted, _ = SentMail.objects.filter(sent_at__lt=timezone_now() - SENT_MAIL_KEEP).delete()
    return deleted


def _sign_language_checks(video, captions, text_alternative) -> tuple[str | None, dict]:
    """The film's kind (webm/mp4, when one is given) and the errors of the three inputs."""
    errors = {}
    kind = None
    if video is not None:
        try:
            kind = sign_language.video_kind(video)
        except ValidationError as error:
            errors["video"] = error.messages
    if captions is not None:
        try:
            sign_language.check_captions(captions)
        except ValidationError as error:
            errors["captions"] = error.messages
    if not text_alternative:
        errors["text_alternative"] = [
            _("Write what the film says, for people who cannot see or hear it.")
        ]
    return kind, errors


def sign_language_video_save(
    *,
    topic: str,
    actor,
    text_alternative: str,
    is_published: bool,
    video=None,
    captions=None,
):
    """Store or change the sign-language film of ``topic`` (decision 90).

    ``video`` and ``captions`` are uploaded files, checked here by their content
    (``core.sign_language``); either may be left out when the topic already has one. Each file
    gets a new random name with the extension of what it is, so a replaced file's address
    never shows the new one; replaced files are deleted once the change is committed. The
    change, and a publication or withdrawal, go to the audit log.
    """
    topic = SignLanguageVideo.Topic(topic)
    text_alternative = clean_text(text_alternative)
    kind, errors = _sign_language_checks(video, captions, text_alternative)
    with transaction.atomic():
        row = SignLanguageVideo.objects.select_for_update().filter(topic=topic).first()
        created = row is None
        if created:
            row = SignLanguageVideo(topic=topic)
            if video is None and "video" not in errors:
                errors["video"] = [_("Choose the film (WebM or MP4).")]
            if captions is None and "captions" not in errors:
                errors["captions"] = [_("Choose the captions file (WebVTT, .vtt).")]
        if errors:
            raise ValidationError(errors)
        was_published = bool(row.is_published) and not created
        old_files = []
        changed = []
        if video is not None:
            if row.video:
                old_files.append(row.video.name)
            row.video.save(f"{topic.value}-{secrets.token_hex(12)}.{kind}", video, save=False)
            changed.append("video")
        if captions is not None:
            if row.captions:
                old_files.append(row.captions.name)
            row.captions.save(f"{topic.value}-{secrets.token_hex(12)}.vtt", captions, save=False)
            changed.append("captions")
        if row.text_alternative != text_alternative:
            changed.append("text_alternative")
        row.text_alternative = text_alternative
        row.is_published = bool(is_published)
        row.save()
        if changed:
            audit_log(
                actor=actor,
                action="core.signlanguagevideo." + ("create" if created else "change"),
                target=row,
                data={"fields": changed, "video_type": row.video_type},
            )
        if row.is_published != was_published and not (created and not row.is_published):
            audit_log(
                actor=actor,
                action="core.signlanguagevideo." + ("publish" if row.is_published else "unpublish"),
                target=row,
            )

        def delete_replaced():
            for name in old_files:
                default_storage.delete(name)

        transaction.on_commit(delete_replaced)
    return row
