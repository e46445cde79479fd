"""Independent check of a published youth-council election export.

Deliberately separate from the code that produced the result: it uses only the standard
library and the export file, recomputes the configuration fingerprint and the whole count
from the published ballots, and lists every difference. Anyone can run it without Delta:

    python youth_vote/verify.py export.json

or, inside Delta, ``manage.py youth_vote_verify export.json``. Exit status 0 means the
published result follows from the published ballots; 1 means it does not.
"""

import hashlib
import json
import sys
from collections import Counter


def _sha256_of_canonical(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _expected_district(config, district, ballots_here, seed):
    votes = Counter(choice for choice in ballots_here)
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
        "ballots": len(ballots_here),
        "blank": votes.get(None, 0),
        "candidates": rows,
    }


def verify(export: dict) -> list[str]:
    """Every problem found in ``export``; an empty list means it checks out.

    A file that is not shaped like an export at all is one problem, not a crash.
    """
    try:
        return _verify(export)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        return [f"The export is malformed: {type(exc).__name__}: {exc}"]


def _verify(export: dict) -> list[str]:
    problems = []
    try:
        config = export["config"]
        ballots = export["ballots"]
        trackers = export["trackers"]
        results = export["results"]
        seed = export["tie_seed"]
    except (KeyError, TypeError) as exc:
        return [f"The export lacks a required part: {exc}"]

    if _sha256_of_canonical(config) != export.get("fingerprint"):
        problems.append("The configuration does not match the published fingerprint.")

    districts = {d["slug"]: d for d in config.get("districts", [])}
    candidate_district = {c["key"]: c["district"] for c in config.get("candidates", [])}
    per_district = {slug: [] for slug in districts}
    for number, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, list) or len(ballot) != 2:
            problems.append(f"Ballot {number} is malformed: {ballot!r}.")
            continue
        district, choice = ballot
        if district not in districts:
            problems.append(f"Ballot {number} names an unknown district {district!r}.")
            continue
        if choice is not None and candidate_district.get(choice) != district:
            problems.append(f"Ballot {number} chooses {choice!r}, not a candidate in {district}.")
            continue
        per_district[district].append(choice)

    if len(trackers) != len(ballots):
        problems.append(f"{len(trackers)} trackers are published for {len(ballots)} ballots.")
    if len(set(trackers)) != len(trackers):
        problems.append("Some trackers are published more than once.")

    published = {d.get("district"): d for d in results.get("districts", [])}
    for slug in sorted(districts):
        expected = _expected_district(config, districts[slug], per_district[slug], seed)
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
