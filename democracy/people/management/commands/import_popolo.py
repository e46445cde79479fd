"""``manage.py import_popolo FILE``: load persons, organizations and memberships from Popolo."""

import sys

from django.core.management.base import BaseCommand, CommandError

from democracy.people.popolo import PopoloError, import_document, load_document


class Command(BaseCommand):
    help = (
        "Import a Popolo JSON document (persons, organizations incl. parties, memberships, "
        "contact details, legislative periods) as EveryPolitician publishes it. Idempotent: "
        "running it again with the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the Popolo JSON file ('-' reads standard input).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change, change nothing."
        )
        parser.add_argument(
            "--consent-source",
            default="",
            help=(
                "Publish the imported contact details, recording this text as how consent was "
                "given. Without it they are stored unpublished."
            ),
        )

    def handle(self, *args, file, dry_run, consent_source, **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as handle:
                    raw = handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            data = load_document(raw)
            report = import_document(data, consent_source=consent_source, dry_run=dry_run)
        except PopoloError as error:
            raise CommandError(f"Nothing imported. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        for warning in report.warnings[:50]:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        if len(report.warnings) > 50:
            self.stdout.write(f"  … and {len(report.warnings) - 50} more warnings.")
        if dry_run:
            self.stdout.write(self.style.NOTICE("Dry run: nothing was saved."))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS("Import done."))
        else:
            self.stdout.write(self.style.SUCCESS("Nothing to change: the data is up to date."))
