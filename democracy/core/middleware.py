import functools
import time

import csp.constants
import csp.middleware
import csp.utils
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Swedish unless the visitor chose another language with the language switch.

    Django's ``LocaleMiddleware`` would follow the browser's Accept-Language header; a Swedish
    municipality's site is Swedish by default, so only the language cookie set by the switch
    (``django.views.i18n.set_language``) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the site's policy header built once.

    No view of ours changes the policy for its response (no ``@csp_update``, ``@csp_replace``
    or ``@csp_exempt``) and no template uses a nonce, so the header is the same on every
    response; django-csp builds it, and the empty report-only one, anew each time, about a
    twelfth of the CPU of a vote in the booth. A response or request that does carry its own
    policy parts, and any set-up with a report-only policy or excluded paths, goes to
    django-csp unchanged.
    """

    _RESPONSE_PARTS = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )

    def process_response(self, request, response):
        if (
            _site_policy() is None
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._RESPONSE_PARTS)
            or csp.constants.HEADER in response
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        response[csp.constants.HEADER] = _site_policy()
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _site_policy() -> str | None:
    """The policy header from the settings, or ``None`` when the plain path does not apply."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or policy.get(
        "EXCLUDE_URL_PREFIXES"
    ):
        return None
    return csp.utils.build_policy() or None


@receiver(setting_changed)
def _forget_site_policy(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


def busy_response(*, retry_after: int):
    """The 503 answer when Delta is too busy to serve a request in time: a static page (it must
    cost next to nothing, and runs before the language and template machinery), with the
    Retry-After header that tells browsers and clients when to come back."""

    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(max(1, int(retry_after)))
    response["Cache-Control"] = "no-store"
    return response


class QueueTimeMiddleware:
    """Sheds requests that waited too long for a free server thread.

    Under more load than the machine can serve, requests queue in front of gunicorn's threads,
    and without a bound every one of them waits longer and longer (and finally gets the proxy's
    504). nginx stamps each request with the time it passed it on (``X-Request-Start:
    t=<seconds>``, deploy/nginx/delta.conf); a request that reaches Django more than
    ``REQUEST_QUEUE_TIMEOUT`` seconds later is answered at once with 503 and Retry-After
    instead of being served. Answering it costs a fraction of serving it, so the queue drains
    and the requests that are served wait at most about that long (docs/performance.md,
    overload). Without the header (``make run``, tests) nothing is shed. Must come first in
    MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = float(settings.REQUEST_QUEUE_TIMEOUT or 0)

    def __call__(self, request):
        stamp = request.META.get("HTTP_X_REQUEST_START")
        if stamp and self.timeout:
            try:
                started = float(stamp.removeprefix("t="))
            except ValueError:
                started = None
            if started is not None and time.time() - started > self.timeout:
                return busy_response(retry_after=settings.BUSY_RETRY_AFTER)
        return self.get_response(request)
