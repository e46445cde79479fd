"""Make an encrypted test vector from a plaintext one (kept for review, run by hand).

    DEBUG=1 .venv/bin/python tests/youth_vote/vectors/make_vector.py plain.json out.json

``plain.json`` is an export whose ballots are ``[district, candidate key or null]``. The
ballots are encrypted under a new 2-of-3 key with ``youth_vote/crypto.py``, the sums are
decrypted by trustees 1 and 3, and the fingerprint is recomputed; results, seed and trackers
stay as they are. ``youth_vote/verify.py`` must accept the output.
"""

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from youth_vote import crypto  # noqa: E402


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def main(source: str, target: str) -> None:
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    key, shares = crypto.key_deal(trustees=3, threshold=2)
    config = data["config"]
    config["format"] = "delta-youth-vote-config/2"
    config["encryption"] = key.as_config()
    fingerprint = hashlib.sha256(canonical(config)).hexdigest()
    options = {d["slug"]: [] for d in config["districts"]}
    for candidate in config["candidates"]:
        options[candidate["district"]].append(candidate["key"])
    ballots, stored = [], {slug: [] for slug in options}
    for district, choice in data["ballots"]:
        chosen = None if choice is None else options[district].index(choice)
        ciphertext = crypto.ballot_encrypt(
            key.public_key, options=len(options[district]), chosen=chosen
        )
        ballots.append([district, ciphertext.hex()])
        stored[district].append(ciphertext)
    trustees = [shares[0], shares[2]]
    districts = []
    for slug in sorted(options):
        sums = crypto.ballots_sum(stored[slug], len(options[slug]))
        rows = []
        for candidate_key, (c1, c2) in zip(options[slug], sums, strict=True):
            context = f"{fingerprint}:{slug}:{candidate_key}".encode()
            parts = [crypto.partial_decrypt(s, c1, context=context) for s in trustees]
            rows.append(
                {
                    "candidate": candidate_key,
                    "sum": [c1.hex(), c2.hex()],
                    "votes": crypto.discrete_log(crypto.combine(c2, parts), len(stored[slug])),
                    "partials": [
                        {
                            "trustee": p.trustee,
                            "share": p.share.hex(),
                            "proof": [p.proof[0].hex(), p.proof[1].hex()],
                        }
                        for p in parts
                    ],
                }
            )
        districts.append({"district": slug, "ballots": len(stored[slug]), "candidates": rows})
    data.update(
        format="delta-youth-vote-export/2",
        config=config,
        fingerprint=fingerprint,
        ballots=ballots,
        decryption={"trustees": [1, 3], "districts": districts},
    )
    Path(target).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
