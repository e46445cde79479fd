"""Settings for the benchmark's baseline: Delta's database and cache settings, but no apps, no
middleware and one URL: a bare Django view that inserts one row. Only ``bench/sign_bench.py``
uses it."""

from democracy.settings import *  # noqa: F403

INSTALLED_APPS = ["django.contrib.contenttypes"]
MIDDLEWARE = []
ROOT_URLCONF = "bench.bare_urls"
