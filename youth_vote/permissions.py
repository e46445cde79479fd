"""Who may do what in the youth-council election: pure predicates, no queries beyond need."""

from youth_vote.models import Election


def results_visible(election: Election) -> bool:
    """Nobody sees a result before it is counted and published: not staff, not anyone."""
    return election.status == Election.Status.PUBLISHED


def trackers_visible(election: Election) -> bool:
    return election.has_closed


def export_visible(election: Election) -> bool:
    return election.status == Election.Status.PUBLISHED


def can_freeze(election: Election) -> bool:
    return election.status == Election.Status.DRAFT


def can_extend(election: Election) -> bool:
    return election.status == Election.Status.FROZEN


def can_rekey(election: Election) -> bool:
    """Lost key sheets can be replaced by a new key until voting opens."""
    return election.status == Election.Status.FROZEN and election.phase == Election.Phase.UPCOMING


def can_tally(election: Election) -> bool:
    return election.phase == Election.Phase.CLOSED


def can_publish(election: Election) -> bool:
    return election.status == Election.Status.TALLIED


def can_add_to_council(election: Election) -> bool:
    return election.status == Election.Status.PUBLISHED and not election.members_added_at


def can_purge(election: Election) -> bool:
    return election.status == Election.Status.PUBLISHED and not election.purged_at
