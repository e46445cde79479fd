"""Delta's settings for a django-q2 cluster that a test starts as a real process
(``tests/proposals/test_worker_killed.py``).

Only what the test needs differs: tasks run on the cluster (not in-line), a task taken by a
killed worker is handed out again after 12 seconds instead of 180, and mail is delivered into
files in ``DELTA_TEST_MAIL_DIR`` (Django's file backend), which the test reads across processes.
"""

import os

from democracy.settings import *  # noqa: F403
from democracy.settings import Q_CLUSTER

Q_CLUSTER = {**Q_CLUSTER, "sync": False, "timeout": 10, "retry": 12}
DELTA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["DELTA_TEST_MAIL_DIR"]
