"""Personal data the election holds about accounts: school contact persons only.

Students have no accounts: their roll entries are destroyed by ``youth_vote_purge`` after
certification, and ballots never hold personal data.
"""

from youth_vote.models import School, VotingSession


def export_user_data(user) -> dict:
    return {
        "contact_person_for": [
            {"election": school.election.name, "school": school.name}
            for school in School.objects.filter(contacts=user).select_related("election")
        ],
        "sessions_opened": VotingSession.objects.filter(opened_by=user).count(),
    }


def forget_user(user) -> None:
    for school in School.objects.filter(contacts=user):
        school.contacts.remove(user)
    VotingSession.objects.filter(opened_by=user).update(opened_by=None)
