"""Form rate limits that tell the person how long to wait.

django-ratelimit's ``is_ratelimited`` answers yes or no; ``get_usage`` also knows when the
window ends, which the 429 page and its ``Retry-After`` header need to be true.
"""

from django_ratelimit.core import get_usage


def seconds_until_allowed(request, *, group: str, key: str, rate: str) -> int | None:
    """Count this request against ``rate``; ``None`` if it may go on, else the seconds until
    the window ends (at least 1)."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)
