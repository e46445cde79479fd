"""Stopping a process stops the children it started (make run's worker, the benchmarks)."""

import subprocess
import sys
import time

from democracy.core.processes import stop_process_group

# A parent that starts a child which ignores SIGTERM and would outlive it.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_stopping_the_group_stops_the_children_too():
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    child_pid = int(parent.stdout.readline())
    started = time.monotonic()
    stop_process_group(parent, timeout=2)
    assert parent.poll() is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not running(child_pid):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the child outlived its stopped parent")
    assert time.monotonic() - started < 10
    parent.stdout.close()
