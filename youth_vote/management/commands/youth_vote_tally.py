from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from youth_vote.models import Election
from youth_vote.services import election_tally


class Command(BaseCommand):
    help = "Count the ballots of a closed election (once); ties are broken by a recorded lot."

    def add_arguments(self, parser):
        parser.add_argument("election", help="The election's address name (slug).")

    def handle(self, *args, election, **options):
        try:
            election_obj = Election.objects.get(slug=election)
        except Election.DoesNotExist as exc:
            raise CommandError(f"No election with the slug {election!r}.") from exc
        try:
            counted = election_tally(election=election_obj, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        election_obj.refresh_from_db()
        self.stdout.write(f"Seed of the lot: {election_obj.tie_seed}")
        for district in counted:
            self.stdout.write(
                f"{district.district.name}: {district.ballots} ballots, {district.blank} blank"
            )
            for entry in district.ranked:
                outcome = entry.outcome.replace("_", " ")
                self.stdout.write(f"  {entry.rank:>3}. {entry.candidate.name}: {entry.votes} ({outcome})")
        self.stdout.write(self.style.SUCCESS("Counted. Publish the result when it is checked."))
