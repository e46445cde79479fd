"""Background tasks of the youth vote."""

from django.db.models import Exists, OuterRef

from youth_vote import counting
from youth_vote.models import Ballot, Election


def ballot_sums_fold() -> int:
    """Every minute: add the newly cast ballots of every frozen election to its districts'
    running encrypted sums, so that closing needs only the decryption. Idempotent: each
    ballot is added once, whoever runs the fold and however often."""
    pending = Ballot.objects.filter(election=OuterRef("pk"), summed=False)
    folded = 0
    for election in Election.objects.filter(status=Election.Status.FROZEN).filter(Exists(pending)):
        while added := counting.ballot_sums_fold(election):
            folded += added
    return folded
