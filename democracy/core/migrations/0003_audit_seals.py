"""Seals (HMAC with AUDIT_KEY) on the audit log's entries and head, and on PostgreSQL guards
against TRUNCATE of the log and against removing the head row.

Existing entries are sealed in order as long as their chain is intact; an entry after a break
stays unsealed, so ``audit_verify`` keeps reporting the break instead of blessing it."""

from django.db import migrations, models

# Test databases are emptied between tests with TRUNCATE; they set delta.audit_truncate for
# their own database (tests/conftest.py). The guard stops mistakes and casual rewriting; the
# seals and the checkpoints are what detect a rewrite by someone who owns the database.
GUARDS = """
CREATE OR REPLACE FUNCTION core_audit_keep() RETURNS trigger AS $$
BEGIN
    IF current_setting('delta.audit_truncate', true) = 'allowed' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_keep();
CREATE TRIGGER core_audithead_keep
    BEFORE DELETE OR TRUNCATE ON core_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_keep();
"""
DROP_GUARDS = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_audithead_keep ON core_audithead;
DROP FUNCTION IF EXISTS core_audit_keep();
"""


def seal_existing(apps, schema_editor):
    from democracy.core import audit

    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditHead = apps.get_model("core", "AuditHead")
    key = audit.audit_key()
    prev_hash, expected, intact = audit.GENESIS_HASH, 1, True
    sealed = []
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        intact = intact and (
            entry.seq == expected
            and entry.prev_hash == prev_hash
            and audit.hash_of(entry) == entry.hash
        )
        if not intact:
            break
        entry.seal = audit.entry_seal(entry.hash, key=key)
        sealed.append(entry)
        prev_hash, expected = entry.hash, entry.seq + 1
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        AuditEntry.objects.bulk_update(sealed, ["seal"], batch_size=2000)
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and intact and (head.seq, head.hash) == (expected - 1, prev_hash):
        head.seal = audit.head_seal(head.seq, head.hash, key=key)
        head.save(update_fields=["seal"])


def checkpoint_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name="core.audit_checkpoint",
        defaults={
            "func": "democracy.core.tasks.audit_checkpoint",
            "schedule_type": "D",
            "repeats": -1,
        },
    )


def checkpoint_schedule_remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="core.audit_checkpoint").delete()


def guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS, params=None)


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_GUARDS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_roles_audit_head_schedules"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seal",
            field=models.CharField(blank=True, max_length=64, verbose_name="seal"),
        ),
        migrations.AddField(
            model_name="audithead",
            name="seal",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(checkpoint_schedule, checkpoint_schedule_remove),
        migrations.RunPython(guards, drop_guards),
    ]
