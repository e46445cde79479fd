"""Serve Delta over ASGI (daphne) with the django-q2 worker beside it; Ctrl-C stops both."""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from democracy.core.processes import stop_process_group
from democracy.core.servers import answer_long_request_lines


class Command(BaseCommand):
    help = "Run the ASGI server and the background worker together (used by 'make run')."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        # The worker runs in a process group of its own: the django-q2 cluster starts its
        # workers as child processes, and stopping the group stops them too (a worker in the
        # middle of the counting loop would otherwise run on for up to a minute).
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "qcluster"], start_new_session=True
        )
        self.stdout.write(f"Background worker started (pid {worker.pid}).")
        answer_long_request_lines()
        try:
            # With daphne installed, runserver serves the ASGI application, websockets too.
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            stop_process_group(worker)
            self.stdout.write("Server and background worker stopped.")
