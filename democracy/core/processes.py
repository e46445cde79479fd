"""Child processes that start children of their own (the django-q2 cluster does)."""

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """Ask ``process`` and everything in its process group to stop (SIGTERM); kill what is
    left after ``timeout`` seconds. Start the process with ``start_new_session=True``."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # children that did not stop in time
    except ProcessLookupError:
        pass
    process.wait()
