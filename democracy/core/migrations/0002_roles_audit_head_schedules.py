"""Staff role groups, the audit chain's head row, the worker heartbeat schedule, and (on
PostgreSQL) a trigger that refuses UPDATE and DELETE on the audit log."""

from django.db import migrations

ROLES = ["moderator", "diary_editor", "election_admin", "school_contact"]
GENESIS_HASH = "0" * 64

PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
PG_APPEND_ONLY_REVERSE = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    AuditHead = apps.get_model("core", "AuditHead")
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="core.worker_heartbeat",
        defaults={
            "func": "democracy.core.tasks.worker_heartbeat",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
        },
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_APPEND_ONLY, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_APPEND_ONLY_REVERSE, params=None)
    apps.get_model("django_q", "Schedule").objects.filter(name="core.worker_heartbeat").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
