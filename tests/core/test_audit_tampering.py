"""The seven ways to rewrite the audit log with write access to the database (issue 13), and
what finds each: the hash chain alone, the seals (HMAC with the audit key, which is not in the
database), or a checkpoint recorded outside the database.

| variant                     | chain | seals | checkpoint |
| update a row                |  yes  |  yes  |            |
| delete a row                |  yes  |       |            |
| append without moving head  |  yes  |  yes  |            |
| append and move the head    |  no   |  yes  |            |
| truncate and reset the head |  no   |  no*  |    yes     |
| reset the head              |  yes  |  yes  |            |
| sequence gap (renumber)     |  yes  |       |            |

* the seal of the empty log's head is the same forever, so someone who copied it earlier can
put it back; only a checkpoint taken after the rows existed shows the log was emptied.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from democracy.core import audit
from democracy.core.audit import GENESIS_HASH, entry_hash, hash_of
from democracy.core.models import AuditEntry, AuditHead
from democracy.core.services import audit_checkpoint_record, audit_log

pytestmark = pytest.mark.django_db


def _entries(actor, n=5):
    return [
        audit_log(actor=actor, action="proposal.publish", target=actor, reason=f"r{i}")
        for i in range(n)
    ]


def _raw(sql, params=()):
    """As the database's owner would, past the guards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_audithead DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_audithead ENABLE TRIGGER USER")


def _problems(*, key=True, checkpoints=None) -> list[str]:
    head = AuditHead.objects.get(pk=1)
    report = audit.verify_chain(
        AuditEntry.objects.order_by("seq"),
        head_seq=head.seq,
        head_hash=head.hash,
        head_seal_value=head.seal,
        key=audit.audit_key() if key else None,
        checkpoints=checkpoints,
    )
    return report.problems


def _forged_append(*, move_head: bool, seal: str = ""):
    """A row "proposal.publish by admin" computed exactly as the application computes it, but
    without the key."""
    last = AuditEntry.objects.order_by("-seq").first()
    values = dict(
        seq=last.seq + 1, created_at=last.created_at, actor_id=1, actor_label="admin@example.org",
        action="proposal.publish", target_type="proposals.proposal", target_id="1",
        target_label="Förfalskat", reason="", data={}, prev_hash=last.hash,
    )
    forged = entry_hash(**values)
    _raw(
        "INSERT INTO core_auditentry (seq, created_at, actor_id, actor_label, action, "
        "target_type, target_id, target_label, reason, data, prev_hash, hash, seal) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [values["seq"], values["created_at"], 1, values["actor_label"], values["action"],
         values["target_type"], "1", values["target_label"], "", "{}", last.hash, forged, seal],
    )
    if move_head:
        _raw("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [values["seq"], forged])


def test_an_intact_log_passes_every_check(make_user, capsys):
    _entries(make_user())
    assert _problems() == []
    call_command("audit_verify")
    assert "every seal valid" in capsys.readouterr().out


def test_updating_a_row_is_found_by_the_chain_and_the_seal(make_user):
    entries = _entries(make_user())
    _raw("UPDATE core_auditentry SET reason = 'x' WHERE seq = %s", [entries[1].seq])
    assert any("contents changed" in p for p in _problems(key=False))
    # Recomputing the row's hash (as the owner can) still leaves it without a valid seal.
    row = AuditEntry.objects.get(seq=entries[1].seq)
    _raw("UPDATE core_auditentry SET hash = %s WHERE seq = %s", [hash_of(row), row.seq])
    assert any("no valid seal" in p for p in _problems())


def test_deleting_a_row_is_found_by_the_chain(make_user):
    entries = _entries(make_user())
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [entries[2].seq])
    assert any("missing before it" in p for p in _problems(key=False))


def test_appending_without_moving_the_head_is_found_by_the_chain(make_user):
    _entries(make_user())
    _forged_append(move_head=False)
    assert any("recorded head" in p for p in _problems(key=False))


def test_appending_and_moving_the_head_passes_the_chain_but_not_the_seals(make_user):
    _entries(make_user())
    _forged_append(move_head=True)
    assert _problems(key=False) == []  # the unkeyed chain of before would call this intact
    problems = _problems()
    assert any("no valid seal" in p for p in problems)
    assert any("head has no valid seal" in p for p in problems)
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify")


def test_emptying_the_log_and_resetting_the_head_is_found_by_a_checkpoint(make_user, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.txt")
    settings.AUDIT_CHECKPOINT_EMAILS = ["registrator@example.org"]
    from django.core import mail

    _entries(make_user())
    line = audit_checkpoint_record()
    assert mail.outbox and line in mail.outbox[-1].body
    genesis_seal = audit.head_seal(0, GENESIS_HASH)  # what an earlier copy of the head held
    _raw("DELETE FROM core_auditentry")
    _raw("UPDATE core_audithead SET seq = 0, hash = %s, seal = %s WHERE id = 1", [GENESIS_HASH, genesis_seal])
    assert _problems() == []  # chain and seals alone cannot tell an emptied log from a new one
    call_command("audit_verify")
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify", checkpoints=settings.AUDIT_CHECKPOINT_FILE)
    seq, head_hash = line.split()[1:3]
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify", checkpoint=[f"{seq}:{head_hash}"])


def test_resetting_the_head_is_found_by_the_chain_and_the_seal(make_user):
    entries = _entries(make_user())
    _raw("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [entries[2].seq, entries[2].hash])
    assert any("recorded head" in p for p in _problems(key=False))
    assert any("head has no valid seal" in p for p in _problems())


def test_a_gap_in_the_sequence_is_found_by_the_chain(make_user):
    entries = _entries(make_user())
    _raw("UPDATE core_auditentry SET seq = seq + 10 WHERE seq = %s", [entries[-1].seq])
    _raw("UPDATE core_audithead SET seq = seq + 10 WHERE id = 1")
    assert any("missing before it" in p for p in _problems(key=False))


def test_a_wrong_key_finds_nothing_valid(make_user, settings):
    _entries(make_user(), 2)
    settings.AUDIT_KEY = "another key, outside the database"
    assert sum("no valid seal" in p for p in _problems()) == 3  # two rows and the head


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guards are PostgreSQL triggers")
def test_postgresql_refuses_truncating_the_log_and_removing_the_head(make_user):
    from django.db.utils import DatabaseError

    _entries(make_user(), 2)
    for statement in (
        "TRUNCATE core_auditentry",
        "DELETE FROM core_audithead",
        "TRUNCATE core_audithead",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL delta.audit_truncate = ''")
                cursor.execute(statement)
