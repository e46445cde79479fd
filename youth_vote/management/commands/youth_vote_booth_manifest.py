"""Write, or check, the release manifest of the booth's static files."""

import json
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from youth_vote import integrity


class Command(BaseCommand):
    help = (
        "Check that the booth's files match the committed release manifest "
        "(--check-url checks what a running site serves); --write records the current files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Write the manifest from the source files.")
        parser.add_argument("--check-url", metavar="URL", help="Base URL of a running site to check.")

    def handle(self, *args, write, check_url, **options):
        if write:
            integrity.MANIFEST_PATH.write_text(
                json.dumps(integrity.compute_manifest(), indent=2) + "\n", encoding="utf-8"
            )
            integrity.release_manifest.cache_clear()
            self.stdout.write(f"Wrote {integrity.MANIFEST_PATH}.")
            return
        if check_url:
            base = check_url.rstrip("/")
            if not base.startswith(("http://", "https://")):
                raise CommandError("--check-url needs an http:// or https:// address.")

            def fetch(path):
                with urllib.request.urlopen(base + path, timeout=20) as response:  # noqa: S310
                    return response.read()

            problems = integrity.check_served(fetch)
            where = base
        else:
            expected = integrity.release_manifest()["files"]
            actual = integrity.compute_manifest()["files"]
            problems = [
                f"{path}: source differs from the release manifest"
                for path in sorted(set(expected) | set(actual))
                if expected.get(path) != actual.get(path)
            ]
            where = "the source tree"
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Booth files in {where} do NOT match the release manifest.")
        self.stdout.write(self.style.SUCCESS(f"Booth files in {where} match the release manifest."))
