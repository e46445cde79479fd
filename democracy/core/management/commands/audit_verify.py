from django.core.management.base import BaseCommand, CommandError

from democracy.core.audit import verify_chain
from democracy.core.models import AuditEntry
from democracy.core.services import audit_head


class Command(BaseCommand):
    help = "Check the hash chain of the audit log; exits non-zero if any entry was changed or removed."

    def handle(self, *args, **options):
        head = audit_head()
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
        report = verify_chain(entries, head_seq=head.seq, head_hash=head.hash)
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
                f"{report.head_hash}."
            )
        )
