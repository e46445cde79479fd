"""The hash chain behind the audit log: how a row is hashed and how the chain is checked.

Writing goes through ``democracy.core.services.audit_log``; this module holds the pure parts
so that ``manage.py audit_verify`` and the service compute hashes the same way.
"""

import hashlib
import json
from dataclasses import dataclass, field

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


def verify_chain(entries, *, head_seq: int, head_hash: str) -> ChainReport:
    """Walk ``entries`` (in ``seq`` order) and report every break in the chain.

    A changed row fails its own hash; a removed row leaves a gap in ``seq`` and a ``prev_hash``
    that points at nothing; rows removed from the end leave the head pointing past the last row.
    """
    report = ChainReport(head_seq=head_seq, head_hash=head_hash)
    expected_seq = 1
    prev_hash = GENESIS_HASH
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
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev_hash != head_hash:
        report.problems.append(
            f"The chain ends at #{last_seq} but the recorded head is #{head_seq}: "
            "entries were removed from the end or the head was altered."
        )
    return report
