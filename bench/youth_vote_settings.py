"""Settings for the youth-vote benchmark server: Delta's settings plus one baseline view."""

from democracy.settings import *  # noqa: F403

ROOT_URLCONF = "bench.youth_vote_urls"
