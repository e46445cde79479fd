from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from democracy.core.audit import audit_key, read_checkpoints, verify_chain
from democracy.core.models import AuditEntry
from democracy.core.services import audit_head


class Command(BaseCommand):
    help = (
        "Check the audit log: the hash chain, every entry's seal (with AUDIT_KEY) and the "
        "checkpoints recorded outside the database; exits non-zero if anything was changed, "
        "removed, forged or started again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="An audit head recorded elsewhere (the daily checkpoint mail); repeatable.",
        )
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="A file of checkpoints as the daily task writes it (AUDIT_CHECKPOINT_FILE).",
        )

    def handle(self, *args, checkpoint, checkpoints, **options):
        recorded = {}
        try:
            for text in checkpoint:
                seq, _, value = text.partition(":")
                recorded[int(seq)] = value.strip().lower()
            if checkpoints:
                recorded.update(read_checkpoints(Path(checkpoints).read_text()))
        except (ValueError, OSError) as error:
            raise CommandError(f"Cannot read the checkpoints: {error}") from error
        head = audit_head()
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
        report = verify_chain(
            entries,
            head_seq=head.seq,
            head_hash=head.hash,
            head_seal_value=head.seal,
            key=audit_key(),
            checkpoints=recorded,
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Audit log is NOT intact: {len(report.problems)} problem(s) "
                f"in {report.checked} entries."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.checked} entries, head #{report.head_seq} "
                f"{report.head_hash}; every seal valid; {len(recorded)} checkpoint(s) found."
            )
        )
