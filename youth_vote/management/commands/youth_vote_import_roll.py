from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from youth_vote.models import Election, School
from youth_vote.services import ROLL_COLUMNS, roll_import


class Command(BaseCommand):
    help = (
        "Import a school's voter roll from CSV (columns: " + ", ".join(ROLL_COLUMNS) + "). "
        "Prints the rows that were not added and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("election", help="The election's address name (slug).")
        parser.add_argument("school", help="The school's address name (slug).")
        parser.add_argument("csv_file", help="Path to the CSV file.")

    def handle(self, *args, election, school, csv_file, **options):
        try:
            election_obj = Election.objects.get(slug=election)
        except Election.DoesNotExist as exc:
            raise CommandError(f"No election with the slug {election!r}.") from exc
        try:
            school_obj = School.objects.get(election=election_obj, slug=school)
        except School.DoesNotExist as exc:
            raise CommandError(f"No school {school!r} in {election!r}.") from exc
        path = Path(csv_file)
        if not path.is_file():
            raise CommandError(f"No such file: {csv_file}")
        try:
            report = roll_import(
                election=election_obj, school=school_obj, data=path.read_bytes(), actor=None
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{report.accepted} student(s) added to {school_obj.name}.")
        for line, reason in report.rejected:
            self.stdout.write(f"  line {line}: {reason}")
        if report.rejected:
            self.stdout.write(self.style.WARNING(f"{len(report.rejected)} row(s) not added."))
