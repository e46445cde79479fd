"""The published rules, read from settings when used (never at import time)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Rules:
    signature_threshold: int
    signing_days: int
    repeat_months: int
    treatment_days: int
    anonymise_after_days: int
    count_interval: float
    reports_to_hide: int


def current() -> Rules:
    return Rules(
        signature_threshold=settings.PROPOSALS_SIGNATURE_THRESHOLD,
        signing_days=settings.PROPOSALS_SIGNING_DAYS,
        repeat_months=settings.PROPOSALS_REPEAT_MONTHS,
        treatment_days=settings.PROPOSALS_TREATMENT_DAYS,
        anonymise_after_days=settings.PROPOSALS_ANONYMISE_AFTER_DAYS,
        count_interval=settings.PROPOSALS_COUNT_INTERVAL,
        reports_to_hide=settings.PROPOSALS_REPORTS_TO_HIDE,
    )


# Limits of a submission (characters); the form and the service both enforce them.
TITLE_MAX = 150
SUMMARY_MAX = 600
BODY_MAX = 10_000
BODY_MIN = 50
COMMENT_MAX = 3_000
