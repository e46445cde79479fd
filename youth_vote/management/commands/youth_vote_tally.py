import argparse
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from youth_vote.counting import shares_check
from youth_vote.models import Election
from youth_vote.services import election_tally


class Command(BaseCommand):
    help = (
        "Count the votes of a closed election (once) with the trustees' key sheets; ties are "
        "broken by a recorded lot. Reads one key sheet per line from standard input: the "
        "sheet's number, a space, and its code."
    )

    def add_arguments(self, parser):
        parser.add_argument("election", help="The election's address name (slug).")
        parser.add_argument(
            "--sheets",
            type=argparse.FileType("r", encoding="utf-8"),
            default=None,
            help="Read the key sheets from this file instead of standard input.",
        )

    def handle(self, *args, election, sheets=None, **options):
        try:
            election_obj = Election.objects.get(slug=election)
        except Election.DoesNotExist as exc:
            raise CommandError(f"No election with the slug {election!r}.") from exc
        if not (election_obj.config or {}).get("encryption"):
            raise CommandError("The election is not frozen: there is nothing to count.")
        needed = election_obj.trustee_threshold
        source = sheets or sys.stdin
        interactive = sheets is None and sys.stdin.isatty()
        if interactive:
            self.stdout.write(
                f"Type {needed} key sheets, one per line: the sheet's number, a space, the code."
            )
        entered = {}
        for line in source:
            number, _space, code = line.strip().partition(" ")
            if not number:
                continue
            if not number.isdigit() or not 1 <= int(number) <= election_obj.trustees:
                raise CommandError(
                    f"{number!r} is not a key sheet number (1–{election_obj.trustees})."
                )
            entered[int(number)] = code
            if len(entered) >= needed and interactive:
                break
        try:
            shares = shares_check(election_obj, entered)
            counted = election_tally(election=election_obj, actor=None, shares=shares)
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
                self.stdout.write(
                    f"  {entry.rank:>3}. {entry.candidate.name}: {entry.votes} ({outcome})"
                )
        self.stdout.write(self.style.SUCCESS("Counted. Publish the result when it is checked."))
