"""Independent check of a published youth-council election export.

Deliberately separate from the code that produced the result: it uses only the standard
library, libsodium's group operations (through PyNaCl) and the export file. It recomputes the
configuration fingerprint, checks that every ballot is made of group elements, adds the
encrypted ballots per district and candidate itself, checks each trustee's partial
decryption of those sums against the trustee's public verification key (a Chaum–Pedersen
proof bound to the fingerprint), combines them, checks that the result is the published
number of votes, and recomputes the ranking. It lists every difference. Anyone can run it
without Delta (``pip install pynacl``):

    python youth_vote/verify.py export.json

or, inside Delta, ``manage.py youth_vote_verify export.json``. Exit status 0 means the
published result follows from the published ballots; 1 means it does not.
"""

import hashlib
import json
import sys

from nacl import bindings as sodium

# The group: the prime-order subgroup of edwards25519 (docs/voting-protocol.md).
L = 2**252 + 27742317777372353535851937790883648493
IDENTITY = b"\x01" + bytes(31)
PROTOCOL = "delta-youth-vote/1"


def _sha256_of_canonical(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _scalar(n: int) -> bytes:
    return (n % L).to_bytes(32, "little")


def _base(n: int) -> bytes:
    n %= L
    return IDENTITY if n == 0 else sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar(n))


def _mul(n: int, point: bytes) -> bytes:
    n %= L
    if n == 0 or point == IDENTITY:
        return IDENTITY
    return sodium.crypto_scalarmult_ed25519_noclamp(_scalar(n), point)


def _point(text, *, identity_allowed=False) -> bytes:
    data = bytes.fromhex(text)
    if identity_allowed and data == IDENTITY:
        return data
    if len(data) != 32 or not sodium.crypto_core_ed25519_is_valid_point(data):
        raise ValueError(f"{text[:16]}… is not an element of the group")
    return data


def _challenge(*parts: bytes) -> int:
    digest = hashlib.sha512()
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return int.from_bytes(digest.digest(), "little") % L


def _check_key(encryption) -> tuple[list[str], list[bytes]]:
    """The trustees' verification keys, after checking them against the commitments."""
    problems = []
    commitments = [_point(c) for c in encryption["commitments"]]
    keys = [_point(v) for v in encryption["verification_keys"]]
    if len(commitments) != int(encryption["threshold"]):
        problems.append("The number of key commitments does not match the threshold.")
    if commitments[0] != _point(encryption["public_key"]):
        problems.append("The public key is not the first key commitment.")
    for number, key in enumerate(keys, start=1):
        expected = IDENTITY
        for power, commitment in enumerate(commitments):
            expected = sodium.crypto_core_ed25519_add(expected, _mul(number**power, commitment))
        if expected != key:
            problems.append(f"Trustee {number}'s verification key does not match the commitments.")
    return problems, keys


def _lagrange(indices):
    weights = {}
    for i in indices:
        num, den = 1, 1
        for j in indices:
            if j != i:
                num, den = num * j % L, den * (j - i) % L
        weights[i] = num * pow(den, -1, L) % L
    return weights


def _check_sum(row, c1, c2, keys, threshold, context) -> list[str]:
    """Problems with one decrypted sum: its partial decryptions, their proofs, the votes."""
    problems = []
    partials = row["partials"]
    trustees = [int(p["trustee"]) for p in partials]
    if len(set(trustees)) != len(trustees) or len(trustees) < threshold:
        return [f"{threshold} different trustees must decrypt each sum."]
    mask = IDENTITY
    weights = _lagrange(trustees)
    for part in partials:
        number = int(part["trustee"])
        if not 1 <= number <= len(keys):
            return [f"Trustee {number} does not exist."]
        share = _point(part["share"], identity_allowed=True)
        if c1 == IDENTITY:
            if share != IDENTITY:
                problems.append(f"Trustee {number}'s decryption of an empty sum is not empty.")
        else:
            c, z = (int.from_bytes(bytes.fromhex(x), "little") for x in part["proof"])
            if c >= L or z >= L:
                problems.append(f"Trustee {number}'s proof is out of range.")
                continue
            vk = keys[number - 1]
            a = sodium.crypto_core_ed25519_sub(_base(z), _mul(c, vk))
            b = sodium.crypto_core_ed25519_sub(_mul(z, c1), _mul(c, share))
            tag = f"{PROTOCOL}/decryption".encode()
            if _challenge(tag, context, vk, c1, share, a, b) != c:
                problems.append(f"Trustee {number}'s decryption proof does not hold.")
        mask = sodium.crypto_core_ed25519_add(mask, _mul(weights[number], share))
    votes = row["votes"]
    if not isinstance(votes, int) or votes < 0:
        return problems + [f"{votes!r} is not a number of votes."]
    if sodium.crypto_core_ed25519_sub(c2, mask) != _base(votes):
        problems.append(f"The decrypted sum is not {votes} votes.")
    return problems


def _expected_district(config, district, votes, ballots, seed):
    names = [c for c in config["candidates"] if c["district"] == district["slug"]]

    def order(c):
        lot = hashlib.sha256((seed + ":" + c["key"]).encode("utf-8")).hexdigest()
        return (-votes.get(c["key"], 0), lot)

    rows = []
    for place, c in enumerate(sorted(names, key=order), start=1):
        n = votes.get(c["key"], 0)
        outcome, sub = "not_elected", None
        if n > 0 and place <= district["members"]:
            outcome = "member"
        elif n > 0 and place <= district["members"] + district["substitutes"]:
            outcome, sub = "substitute", place - district["members"]
        rows.append(
            {
                "key": c["key"],
                "votes": n,
                "rank": place,
                "outcome": outcome,
                "substitute_order": sub,
            }
        )
    return {
        "district": district["slug"],
        "ballots": ballots,
        "blank": ballots - sum(votes.values()),
        "candidates": rows,
    }


def verify(export: dict) -> list[str]:
    """Every problem found in ``export``; an empty list means it checks out.

    A file that is not shaped like an export at all is one problem, not a crash.
    """
    try:
        return _verify(export)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        return [f"The export is malformed: {type(exc).__name__}: {exc}"]


def _verify(export: dict) -> list[str]:  # noqa: C901 - the verifier follows docs/voting-protocol.md step by step
    problems = []
    try:
        config = export["config"]
        ballots = export["ballots"]
        trackers = export["trackers"]
        results = export["results"]
        seed = export["tie_seed"]
        decryption = export["decryption"]
        encryption = config["encryption"]
    except (KeyError, TypeError) as exc:
        return [f"The export lacks a required part: {exc}"]

    fingerprint = _sha256_of_canonical(config)
    if fingerprint != export.get("fingerprint"):
        problems.append("The configuration does not match the published fingerprint.")
    key_problems, keys = _check_key(encryption)
    problems += key_problems
    threshold = int(encryption["threshold"])

    districts = {d["slug"]: d for d in config.get("districts", [])}
    options = {slug: [] for slug in districts}
    for c in config.get("candidates", []):
        options[c["district"]].append(c["key"])
    sums = {slug: [[IDENTITY, IDENTITY] for _ in options[slug]] for slug in districts}
    counts = dict.fromkeys(districts, 0)
    for number, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, list) or len(ballot) != 2 or not isinstance(ballot[1], str):
            problems.append(f"Ballot {number} is malformed.")
            continue
        district, ciphertext = ballot
        if district not in districts:
            problems.append(f"Ballot {number} names an unknown district {district!r}.")
            continue
        if len(ciphertext) != 128 * len(options[district]):
            problems.append(f"Ballot {number} does not have one ciphertext per candidate.")
            continue
        try:
            parts = [_point(ciphertext[i : i + 64]) for i in range(0, len(ciphertext), 64)]
        except ValueError as exc:
            problems.append(f"Ballot {number}: {exc}.")
            continue
        counts[district] += 1
        for position, pair in enumerate(sums[district]):
            pair[0] = sodium.crypto_core_ed25519_add(pair[0], parts[2 * position])
            pair[1] = sodium.crypto_core_ed25519_add(pair[1], parts[2 * position + 1])

    if len(trackers) != len(ballots):
        problems.append(f"{len(trackers)} trackers are published for {len(ballots)} ballots.")
    if len(set(trackers)) != len(trackers):
        problems.append("Some trackers are published more than once.")

    decrypted = {d.get("district"): d for d in decryption.get("districts", [])}
    published = {d.get("district"): d for d in results.get("districts", [])}
    for slug in sorted(districts):
        record = decrypted.get(slug)
        if record is None:
            problems.append(f"No decryption is published for district {slug}.")
            continue
        rows = record.get("candidates", [])
        if [r.get("candidate") for r in rows] != options[slug]:
            problems.append(f"District {slug}: the decrypted sums are not its candidates.")
            continue
        if record.get("ballots") != counts[slug]:
            problems.append(
                f"District {slug}: {record.get('ballots')} ballots decrypted, "
                f"{counts[slug]} published."
            )
        votes = {}
        for row, (c1, c2) in zip(rows, sums[slug], strict=True):
            if [c1.hex(), c2.hex()] != row.get("sum"):
                problems.append(
                    f"District {slug}, candidate {row['candidate']}: the published sum is not "
                    "the sum of the published ballots."
                )
            context = f"{fingerprint}:{slug}:{row['candidate']}".encode()
            for problem in _check_sum(row, c1, c2, keys, threshold, context):
                problems.append(f"District {slug}, candidate {row['candidate']}: {problem}")
            votes[row["candidate"]] = row["votes"]
        if sum(votes.values()) > counts[slug]:
            problems.append(f"District {slug}: more votes than ballots.")
        expected = _expected_district(config, districts[slug], votes, counts[slug], seed)
        got = published.get(slug)
        if got is None:
            problems.append(f"No published result for district {slug}.")
            continue
        for part in ("ballots", "blank"):
            if got.get(part) != expected[part]:
                problems.append(
                    f"District {slug}: published {part} {got.get(part)}, recomputed {expected[part]}."
                )
        got_rows = {row.get("key"): row for row in got.get("candidates", [])}
        if set(got_rows) != {row["key"] for row in expected["candidates"]}:
            problems.append(
                f"District {slug}: the published candidates differ from the configuration."
            )
        for row in expected["candidates"]:
            mine = got_rows.get(row["key"], {})
            for part in ("votes", "rank", "outcome", "substitute_order"):
                if mine.get(part) != row[part]:
                    problems.append(
                        f"District {slug}, candidate {row['key']}: published {part} "
                        f"{mine.get(part)!r}, recomputed {row[part]!r}."
                    )
    for slug in set(published) - set(districts):
        problems.append(f"A result is published for the unknown district {slug!r}.")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: verify.py export.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        problems = verify(json.load(handle))
    for problem in problems:
        print(problem)
    print(
        "OK: the result follows from the ballots."
        if not problems
        else f"FAILED: {len(problems)} problem(s)."
    )
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
