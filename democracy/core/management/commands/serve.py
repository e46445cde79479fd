"""Serve Delta over ASGI (daphne) with the django-q2 worker beside it; Ctrl-C stops both."""

import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the ASGI server and the background worker together (used by 'make run')."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"])  # noqa: S603
        self.stdout.write(f"Background worker started (pid {worker.pid}).")
        try:
            # With daphne installed, runserver serves the ASGI application, websockets too.
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
            self.stdout.write("Server and background worker stopped.")
