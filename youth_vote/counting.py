"""The election key and the count: trustees' key sheets in, decrypted sums out.

At the freeze ``key_create`` deals a new ElGamal key into ``election.trustees`` shares, any
``election.trustee_threshold`` of which can decrypt (``youth_vote/crypto.py``). Only the
public key and the Feldman commitments go into the frozen configuration (and so into the
fingerprint); the shares are printed once as key sheets, one per trustee, and neither the
database nor any log ever holds them. Until voting opens, lost sheets can be replaced by a
new key (``election_rekey``).

While voting runs, the worker adds the new ballots' ciphertexts to each district's running
sum every minute (``ballot_sums_fold``; adding needs no key). At the count, the trustees
present enter their sheets; each is checked against its public verification key. The last
ballots are added, and only these sums are decrypted, each with a Chaum–Pedersen proof per trustee, so that
``youth_vote_verify`` can check the result from the export without any secret.
"""

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from democracy.core.services import audit_log
from youth_vote import casting, codes, crypto, tally
from youth_vote.models import (
    Ballot,
    BallotSum,
    Candidate,
    CandidateResult,
    DistrictResult,
    Election,
    Participation,
    SchoolTurnout,
    Voter,
)
from youth_vote.transitions import election_transition

MAX_TRUSTEES = 9
FOLD_BATCH = 5000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeySheet:
    """What one trustee's printed sheet says."""

    number: int
    of: int
    threshold: int
    code: str


def trustee_problems(trustees: int, threshold: int) -> list[str]:
    """What is wrong with a number of trustees and a threshold, in plain words."""
    if not 2 <= threshold <= trustees <= MAX_TRUSTEES:
        return [
            _(
                "Choose between 2 and %(max)d trustees, and how many of them (at least 2) are "
                "needed to count."
            )
            % {"max": MAX_TRUSTEES}
        ]
    return []


def key_create(election: Election) -> tuple[dict, list[KeySheet]]:
    """A new key for ``election``: its public part for the configuration, and the sheets."""
    key, shares = crypto.key_deal(trustees=election.trustees, threshold=election.trustee_threshold)
    sheets = [
        KeySheet(
            number=share.index,
            of=election.trustees,
            threshold=election.trustee_threshold,
            code=codes.share_format(share.secret),
        )
        for share in shares
    ]
    return key.as_config(), sheets


@transaction.atomic
def election_rekey(*, election: Election, actor) -> tuple[Election, list[KeySheet]]:
    """Replace the key and all sheets of a frozen election that has not opened yet."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.FROZEN or election.phase != Election.Phase.UPCOMING:
        raise ValidationError(_("New key sheets can be made only before voting opens."))
    if Participation.objects.filter(election=election).exists():  # pragma: no cover
        raise ValidationError(_("New key sheets can be made only before voting opens."))
    config = dict(election.config)
    config["encryption"], sheets = key_create(election)
    election.config = config
    election.fingerprint = codes.sha256_hex(codes.canonical_json(config))
    election.save(update_fields=["config", "fingerprint"])
    audit_log(
        actor=actor,
        action="youth_vote.election.rekey",
        target=election,
        data={"fingerprint": election.fingerprint},
    )
    return election, sheets


def shares_check(election: Election, entered: dict[int, str]) -> list[crypto.TrusteeShare]:
    """The trustees' shares from ``{sheet number: typed code}``, each checked.

    Raises ``ValidationError`` with a dict of messages per sheet number (and ``None`` for
    the whole form) when a code is not one, is not that sheet's, or too few were entered.
    """
    key = crypto.ElectionKey.from_config(election.config["encryption"])
    errors: dict = {}
    shares = []
    for number, text in sorted(entered.items()):
        if not (text or "").strip():
            continue
        secret = codes.share_parse(text)
        if secret is None:
            errors[number] = _(
                "This is not a key code: it has 52 letters and digits. Check it against the sheet."
            )
            continue
        share = crypto.TrusteeShare(index=number, secret=secret)
        if not crypto.share_matches(key, share):
            errors[number] = _(
                "This code does not belong to key sheet %(number)d. Check every group of four "
                "against the sheet."
            ) % {"number": number}
            continue
        shares.append(share)
    if errors:
        raise ValidationError(errors)
    if len(shares) < key.threshold:
        raise ValidationError(
            {
                None: ngettext(
                    "Enter the codes of %(count)d key sheet to count the votes.",
                    "Enter the codes of %(count)d key sheets to count the votes.",
                    key.threshold,
                )
                % {"count": key.threshold}
            }
        )
    return shares[: key.threshold]


def proof_context(election: Election, district_slug: str, candidate_key: str) -> bytes:
    """What each decryption proof is bound to: the election's fingerprint and the sum."""
    return f"{election.fingerprint}:{district_slug}:{candidate_key}".encode()


# --- Running sums ---------------------------------------------------------------------------


def ballot_sums_fold(election: Election, *, limit: int | None = 20_000) -> int:
    """Add ballots not yet summed to their district's running sum; returns how many.

    One transaction: the election's sum rows are locked before the new ballots are read, so
    a fold running at the same time (the worker's and the count's) waits and then sees these
    ballots as summed; each ballot is added exactly once. Ballots cast meanwhile wait for the
    next fold. ``limit`` bounds one fold's work (``None``: all).
    """
    layout = casting.ballot_layout(election)
    with transaction.atomic():
        BallotSum.objects.bulk_create(
            [BallotSum(election=election, district_id=pk) for pk in layout.options],
            ignore_conflicts=True,
        )
        running = {
            s.district_id: s
            for s in BallotSum.objects.select_for_update().filter(election=election)
        }
        pending = (
            Ballot.objects.filter(election=election, summed=False)
            .order_by()
            .values_list("pk", "district_id", "ciphertext")
        )
        if limit is not None:
            pending = pending[:limit]
        ids = []
        new = defaultdict(list)
        for pk, district_id, ciphertext in pending.iterator(chunk_size=FOLD_BATCH):
            ids.append(pk)
            new[district_id].append(bytes(ciphertext))
        for district_id, ciphertexts in new.items():
            total = running[district_id]
            before = [bytes(total.sums)] if total.ballots else []
            sums = crypto.ballots_sum(before + ciphertexts, len(layout.options[district_id]))
            total.sums = crypto.ciphertexts_join(sums)
            total.ballots += len(ciphertexts)
            total.save(update_fields=["sums", "ballots", "updated_at"])
        for at in range(0, len(ids), FOLD_BATCH):
            Ballot.objects.filter(pk__in=ids[at : at + FOLD_BATCH]).update(summed=True)
    return len(ids)


def _ballot_sums_final(election: Election) -> dict[int, BallotSum]:
    """Every ballot added: the sums to decrypt, by district id.

    The sums are checked against the ballots stored; should they ever differ (a ballot
    removed or written outside the booth), the sums are made again from every ballot rather
    than decrypting a wrong total.
    """
    ballot_sums_fold(election, limit=None)
    running = {s.district_id: s for s in BallotSum.objects.filter(election=election)}
    stored = dict(
        Ballot.objects.filter(election=election)
        .order_by()
        .values_list("district_id")
        .annotate(n=Count("*"))
    )
    if any(running[pk].ballots != stored.get(pk, 0) for pk in running):
        logger.warning("The running sums of election %s differ from its ballots.", election.pk)
        with transaction.atomic():
            BallotSum.objects.filter(election=election).update(ballots=0, sums=b"")
            Ballot.objects.filter(election=election).update(summed=False)
            ballot_sums_fold(election, limit=None)
        running = {s.district_id: s for s in BallotSum.objects.filter(election=election)}
    return running


def decrypt_sums(election: Election, shares: list[crypto.TrusteeShare]) -> dict:
    """Decrypt each district's sums per candidate with ``shares``, after adding the last
    ballots. Returns the decryption record kept on the election and published in the export.
    """
    config = election.config
    key = crypto.ElectionKey.from_config(config["encryption"])
    running = _ballot_sums_final(election)
    districts = []
    for district in election.districts.order_by("slug"):
        options = [c["key"] for c in config["candidates"] if c["district"] == district.slug]
        total = running.get(district.pk)
        ballots = total.ballots if total else 0
        if ballots:
            sums = crypto.ballot_split(bytes(total.sums), len(options))
        else:
            sums = crypto.ballots_sum([], len(options))
        rows = []
        for candidate_key, (c1, c2) in zip(options, sums, strict=True):
            context = proof_context(election, district.slug, candidate_key)
            parts = [crypto.partial_decrypt(s, c1, context=context) for s in shares]
            for part in parts:  # a share that decrypts wrongly must never count
                vk = key.verification_keys[part.trustee - 1]
                if c1 != crypto.IDENTITY and not crypto.partial_valid(
                    part, vk, c1, context=context
                ):
                    raise RuntimeError("A partial decryption failed its own proof.")
            votes = crypto.discrete_log(crypto.combine(c2, parts), ballots)
            rows.append(
                {
                    "candidate": candidate_key,
                    "sum": [c1.hex(), c2.hex()],
                    "votes": votes,
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
        if sum(r["votes"] for r in rows) > ballots:
            raise RuntimeError("The decrypted sums exceed the number of ballots.")
        districts.append({"district": district.slug, "ballots": ballots, "candidates": rows})
    return {"trustees": [s.index for s in shares], "districts": districts}


@transaction.atomic
def election_tally(
    *, election: Election, actor, shares: list[crypto.TrusteeShare]
) -> list[tally.DistrictCount]:
    """Count once voting has closed: decrypt the sums with the trustees' shares, then rank.

    Ties are broken by a seeded lot drawn now and recorded.
    """
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.phase != Election.Phase.CLOSED:
        raise ValidationError(_("The votes can be counted once, after voting has closed."))
    key = crypto.ElectionKey.from_config(election.config["encryption"])
    if len({s.index for s in shares}) < key.threshold or not all(
        crypto.share_matches(key, s) for s in shares
    ):
        raise ValidationError(_("The key sheets entered do not open this election's key."))
    decryption = decrypt_sums(election, shares[: key.threshold])
    candidates = {
        str(c.key): c
        for c in Candidate.objects.filter(election=election, status=Candidate.Status.APPROVED)
    }
    seed = secrets.token_hex(16)
    counted = []
    by_slug = {d.slug: d for d in election.districts.all()}
    for record in decryption["districts"]:
        district = by_slug[record["district"]]
        votes = {
            (district.pk, candidates[row["candidate"]].pk): row["votes"]
            for row in record["candidates"]
        }
        votes[(district.pk, None)] = record["ballots"] - sum(
            r["votes"] for r in record["candidates"]
        )
        counted.append(
            tally.rank_district(
                district=district,
                candidates=[candidates[row["candidate"]] for row in record["candidates"]],
                counts=votes,
                seed=seed,
            )
        )
    _results_store(election, counted)
    election.tie_seed = seed
    election.tallied_at = timezone_now()
    election.decryption = decryption
    election_transition(
        election=election,
        to=Election.Status.TALLIED,
        actor=actor,
        action="youth_vote.election.tally",
        data={
            "tie_seed": seed,
            "ballots": sum(d.ballots for d in counted),
            "trustees": decryption["trustees"],
        },
    )
    election.save(update_fields=["tie_seed", "tallied_at", "status", "decryption"])
    return counted


def _results_store(election: Election, counted: list[tally.DistrictCount]) -> None:
    eligible = dict(
        Voter.objects.filter(election=election)
        .order_by()
        .values_list("district_id")
        .annotate(n=Count("*"))
    )
    results = []
    for district_count in counted:
        DistrictResult.objects.update_or_create(
            district=district_count.district,
            defaults={
                "ballots": district_count.ballots,
                "blank": district_count.blank,
                "eligible": eligible.get(district_count.district.pk, 0),
            },
        )
        for entry in district_count.ranked:
            results.append(
                CandidateResult(
                    candidate=entry.candidate,
                    votes=entry.votes,
                    rank=entry.rank,
                    lot=entry.lot,
                    outcome=entry.outcome,
                    substitute_order=entry.substitute_order,
                )
            )
    CandidateResult.objects.filter(candidate__election=election).delete()
    CandidateResult.objects.bulk_create(results)
    turnout = (
        Voter.objects.filter(election=election)
        .order_by()
        .values("school_class__school_id")
        .annotate(eligible=Count("id"), voted=Count("participation"))
    )
    for row in turnout:
        SchoolTurnout.objects.update_or_create(
            school_id=row["school_class__school_id"],
            defaults={"eligible": row["eligible"], "voted": row["voted"]},
        )
