import json

from django.core.management.base import BaseCommand, CommandError

from youth_vote import verify


class Command(BaseCommand):
    help = (
        "Recompute the result and the fingerprint of a published export, independently of the "
        "count. Exits with status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="Path to export.json.")

    def handle(self, *args, export, **options):
        try:
            with open(export, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {export}: {exc}") from exc
        problems = verify.verify(data)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"FAILED: {len(problems)} problem(s); the result does not check out.")
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {len(data['ballots'])} ballots give the published result; "
                "the fingerprint matches the configuration."
            )
        )
