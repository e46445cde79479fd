from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from youth_vote.models import Election
from youth_vote.services import election_purge


class Command(BaseCommand):
    help = (
        "After certification: destroy the voter roll, the code-to-student link and who voted. "
        "Ballots, trackers and results stay, so the count remains reproducible."
    )

    def add_arguments(self, parser):
        parser.add_argument("election", help="The election's address name (slug).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, election, yes, **options):
        try:
            election_obj = Election.objects.get(slug=election)
        except Election.DoesNotExist as exc:
            raise CommandError(f"No election with the slug {election!r}.") from exc
        if not yes:
            answer = input(f"Destroy the roll of {election_obj.name}? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes", "j", "ja"}:
                raise CommandError("Nothing was destroyed.")
        try:
            counts = election_purge(election=election_obj, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Destroyed: {voters} roll entries, {participations} participation marks, "
                "{sessions} sessions.".format(**counts)
            )
        )
