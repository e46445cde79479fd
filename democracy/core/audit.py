"""The hash chain behind the audit log: how a row is hashed and how the chain is checked.

Writing goes through ``democracy.core.services.audit_log``; this module holds the pure parts
so that ``manage.py audit_verify`` and the service compute hashes the same way.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def normalise_data(data: dict | None) -> dict:
    """Return ``data`` as it will read back from a JSON column (dates become ISO strings)."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True))


def entry_hash(
    *,
    seq: int,
    created_at,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    target_label: str,
    reason: str,
    data: dict,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "created_at": created_at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "reason": reason,
        "data": data,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def audit_key() -> bytes:
    """The key of the seals: AUDIT_KEY, or one derived from SECRET_KEY. Either lives in the
    environment, never in the database."""
    if settings.AUDIT_KEY:
        return settings.AUDIT_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"delta-audit-seal", hashlib.sha256).digest()


def entry_seal(entry_hash_value: str, *, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), entry_hash_value.encode(), hashlib.sha256).hexdigest()


def head_seal(seq: int, head_hash: str, *, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), f"head:{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def hash_of(entry) -> str:
    """Recompute the hash of a stored ``AuditEntry``."""
    return entry_hash(
        seq=entry.seq,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        target_label=entry.target_label,
        reason=entry.reason,
        data=entry.data,
        prev_hash=entry.prev_hash,
    )


@dataclass
class ChainReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    entries,
    *,
    head_seq: int,
    head_hash: str,
    head_seal_value: str | None = None,
    key: bytes | None = None,
    checkpoints: dict[int, str] | None = None,
) -> ChainReport:
    """Walk ``entries`` (in ``seq`` order) and report every break in the chain.

    A changed row fails its own hash; a removed row leaves a gap in ``seq`` and a ``prev_hash``
    that points at nothing; rows removed from the end leave the head pointing past the last row.
    With ``key`` (the audit key), each row's seal and the head's seal are checked too: a row
    appended, or a chain rebuilt, by someone who could write the database but had no key has no
    valid seal. ``checkpoints`` (sequence number: hash, recorded outside the database, such as
    the daily checkpoint mailed to the registrar) must all still be in the chain: a log emptied
    and restarted, seals and all, cannot contain them.
    """
    report = ChainReport(head_seq=head_seq, head_hash=head_hash)
    expected_seq = 1
    prev_hash = GENESIS_HASH
    remaining = dict(checkpoints or {})
    for entry in entries:
        report.checked += 1
        if entry.seq != expected_seq:
            report.problems.append(
                f"Entry #{entry.seq}: expected sequence number {expected_seq}; "
                f"{entry.seq - expected_seq} entr(y/ies) missing before it."
            )
        if entry.prev_hash != prev_hash:
            report.problems.append(
                f"Entry #{entry.seq}: previous-hash link does not match the entry before it."
            )
        recomputed = hash_of(entry)
        if recomputed != entry.hash:
            report.problems.append(f"Entry #{entry.seq}: contents changed (hash mismatch).")
        if key is not None and not hmac.compare_digest(
            entry.seal or "", entry_seal(entry.hash, key=key)
        ):
            report.problems.append(
                f"Entry #{entry.seq}: no valid seal (written without the audit key)."
            )
        if entry.seq in remaining:
            if remaining.pop(entry.seq) != entry.hash:
                report.problems.append(
                    f"Entry #{entry.seq}: differs from the checkpoint recorded outside the database."
                )
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev_hash != head_hash:
        report.problems.append(
            f"The chain ends at #{last_seq} but the recorded head is #{head_seq}: "
            "entries were removed from the end or the head was altered."
        )
    if key is not None and not hmac.compare_digest(
        head_seal_value or "", head_seal(head_seq, head_hash, key=key)
    ):
        report.problems.append("The head has no valid seal (changed without the audit key).")
    for seq in sorted(remaining):
        report.problems.append(
            f"Checkpoint #{seq} recorded outside the database is not in the log: "
            "the log was emptied or cut short and started again."
        )
    return report


def checkpoint_line(*, seq: int, head_hash: str, at) -> str:
    """One checkpoint as it is mailed and written: time, sequence number, hash, seal."""
    return f"{at.isoformat(timespec='seconds')} {seq} {head_hash} {head_seal(seq, head_hash)}"


def read_checkpoints(text: str) -> dict[int, str]:
    """The ``seq: hash`` pairs of checkpoint lines (other lines are ignored)."""
    found = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1].isdigit() and len(parts[2]) == 64:
            found[int(parts[1])] = parts[2].lower()
    return found
