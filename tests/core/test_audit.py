import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from democracy.core.audit import GENESIS_HASH
from democracy.core.models import AuditEntry, AuditHead
from democracy.core.services import audit_log

pytestmark = pytest.mark.django_db


def _write_entries(actor, n=5):
    return [
        audit_log(actor=actor, action="test.action", target=actor, reason=f"reason {i}", data={"i": i})
        for i in range(n)
    ]


def _tamper(sql, params=()):
    """Change the table behind the application's back, as someone with database access could.

    On PostgreSQL the append-only trigger has to be switched off first.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


def test_entries_are_chained_and_head_follows(make_user):
    actor = make_user()
    entries = _write_entries(actor, 3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (3, entries[2].hash)
    assert entries[0].actor_label == actor.email
    assert entries[0].target_type == "accounts.user"


def test_verify_passes_on_clean_log(make_user, capsys):
    _write_entries(make_user())
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


def test_verify_fails_after_a_row_is_edited(make_user):
    entries = _write_entries(make_user())
    _tamper("UPDATE core_auditentry SET reason = %s WHERE seq = %s", ["nothing to see", entries[2].seq])
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify")


def test_verify_fails_after_a_middle_row_is_removed(make_user):
    entries = _write_entries(make_user())
    _tamper("DELETE FROM core_auditentry WHERE seq = %s", [entries[1].seq])
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify")


def test_verify_fails_after_the_newest_row_is_removed(make_user):
    entries = _write_entries(make_user())
    _tamper("DELETE FROM core_auditentry WHERE seq = %s", [entries[-1].seq])
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify")


def test_verify_fails_when_a_row_and_its_hash_are_rewritten(make_user):
    """Recomputing the edited row's own hash still breaks the link from the next row."""
    from democracy.core.audit import hash_of

    entries = _write_entries(make_user())
    target = AuditEntry.objects.get(seq=entries[2].seq)
    target.reason = "rewritten"
    new_hash = hash_of(target)
    _tamper(
        "UPDATE core_auditentry SET reason = %s, hash = %s WHERE seq = %s",
        ["rewritten", new_hash, target.seq],
    )
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL")
def test_postgres_refuses_update_and_delete(make_user):
    from django.db.utils import DatabaseError

    entries = _write_entries(make_user(), 2)
    for statement in (
        "UPDATE core_auditentry SET reason = 'x' WHERE seq = %s",
        "DELETE FROM core_auditentry WHERE seq = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [entries[0].seq])
